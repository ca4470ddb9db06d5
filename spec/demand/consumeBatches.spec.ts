import { map, Observable, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { consumeBatches } from '../../lib/demand/consumeBatches';
import { pausableTicks } from './support/pausableTicks';

describe('consumeBatches', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('batches what arrived while busy and holds the source once maxItems wait', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const seen = new Subject<string>();
      const work = cold('---(x|)');
      const out = pausableTicks(['a', 'b', 'c', 'd', 'e', 'f'], seen).pipe(
        consumeBatches((batch: string[]) => work.pipe(map(() => batch.join(''))), { maxItems: 2 }),
      );
      expectObservable(seen).toBe('abc-de-f|');
      expectObservable(out).toBe('---a--b--c--(d|)', { a: 'a', b: 'bc', c: 'de', d: 'f' });
    });
  });

  it('holds the source once maxBytes wait', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const seen = new Subject<string>();
      const work = cold('---(x|)');
      const out = pausableTicks(['aaaa', 'bbbb', 'cc', 'd'], seen).pipe(
        consumeBatches((batch: string[]) => work.pipe(map(() => batch.join(','))), { maxItems: 10, maxBytes: 4 }),
      );
      expectObservable(seen).toBe('ab--cd|', { a: 'aaaa', b: 'bbbb', c: 'cc', d: 'd' });
      expectObservable(out).toBe('---a--b--(c|)', { a: 'aaaa', b: 'bbbb', c: 'cc,d' });
    });
  });

  it('a fast consumer gets batches of one', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const source = hot('-a-b-c|');
      const work = cold('(x|)');
      expectObservable(source.pipe(consumeBatches((batch: string[]) => work.pipe(map(() => batch.length))))).toBe(
        '-a-b-c|',
        { a: 1, b: 1, c: 1 },
      );
    });
  });

  it('unsubscribing tears down the source and the batch in progress', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-');
      const work = cold('-----(x|)');
      expectObservable(source.pipe(consumeBatches(() => work)), '^---!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectSubscriptions(work.subscriptions).toBe('-^--!');
    });
  });

  it('rejects sizes that cannot work', () => {
    expect(() => consumeBatches(() => new Observable<never>(), { maxItems: 0 })).toThrow(RangeError);
    expect(() => consumeBatches(() => new Observable<never>(), { concurrency: 0 })).toThrow(RangeError);
  });
});
