import { Observable, Subscriber, Subscription, isObservable } from 'rxjs';
import { ChannelOverflowError } from '../errors/ChannelOverflowError';

/** What a function handler produced: one value, or (an Observable that emitted more than once) a stream. */
export type HandlerOutcome =
  | { kind: 'value'; value: unknown }
  | {
      kind: 'stream';
      /** Every value the handler's Observable emitted, from the first; subscribe once. */
      values$: Observable<unknown>;
      /** Stops the handler's Observable when nobody will subscribe to `values$`. */
      cancel(): void;
    };

/**
 * Waits for a handler's return value: a plain value or a Promise gives that value; an Observable that emits
 * once gives that value, one that completes empty gives `undefined`, and one that emits a second value
 * turns into a `stream` outcome. The stream keeps at most `maxBuffered` values until `values$` is
 * subscribed; beyond that it errors with ChannelOverflowError instead of growing.
 *
 * @example
 * ```ts
 * const outcome = await collectResult(of(1, 2, 3));
 * if (outcome.kind === 'stream') outcome.values$.subscribe(console.log); // 1 2 3
 * ```
 */
export function collectResult(raw: unknown, maxBuffered = 1024): Promise<HandlerOutcome> {
  if (!isObservable(raw)) return Promise.resolve(raw).then((value) => ({ kind: 'value', value }));
  return new Promise<HandlerOutcome>((resolve, reject) => {
    let count = 0;
    let first: unknown;
    let settled = false;
    let stopped = false;
    let buffer: unknown[] = [];
    let downstream: Subscriber<unknown> | undefined;
    let terminal: { error?: unknown; failed: boolean } | undefined;
    let subscription: Subscription | undefined;
    const stop = () => {
      stopped = true;
      subscription?.unsubscribe();
    };
    const values$ = new Observable<unknown>((subscriber) => {
      if (downstream) {
        subscriber.error(new Error('a handler result stream can be subscribed only once'));
        return;
      }
      downstream = subscriber;
      const queued = buffer;
      buffer = [];
      for (const value of queued) subscriber.next(value);
      if (terminal) {
        if (terminal.failed) subscriber.error(terminal.error);
        else subscriber.complete();
      }
      return stop;
    });
    subscription = raw.subscribe({
      next: (value) => {
        if (stopped) return;
        count++;
        if (count === 1) {
          first = value;
        } else if (count === 2) {
          buffer.push(first, value);
          first = undefined;
          settled = true;
          resolve({ kind: 'stream', values$, cancel: stop });
        } else if (downstream) {
          downstream.next(value);
        } else if (buffer.length >= maxBuffered) {
          terminal = {
            failed: true,
            error: new ChannelOverflowError(
              `the handler's result stream emitted more than ${maxBuffered} values before anyone read them`,
            ),
          };
          stop();
        } else {
          buffer.push(value);
        }
      },
      error: (err) => {
        if (stopped) return;
        if (!settled) {
          settled = true;
          reject(err);
        } else if (downstream) downstream.error(err);
        else terminal = { failed: true, error: err };
      },
      complete: () => {
        if (stopped) return;
        if (!settled) {
          settled = true;
          resolve({ kind: 'value', value: count > 0 ? first : undefined });
        } else if (downstream) downstream.complete();
        else terminal = { failed: false };
      },
    });
    if (stopped) subscription.unsubscribe();
  });
}
