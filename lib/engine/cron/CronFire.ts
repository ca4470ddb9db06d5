import type { BuiltinOutcome } from '../builtins/BuiltinOutcome';

/** What one fire did: the function's outcome, or `skipped` when the condition said no (or failed). */
export interface CronFire {
  jobId: string;
  functionId: string;
  scheduledMs: number;
  outcome: BuiltinOutcome | 'skipped';
}

/** Receives every finished fire; must not throw. */
export type CronFireListener = (fire: CronFire) => void;
