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

/** What frees a pending call's entry (and its share of the timer) again; idempotent. */
export interface PendingHandle {
  cancel(): void;
}

/** One waiting call; it is its own {@link PendingHandle}, so registering a call allocates nothing else. */
class Entry implements PendingHandle {
  /** The call's frame went out on the current socket (rather than waiting in the send queue). */
  sent = false;
  /** Settled or freed: its slot in a timeout bucket is only waiting to be dropped. */
  done = false;
  /** When it times out (scheduler time), for calls with a finite timeout. */
  deadline = 0;
  bucket?: Bucket;

  constructor(
    readonly table: PendingCalls,
    readonly id: string,
    readonly callbacks: PendingCallbacks,
    readonly functionId: string,
  ) {}

  cancel(): void {
    this.table.free(this);
  }
}

/**
 * The calls sharing one timeout length, in order of their deadlines (which is their order of arrival), with
 * one timer for the earliest: a call costs no timer of its own.
 */
interface Bucket {
  timeoutMs: number;
  queue: Entry[];
  head: number;
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
const settled: PendingHandle = { cancel: () => undefined };

export class PendingCalls {
  private readonly entries = new Map<string, Entry>();
  private readonly buckets = new Map<number, Bucket>();

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
      const handle = this.add(invocationId, functionId, timeoutMs, {
        result: (frame) => {
          subscriber.next(frame);
          subscriber.complete();
        },
        error: (err) => subscriber.error(err),
      });
      return () => handle.cancel();
    });
  }

  /**
   * The callback form of {@link wait}, for hot paths: registers the call and returns the handle whose
   * `cancel()` frees its entry (and timer) again. Errors (limit, duplicate id) are reported through
   * `callbacks.error` before it returns.
   */
  add(invocationId: string, functionId: string, timeoutMs: number, callbacks: PendingCallbacks): PendingHandle {
    if (this.entries.has(invocationId)) {
      callbacks.error(new PendingLimitError(`invocation id ${invocationId} is already waiting`));
      return settled;
    }
    if (this.entries.size >= this.limit) {
      callbacks.error(new PendingLimitError(`${this.entries.size} calls are already waiting for results (maxPendingCalls)`));
      return settled;
    }
    const entry = new Entry(this, invocationId, callbacks, functionId);
    this.entries.set(invocationId, entry);
    if (Number.isFinite(timeoutMs)) {
      entry.deadline = this.scheduler.now() + timeoutMs;
      let bucket = this.buckets.get(timeoutMs);
      if (!bucket) {
        bucket = { timeoutMs, queue: [], head: 0 };
        this.buckets.set(timeoutMs, bucket);
      }
      entry.bucket = bucket;
      bucket.queue.push(entry);
      if (!bucket.timer) this.arm(bucket, timeoutMs);
    }
    return entry;
  }

  /** Frees the entry of a handle (what its `cancel` does): out of the table if it is still the one under its id. */
  free(handle: PendingHandle): void {
    const entry = handle as Entry;
    if (this.entries.get(entry.id) === entry) this.entries.delete(entry.id);
    this.settle(entry);
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
    this.settle(entry);
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
      this.settle(entry);
      entry.callbacks.error(makeError(entry.functionId));
    }
    return lost.length;
  }

  /** Errors every waiting call with `err` and empties the table. */
  failAll(err: Error): void {
    const waiting = [...this.entries.values()];
    this.entries.clear();
    for (const entry of waiting) {
      this.settle(entry);
      entry.callbacks.error(err);
    }
  }

  /** Marks an entry finished and drops the finished entries at the head of its bucket. */
  private settle(entry: Entry): void {
    if (entry.done) return;
    entry.done = true;
    const bucket = entry.bucket;
    if (!bucket) return;
    const { queue } = bucket;
    while (bucket.head < queue.length && queue[bucket.head].done) queue[bucket.head++] = undefined as unknown as Entry;
    if (bucket.head === queue.length) {
      bucket.timer?.unsubscribe();
      if (this.buckets.get(bucket.timeoutMs) === bucket) this.buckets.delete(bucket.timeoutMs);
    } else if (bucket.head > 1024 && bucket.head * 2 > queue.length) {
      queue.splice(0, bucket.head);
      bucket.head = 0;
    }
  }

  /** Schedules the bucket's timer for its earliest deadline. */
  private arm(bucket: Bucket, delay: number): void {
    bucket.timer = this.scheduler.schedule(() => this.expire(bucket), Math.max(0, delay));
  }

  /** Fails every call of the bucket whose deadline has passed with `TIMEOUT`, then re-arms for the next. */
  private expire(bucket: Bucket): void {
    bucket.timer = undefined;
    const now = this.scheduler.now();
    const expired: Entry[] = [];
    const { queue } = bucket;
    while (bucket.head < queue.length) {
      const entry = queue[bucket.head];
      if (!entry.done) {
        if (entry.deadline > now) break;
        entry.done = true;
        if (this.entries.get(entry.id) === entry) this.entries.delete(entry.id);
        expired.push(entry);
      }
      queue[bucket.head++] = undefined as unknown as Entry;
    }
    if (bucket.head < queue.length) {
      if (bucket.head > 1024 && bucket.head * 2 > queue.length) {
        queue.splice(0, bucket.head);
        bucket.head = 0;
      }
      this.arm(bucket, queue[bucket.head].deadline - now);
    } else if (this.buckets.get(bucket.timeoutMs) === bucket) {
      this.buckets.delete(bucket.timeoutMs);
    }
    const ms = bucket.timeoutMs;
    for (const entry of expired) {
      entry.callbacks.error(
        new InvocationError({ code: 'TIMEOUT', message: `invocation timed out after ${ms}ms`, functionId: entry.functionId }),
      );
    }
  }
}
