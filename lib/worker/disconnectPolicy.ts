import type { ConnectionState } from '../connection/Connection';
import type { Logger } from '../connection/Logger';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import type { CallClient } from './CallClient';
import type { PendingCalls } from './PendingCalls';
import type { TriggerTypeProvider } from './TriggerTypeProvider';
import type { WorkerIdentity } from './WorkerIdentity';

/** The worker parts a change of connection state concerns. */
export interface DisconnectPolicyParts {
  readonly calls: CallClient;
  readonly pending: PendingCalls;
  readonly provider: TriggerTypeProvider;
  readonly identity: WorkerIdentity;
  readonly logger: Logger;
  /** Why the connection closed on its own (AuthError, give-up), if it did. */
  readonly closeError: () => Error | undefined;
  /** Fail the calls already sent when the socket drops (`WorkerOptions.failInFlightOnDisconnect`). */
  readonly failInFlight: boolean;
}

/**
 * What a worker does when its connection changes state: any state but `open` forgets the socket's worker
 * id; `reconnecting` fails the calls already sent on the lost socket with `CONNECTION_LOST` (their results
 * can never arrive); `closed` fails every pending call with the close reason and completes the
 * trigger-type provider.
 *
 * @example
 * ```ts
 * connection.state$.subscribe((state) => disconnectPolicy(state, parts));
 * ```
 */
export function disconnectPolicy(state: ConnectionState, parts: DisconnectPolicyParts): void {
  if (state !== 'open') parts.identity.lost();
  if (state === 'reconnecting' && parts.failInFlight) {
    const lost = parts.calls.connectionLost();
    if (lost > 0) parts.logger.warn?.(`${lost} calls in flight failed with CONNECTION_LOST`);
  }
  if (state === 'closed') {
    // AuthError when the engine refused the token
    parts.pending.failAll(parts.closeError() ?? new ConnectionClosedError('the worker connection closed before the result arrived'));
    parts.provider.complete();
  }
}
