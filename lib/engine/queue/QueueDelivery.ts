import type { BuiltinOutcome } from '../builtins/BuiltinOutcome';

/** What happened to one delivery attempt (for tests and the testing entry). */
export interface QueueDelivery {
  messageId: string;
  queue?: string;
  topic?: string;
  functionId: string;
  attempt: number;
  outcome: BuiltinOutcome | 'skipped';
  /** `acked`: done; `retrying`: another attempt is scheduled; `dead`: moved to the dead-letter list. */
  fate: 'acked' | 'retrying' | 'dead';
}

/** Receives every finished attempt; must not throw. */
export type QueueDeliveryListener = (delivery: QueueDelivery) => void;
