import { Observable, SchedulerLike, asyncScheduler } from 'rxjs';
import { InvocationResultFrame } from '../protocol/Frame';
import { normalizeUuid } from '../protocol/uuid';
import { InvocationError } from '../errors/InvocationError';
import { PendingLimitError } from '../errors/PendingLimitError';

/** Who is told how a pending call ends. */
export interface PendingCallbacks {
  result(frame: InvocationResultFrame): void;
  error(err: Error): void;
}

interface Entry {
  callbacks: PendingCallbacks;
  functionId: string;
  /** The call's frame went out on the current socket (rather than waiting in the send queue). */
  sent: boolean;
  timer?: { unsubscribe(): void };
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
const noop = () => undefined;

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
      const cancel = this.add(invocationId, functionId, timeoutMs, {
        result: (frame) => {
          subscriber.next(frame);
          subscriber.complete();
        },
        error: (err) => subscriber.error(err),
      });
      return cancel;
    });
  }

  /**
   * The callback form of {@link wait}, for hot paths: registers the call and returns the function that
   * frees its entry (and timer) again. Errors (limit, duplicate id) are reported through `callbacks.error`
   * before it returns.
   */
  add(invocationId: string, functionId: string, timeoutMs: number, callbacks: PendingCallbacks): () => void {
    if (this.entries.has(invocationId)) {
      callbacks.error(new PendingLimitError(`invocation id ${invocationId} is already waiting`));
      return noop;
    }
    if (this.entries.size >= this.limit) {
      callbacks.error(new PendingLimitError(`${this.entries.size} calls are already waiting for results (maxPendingCalls)`));
      return noop;
    }
    const entry: Entry = { callbacks, functionId, sent: false };
    this.entries.set(invocationId, entry);
    if (Number.isFinite(timeoutMs)) {
      entry.timer = this.scheduler.schedule(() => {
        if (this.entries.get(invocationId) !== entry) return;
        this.entries.delete(invocationId);
        callbacks.error(
          new InvocationError({ code: 'TIMEOUT', message: `invocation timed out after ${timeoutMs}ms`, functionId }),
        );
      }, timeoutMs);
    }
    return () => {
      entry.timer?.unsubscribe();
      if (this.entries.get(invocationId) === entry) this.entries.delete(invocationId);
    };
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
    entry.timer?.unsubscribe();
    entry.callbacks.result(frame);
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
    for (const entry of lost) {
      entry.timer?.unsubscribe();
      entry.callbacks.error(makeError(entry.functionId));
    }
    return lost.length;
  }

  /** Errors every waiting call with `err` and empties the table. */
  failAll(err: Error): void {
    const waiting = [...this.entries.values()];
    this.entries.clear();
    for (const entry of waiting) {
      entry.timer?.unsubscribe();
      entry.callbacks.error(err);
    }
  }
}
