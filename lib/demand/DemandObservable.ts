import { Observable, Observer, Operator, Subscriber, Subscription, TeardownLogic } from 'rxjs';
import type { Demand } from './Demand';

/** The subscribe function of a {@link DemandObservable}: gets the consumer's demand, if it has one. */
export type DemandSubscribe<T> = (subscriber: Subscriber<T>, demand: Demand | undefined) => TeardownLogic;

/** Demand handed to a source for the subscription being made right now, by source. */
const handover = new WeakMap<object, Demand>();

/**
 * An Observable whose source can pause, and which stays one through RxJS operators: `lift` (which every
 * RxJS 7 operator built on `operate` calls — `map`, `filter`, `tap`, `scan`, `take`, ...) returns another
 * `DemandObservable` that remembers the pausable source. A demand-aware consumer (`consume`,
 * `consumeBatches`, `writeChannel`) subscribes through {@link subscribeWithDemand}, and the source at the
 * root of the chain receives that consumer's {@link Demand}.
 *
 * Operators pass demand on correctly when they handle each value synchronously (one value in, at most a
 * few out). Operators that hold values themselves — `concatMap`, `mergeMap`, `bufferCount`, `delay`,
 * `observeOn` — still return a `DemandObservable`, but values they hold are out of the source's reach:
 * put `consume` / `consumeBatches` in their place.
 *
 * A plain subscription gets no demand: the source then emits as fast as it can, like any Observable.
 *
 * @example
 * ```ts
 * const ticks = new DemandObservable<number>((subscriber, demand) => {
 *   let n = 0;
 *   const emit = () => { while (!subscriber.closed && (demand?.wanted ?? true) && n < 10) subscriber.next(n++); };
 *   const stop = demand?.onResume(emit);
 *   emit();
 *   return stop;
 * });
 * ticks.pipe(map((n) => n * 2), consume((n) => timer(10))).subscribe();
 * ```
 */
export class DemandObservable<T> extends Observable<T> {
  /** The pausable source at the root of this chain (itself, for a source). */
  readonly demandSource: DemandObservable<unknown>;

  constructor(subscribe?: DemandSubscribe<T>, demandSource?: DemandObservable<unknown>) {
    const box: { self?: DemandObservable<T> } = {};
    super(
      subscribe &&
        ((subscriber: Subscriber<T>) => {
          const self = box.self!;
          return subscribe(subscriber, self.demandSource === self ? claimDemand(self) : undefined);
        }),
    );
    box.self = this;
    this.demandSource = demandSource ?? (this as DemandObservable<unknown>);
  }

  /** RxJS's operator hook: the lifted Observable keeps the way to this chain's pausable source. */
  override lift<R>(operator?: Operator<T, R>): DemandObservable<R> {
    const lifted = new DemandObservable<R>(undefined, this.demandSource);
    lifted.source = this;
    lifted.operator = operator;
    return lifted;
  }
}

/** The demand handed over for the subscription `source` is receiving now, if any (taken once). */
function claimDemand(source: object): Demand | undefined {
  const demand = handover.get(source);
  handover.delete(source);
  return demand;
}

/**
 * Subscribes to `source` so that its pausable root (if it has one) receives `demand`. With a source that
 * is not demand-aware this is a plain `subscribe`.
 *
 * @example
 * ```ts
 * const demand = new Demand();
 * subscribeWithDemand(reader.pipe(map(parse)), { next: (v) => { queue.push(v); demand.set(queue.length < 8); } }, demand);
 * ```
 */
export function subscribeWithDemand<T>(
  source: Observable<T>,
  observer: Partial<Observer<T>>,
  demand: Demand,
): Subscription {
  const root = source instanceof DemandObservable ? source.demandSource : undefined;
  if (!root) return source.subscribe(observer);
  const previous = handover.get(root);
  handover.set(root, demand);
  try {
    return source.subscribe(observer);
  } finally {
    if (previous) handover.set(root, previous);
    else handover.delete(root);
  }
}

/** Whether `source` can be paused by a demand-aware consumer. */
export function isDemandAware(source: Observable<unknown>): source is DemandObservable<unknown> {
  return source instanceof DemandObservable;
}

/**
 * Keeps `source`'s demand link on an Observable derived from it by an operator that does not lift (one
 * written as `(source) => new Observable(...)`). `derived` must subscribe to `source` synchronously.
 *
 * @example
 * ```ts
 * const values = keepDemand(reader, reader.pipe(observeValues()));
 * values.pipe(consume(save)); // still paces the reader
 * ```
 */
export function keepDemand<T>(source: Observable<unknown>, derived: Observable<T>): Observable<T> {
  if (!(source instanceof DemandObservable)) return derived;
  return new DemandObservable<T>((subscriber) => derived.subscribe(subscriber), source.demandSource);
}
