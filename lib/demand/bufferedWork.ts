import { from, ObservableInput, OperatorFunction, Subscription } from 'rxjs';
import { Demand } from './Demand';
import { DemandObservable, subscribeWithDemand } from './DemandObservable';

/** What a {@link bufferedWork} operator does (internal). */
export interface BufferedSpec<T, R> {
  /** Units of work at once. */
  concurrency: number;
  /** Values that may wait while every unit is busy before demand goes off. */
  maxWaiting: number;
  /** Most values per unit of work. */
  batchSize: number;
  /** Bytes waiting at which demand goes off (with `sizeOf`); default no byte bound. */
  maxBytes?: number;
  sizeOf?(value: T): number;
  project(values: T[], index: number): ObservableInput<R>;
}

/**
 * The engine behind `consume` and `consumeBatches` (internal): queues the values a source emits, runs
 * units of work on them (at most `concurrency` at once) and turns its source's demand off while every
 * unit is busy and `maxWaiting` values (or `maxBytes`) wait, or while its own consumer wants no more.
 */
export function bufferedWork<T, R>(spec: BufferedSpec<T, R>): OperatorFunction<T, R> {
  return (source) =>
    new DemandObservable<R>((subscriber, downstream) => {
      const queue: T[] = [];
      const upstream = new Demand();
      const work = new Subscription();
      let active = 0;
      let index = 0;
      let waitingBytes = 0;
      const maxBytes = spec.maxBytes ?? Infinity;
      const sizeOf = spec.sizeOf;
      const take = (): T[] => {
        const values = spec.batchSize === 1 ? [queue.shift() as T] : queue.splice(0, spec.batchSize);
        if (sizeOf) for (const v of values) waitingBytes -= sizeOf(v);
        return values;
      };
      let sourceDone = false;
      let pumping = false;
      let again = false;
      const downstreamWants = () => downstream?.wanted ?? true;
      const pump = () => {
        if (pumping) {
          again = true;
          return;
        }
        pumping = true;
        try {
          do {
            again = false;
            while (!subscriber.closed && active < spec.concurrency && queue.length > 0 && downstreamWants()) {
              start(take());
            }
          } while (again && !subscriber.closed);
        } finally {
          pumping = false;
        }
        if (subscriber.closed) return;
        if (sourceDone && active === 0 && queue.length === 0) {
          subscriber.complete();
          return;
        }
        const full = active + queue.length >= spec.concurrency + spec.maxWaiting || waitingBytes >= maxBytes;
        upstream.set(!full && downstreamWants());
      };
      const start = (values: T[]) => {
        active++;
        let sub: Subscription | undefined;
        let finished = false;
        try {
          sub = from(spec.project(values, index++)).subscribe({
            next: (value) => subscriber.next(value),
            error: (err) => subscriber.error(err),
            complete: () => {
              finished = true;
              active--;
              if (sub) work.remove(sub);
              pump();
            },
          });
        } catch (err) {
          subscriber.error(err);
          return;
        }
        if (!finished) work.add(sub);
      };
      const stopListening = downstream?.onResume(pump);
      const sourceSub = subscribeWithDemand(
        source,
        {
          next: (value) => {
            queue.push(value);
            if (sizeOf) waitingBytes += sizeOf(value);
            pump();
          },
          error: (err) => subscriber.error(err),
          complete: () => {
            sourceDone = true;
            pump();
          },
        },
        upstream,
      );
      return () => {
        stopListening?.();
        sourceSub.unsubscribe();
        work.unsubscribe();
      };
    });
}
