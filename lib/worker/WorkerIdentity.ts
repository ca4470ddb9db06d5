import type { WorkerRegisteredFrame } from '../protocol/Frame';
import { OutboundFrame, reattachFrame } from '../protocol/OutboundFrame';

/**
 * Who the engine says this worker is (PROTOCOL.md §2, §3): the id of the current socket from
 * `workerregistered`, and the previous id and reattach token, which open the next socket with `reattach`.
 *
 * @example
 * ```ts
 * const identity = new WorkerIdentity();
 * identity.registered({ type: 'workerregistered', worker_id: 'w-1', reattach_token: 't-1' });
 * identity.lost();
 * identity.reattach(); // [{ type: 'reattach', previous_worker_id: 'w-1', reattach_token: 't-1' }]
 * ```
 */
export class WorkerIdentity {
  private current?: string;
  private previous?: string;
  private token?: string;

  /** The id of the current socket; `undefined` until `workerregistered` arrived on it. */
  get workerId(): string | undefined {
    return this.current;
  }

  /** The engine named the current socket. */
  registered(frame: WorkerRegisteredFrame): void {
    this.current = this.previous = frame.worker_id;
    this.token = frame.reattach_token ?? undefined;
  }

  /** The current socket is gone: its id no longer names this worker. */
  lost(): void {
    this.current = undefined;
  }

  /** The frames that open a new socket: `reattach` once the engine has named an earlier one. */
  reattach(): OutboundFrame[] {
    return this.previous === undefined ? [] : [reattachFrame(this.previous, this.token)];
  }
}
