import type { ObservableInput, OperatorFunction } from 'rxjs';
import { bufferedWork } from './bufferedWork';

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
  return bufferedWork<T, R>({
    concurrency,
    maxWaiting: 0,
    batchSize: 1,
    project: (values, index) => project(values[0], index),
  });
}
