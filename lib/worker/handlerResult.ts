import { from, isObservable, mergeMap, Observable, of } from 'rxjs';

/**
 * A handler's return value as the single result of a call: a plain value or a Promise gives that value; an
 * Observable gives its one value when it completes (`undefined` if it completed empty) and fails if it emits
 * a second value — a function that streams must be registered with `{ stream: true }`. Unsubscribing
 * unsubscribes the handler's Observable.
 *
 * @example
 * ```ts
 * handlerResult(of(42)).subscribe(console.log); // 42
 * handlerResult(of(1, 2)).subscribe({ error: (e) => console.log(e.message) }); // ... more than one value ...
 * ```
 */
export function handlerResult(raw: unknown, functionId = 'the function'): Observable<unknown> {
  if (!isObservable(raw)) return isPromiseLike(raw) ? from(raw) : of(raw);
  return new Observable<unknown>((subscriber) => {
    let count = 0;
    let first: unknown;
    return raw.subscribe({
      next: (value) => {
        count++;
        if (count === 1) first = value;
        else if (count === 2) {
          subscriber.error(
            new Error(
              `the handler of ${functionId} returned an Observable that emitted more than one value; ` +
                'register the function with { stream: true } to stream its values through a channel',
            ),
          );
        }
      },
      error: (err) => subscriber.error(err),
      complete: () => {
        subscriber.next(count > 0 ? first : undefined);
        subscriber.complete();
      },
    });
  });
}

/**
 * A streaming handler's return value as its values: an Observable as it is, a Promise (of an Observable or
 * a value) or a plain value as one value (or the Observable it resolves to).
 *
 * @example
 * ```ts
 * handlerValues(Promise.resolve(range(1, 3))).subscribe(console.log); // 1 2 3
 * ```
 */
export function handlerValues(raw: unknown): Observable<unknown> {
  if (isObservable(raw)) return raw;
  if (!isPromiseLike(raw)) return of(raw);
  return from(raw).pipe(mergeMap((value) => (isObservable(value) ? value : of(value))));
}

/** A thenable object (what `await` would wait for). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}
