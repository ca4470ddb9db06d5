import { Observable, SchedulerLike, Subscriber, asyncScheduler } from 'rxjs';
import { InvocationResultFrame } from '../protocol/Frame';
import { normalizeUuid } from '../protocol/uuid';
import { InvocationError } from '../errors/InvocationError';
import { PendingLimitError } from '../errors/PendingLimitError';

interface Entry {
  subscriber: Subscriber<InvocationResultFrame>;
  functionId: string;
  /** The call's frame went out on the current socket (rather than waiting in the send queue). */
  sent: boolean;
}

/**
 * The table of calls waiting for their `invocationresult`, keyed by invocation id and bounded by `limit`.
 * Each wait is a cold Observable: subscribing adds the entry and starts its timeout, unsubscribing frees it.
 *
 * @example
 * ```ts
 * const pending = new PendingCalls(10_000);
 * pending.wait(id, 'math::add', 30_000).subscribe((frame) => console.log(frame.result));
 * pending.resolve(resultFrame); // delivers to the waiter with that id
 * ```
 */
export class PendingCalls {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Most calls that may wait at once; one more fails with PendingLimitError (code `PENDING_LIMIT`). */
    readonly limit = 10_000,
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {}

  /** Calls currently waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether a call with this id is still waiting. */
  has(invocationId: string): boolean {
    return this.entries.has(invocationId);
  }

  /**
   * Waits for the result frame of `invocationId`: emits it and completes, or errors with an InvocationError
   * of code `TIMEOUT` after `timeoutMs` (no timeout when not finite), or with PendingLimitError when full.
   */
  wait(invocationId: string, functionId: string, timeoutMs: number): Observable<InvocationResultFrame> {
    return new Observable<InvocationResultFrame>((subscriber) => {
      if (this.entries.has(invocationId)) {
        subscriber.error(new PendingLimitError(`invocation id ${invocationId} is already waiting`));
        return;
      }
      if (this.entries.size >= this.limit) {
        subscriber.error(
          new PendingLimitError(`${this.entries.size} calls are already waiting for results (maxPendingCalls)`),
        );
        return;
      }
      const entry: Entry = { subscriber, functionId, sent: false };
      this.entries.set(invocationId, entry);
      const timer = Number.isFinite(timeoutMs)
        ? this.scheduler.schedule(() => {
            if (this.entries.get(invocationId) !== entry) return;
            this.entries.delete(invocationId);
            subscriber.error(
              new InvocationError({
                code: 'TIMEOUT',
                message: `invocation timed out after ${timeoutMs}ms`,
                functionId,
              }),
            );
          }, timeoutMs)
        : undefined;
      return () => {
        timer?.unsubscribe();
        if (this.entries.get(invocationId) === entry) this.entries.delete(invocationId);
      };
    });
  }

  /** Delivers a result frame to its waiter; `false` when nobody waits for that id (the frame is ignored). */
  resolve(frame: InvocationResultFrame): boolean {
    let id = frame.invocation_id;
    let entry = this.entries.get(id);
    if (!entry) {
      const normalized = normalizeUuid(id);
      if (normalized === undefined || normalized === id) return false;
      id = normalized;
      entry = this.entries.get(id);
      if (!entry) return false;
    }
    this.entries.delete(id);
    entry.subscriber.next(frame);
    entry.subscriber.complete();
    return true;
  }

  /** Records that the call's frame was handed to the socket (not merely queued). */
  markSent(invocationId: string): void {
    const entry = this.entries.get(invocationId);
    if (entry) entry.sent = true;
  }

  /**
   * Errors the calls whose frame went out on a socket that is now gone — their results can never arrive,
   * since the engine halts a dropped connection's calls — with `makeError(functionId)`. Calls still queued
   * keep waiting. Returns how many failed.
   */
  failSent(makeError: (functionId: string) => Error): number {
    const lost: Entry[] = [];
    for (const [id, entry] of this.entries) {
      if (!entry.sent) continue;
      this.entries.delete(id);
      lost.push(entry);
    }
    for (const entry of lost) entry.subscriber.error(makeError(entry.functionId));
    return lost.length;
  }

  /** Errors every waiting call with `err` and empties the table. */
  failAll(err: Error): void {
    const waiting = [...this.entries.values()];
    this.entries.clear();
    for (const entry of waiting) entry.subscriber.error(err);
  }
}
