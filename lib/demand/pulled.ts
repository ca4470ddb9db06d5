import { DemandObservable } from './DemandObservable';

/** What {@link pulled} reads: an async iterable (async generators, Node `Readable`s), or an iterable. */
export type PullSource<T> = AsyncIterable<T> | Iterable<T>;

/**
 * An Observable that reads `source` only on demand: each subscription takes a fresh iterator and asks it
 * for the next value only while its consumer wants more. Behind a demand-aware consumer (`consume`,
 * `consumeBatches`, `writeChannel`) — with `map`, `filter`, `tap`, ... in between — a generator or a file
 * stream is read no faster than the consumer finishes, however large it is. Subscribed plainly, it reads
 * as fast as it can, like `from(source)`.
 *
 * Unsubscribing calls the iterator's `return()` (a generator's `finally` runs; a stream is destroyed).
 * A thrown or rejected `next()` errors the Observable.
 *
 * @example
 * ```ts
 * async function* rows() { for (let i = 0; ; i++) yield `${JSON.stringify({ i })}\n`; }
 * pulled(rows()).pipe(take(1_000_000), writeChannel(writer)).subscribe();
 * pulled(createReadStream('big.iso')).pipe(writeChannel(writer)).subscribe();
 * ```
 */
export function pulled<T>(source: PullSource<T>): DemandObservable<T> {
  return new DemandObservable<T>((subscriber, demand) => {
    const iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (source as Iterable<T>)[Symbol.iterator]();
    let stopped = false;
    let running = false;
    const wants = () => !stopped && !subscriber.closed && (demand?.wanted ?? true);
    const fail = (err: unknown) => {
      if (stopped) return;
      stopped = true;
      subscriber.error(err);
    };
    const step = (r: IteratorResult<T>): boolean => {
      if (stopped) return false;
      if (r.done) {
        stopped = true;
        subscriber.complete();
        return false;
      }
      subscriber.next(r.value);
      return true;
    };
    const run = () => {
      if (running || !wants()) return;
      running = true;
      void (async () => {
        try {
          while (wants()) {
            const r = iterator.next();
            if (!step(isPromiseLike(r) ? await r : r)) return;
          }
        } catch (err) {
          fail(err);
        } finally {
          running = false;
        }
      })();
    };
    const stopListening = demand?.onResume(run);
    run();
    return () => {
      stopListening?.();
      if (stopped) return;
      stopped = true;
      try {
        const r = iterator.return?.();
        if (isPromiseLike(r)) r.then(undefined, () => undefined);
      } catch {
        // the iterator's own cleanup failed: nothing left to tell
      }
    };
  });
}

function isPromiseLike<V>(value: V | PromiseLike<V>): value is PromiseLike<V> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
