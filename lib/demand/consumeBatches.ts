import { ObservableInput, OperatorFunction } from 'rxjs';
import { bufferedWork } from './bufferedWork';

/** Options of {@link consumeBatches}. */
export interface ConsumeBatchesOptions<T> {
  /** Most values in one batch, and most values held while `project` is busy. Default 256. */
  maxItems?: number;
  /** Most bytes held while `project` is busy (see `sizeOf`). Default 1 MiB. */
  maxBytes?: number;
  /** Bytes of one value: by default the length of a string or `Uint8Array`, 0 for anything else. */
  sizeOf?(value: T): number;
  /** How many batches `project` works on at once. Default 1 (in order). */
  concurrency?: number;
}

/**
 * Like {@link consume}, but `project` gets arrays: everything that arrived while it was busy, up to
 * `maxItems` values. A fast consumer sees batches of one; a slow one sees full batches (bulk inserts,
 * batched uploads). While `maxItems` values or `maxBytes` bytes wait, the operator's demand is off and a
 * pausable source stops emitting.
 *
 * @throws RangeError when `maxItems` or `concurrency` is not a positive integer
 * @example
 * ```ts
 * reader.values$(Row).pipe(consumeBatches((rows) => db.insertMany(rows), { maxItems: 500 })).subscribe();
 * ```
 */
export function consumeBatches<T, R>(
  project: (batch: T[], index: number) => ObservableInput<R>,
  options: ConsumeBatchesOptions<T> = {},
): OperatorFunction<T, R> {
  const maxItems = options.maxItems ?? 256;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const concurrency = options.concurrency ?? 1;
  const sizeOf = options.sizeOf ?? defaultSize;
  if (!Number.isInteger(maxItems) || maxItems < 1) throw new RangeError(`maxItems must be a positive integer, got ${maxItems}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  return bufferedWork<T, R>({ concurrency, maxWaiting: maxItems, batchSize: maxItems, maxBytes, sizeOf, project });
}

function defaultSize(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value instanceof Uint8Array) return value.byteLength;
  return 0;
}
