import { filter, map, Observable, scan, tap } from 'rxjs';
import { Demand } from '../../lib/demand/Demand';
import { DemandObservable, isDemandAware, keepDemand, subscribeWithDemand } from '../../lib/demand/DemandObservable';

/** A source that records which demand each subscription received. */
function recordingSource(received: (Demand | undefined)[]): DemandObservable<number> {
  return new DemandObservable<number>((subscriber, demand) => {
    received.push(demand);
    subscriber.next(1);
    subscriber.complete();
  });
}

describe('DemandObservable', () => {
  it('stays demand-aware through lifted operators and hands the consumer demand to the root source', () => {
    const received: (Demand | undefined)[] = [];
    const source = recordingSource(received);
    const chain = source.pipe(
      map((n) => n + 1),
      filter(() => true),
      tap(() => undefined),
      scan((a, n) => a + n, 0),
    );
    expect(isDemandAware(chain)).toBe(true);
    expect((chain as DemandObservable<number>).demandSource).toBe(source);
    const demand = new Demand();
    const values: number[] = [];
    subscribeWithDemand(chain, { next: (v) => values.push(v) }, demand);
    expect(values).toEqual([2]);
    expect(received).toEqual([demand]);
  });

  it('a plain subscribe gets no demand, and a handed-over demand is used once', () => {
    const received: (Demand | undefined)[] = [];
    const source = recordingSource(received);
    source.subscribe();
    subscribeWithDemand(source, {}, new Demand());
    source.subscribe();
    expect(received[0]).toBeUndefined();
    expect(received[1]).toBeInstanceOf(Demand);
    expect(received[2]).toBeUndefined();
  });

  it('an operator that builds a new Observable breaks the link unless wrapped with keepDemand', () => {
    const received: (Demand | undefined)[] = [];
    const source = recordingSource(received);
    const custom = (s: Observable<number>) => new Observable<number>((subscriber) => s.subscribe(subscriber));
    expect(isDemandAware(custom(source))).toBe(false);
    const kept = keepDemand(source, custom(source));
    expect(isDemandAware(kept)).toBe(true);
    const demand = new Demand();
    subscribeWithDemand(kept, {}, demand);
    expect(received).toEqual([demand]);
  });

  it('Demand tells its listeners only when demand comes back', () => {
    const demand = new Demand();
    const heard: string[] = [];
    const stop = demand.onResume(() => heard.push('resume'));
    demand.set(true);
    demand.set(false);
    expect(demand.wanted).toBe(false);
    demand.set(false);
    demand.set(true);
    stop();
    demand.set(false);
    demand.set(true);
    expect(heard).toEqual(['resume']);
  });
});
