import { from, ObservableInput, OperatorFunction, Subscription } from 'rxjs';
import { Demand } from './Demand';
import { DemandObservable, subscribeWithDemand } from './DemandObservable';

/** Options of {@link consume}. */
export interface ConsumeOptions {
  /** How many values `project` works on at once. Default 1 (in order, like `concatMap`). */
  concurrency?: number;
}

/**
 * `concatMap` / `mergeMap` that tells its source when it is busy: `project` runs for each value (at most
 * `concurrency` at once) and its output is merged into the result. While every slot is taken, the
 * operator's demand is off, so a pausable source — a channel reader, {@link pulled}, even behind `map`,
 * `filter`, `tap`, `scan`, `take` — stops emitting (a reader pauses its socket, and through the engine the
 * writer). Its output is pausable in turn: a demand-aware consumer after it (another `consume`,
 * `writeChannel`) holds it back too.
 *
 * With a source that cannot pause (a plain Observable) it buffers like `mergeMap`.
 *
 * @throws RangeError when `concurrency` is not a positive integer
 * @example
 * ```ts
 * reader.pipe(
 *   binaryItems(),
 *   filter((chunk) => chunk.byteLength > 0),
 *   consume((chunk) => uploadPart(chunk), { concurrency: 4 }),
 * ).subscribe({ complete: () => console.log('uploaded') });
 * ```
 */
export function consume<T, R>(
  project: (value: T, index: number) => ObservableInput<R>,
  options: ConsumeOptions = {},
): OperatorFunction<T, R> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  return buffered<T, R>({
    concurrency,
    maxWaiting: 0,
    batchSize: 1,
    project: (values, index) => project(values[0], index),
  });
}

/** The engine shared by {@link consume} and `consumeBatches` (internal). */
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

/** A demand-aware operator that queues values and runs units of work on them (internal). */
export function buffered<T, R>(spec: BufferedSpec<T, R>): OperatorFunction<T, R> {
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
