import { concatMap, filter, map, Observable, Subject, take, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { consume } from '../../lib/demand/consume';
import { pausableTicks } from './support/pausableTicks';

describe('consume', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('holds a pausable source while project is busy and resumes it when project completes', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const seen = new Subject<string>();
      const work = cold('---(x|)');
      const out = pausableTicks(['a', 'b', 'c', 'd'], seen).pipe(consume((v) => work.pipe(map(() => v))));
      expectObservable(seen).toBe('a---b---c---d---|');
      expectObservable(out).toBe('---a---b---c---d|');
      expectSubscriptions(work.subscriptions).toBe(['^--!', '----^--!', '--------^--!', '------------^--!']);
    });
  });

  it('demand passes through map, filter, tap and scan-like operators in between', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const seen = new Subject<string>();
      const tapped: string[] = [];
      const work = cold('---(x|)');
      const out = pausableTicks(['a', 'b', 'c'], seen).pipe(
        map((v) => v.toUpperCase()),
        filter((v) => v !== 'B'),
        tap((v) => tapped.push(v)),
        consume((v) => work.pipe(map(() => v))),
      );
      // 'B' is dropped by filter while consume is idle, so the source goes straight on to 'c'
      expectObservable(seen).toBe('a---bc---|');
      expectObservable(out).toBe('---A----C|');
    });
  });

  it('runs up to `concurrency` projects and holds the source only when all slots are taken', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const seen = new Subject<string>();
      const work = cold('---(x|)');
      const out = pausableTicks(['a', 'b', 'c', 'd'], seen).pipe(
        consume((v) => work.pipe(map(() => v)), { concurrency: 2 }),
      );
      // at frame 4, b's work finishes first (scheduled earlier), so c and d both get a free slot
      expectObservable(seen).toBe('ab--cd--|');
      expectObservable(out).toBe('---ab--c(d|)');
    });
  });

  it('take(n) in between stops the source after n values', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const seen = new Subject<string>();
      const work = cold('-(x|)');
      const out = pausableTicks(['a', 'b', 'c', 'd'], seen).pipe(
        take(2),
        consume((v) => work.pipe(map(() => v))),
      );
      expectObservable(seen).toBe('a-b');
      expectObservable(out).toBe('-a-(b|)');
    });
  });

  it('stacked: a downstream consume holds the upstream one, which holds the source', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const seen = new Subject<string>();
      const fast = cold('(x|)');
      const slow = cold('----(y|)');
      const out = pausableTicks(['a', 'b', 'c'], seen).pipe(
        consume((v) => fast.pipe(map(() => v))),
        consume((v) => slow.pipe(map(() => v))),
      );
      expectObservable(seen).toBe('a----b----c----|');
      expectObservable(out).toBe('----a----b----c|');
    });
  });

  it('a plain concatMap on a pausable source does not hold it (values pile up inside concatMap)', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const seen = new Subject<string>();
      const work = cold('---(x|)');
      const out = pausableTicks(['a', 'b', 'c', 'd'], seen).pipe(concatMap((v) => work.pipe(map(() => v))));
      expectObservable(seen).toBe('abcd|');
      expectObservable(out).toBe('---a--b--c--(d|)');
    });
  });

  it('with a source that cannot pause it buffers like mergeMap, in order with concurrency 1', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-abc|');
      const work = cold('--(x|)');
      expectObservable(source.pipe(consume((v) => work.pipe(map(() => v))))).toBe('---a-b-(c|)');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('errors when project errors, and unsubscribes the source and the running work', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b---');
      const ok = cold('----(x|)');
      const bad = cold('-#', undefined, new Error('boom'));
      const out = source.pipe(consume((v) => (v === 'a' ? ok : bad), { concurrency: 2 }));
      expectObservable(out).toBe('----#', undefined, new Error('boom'));
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectSubscriptions(ok.subscriptions).toBe('-^--!');
    });
  });

  it('unsubscribing tears down the source and the work in progress', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-');
      const work = cold('-----(x|)');
      expectObservable(source.pipe(consume(() => work)), '^--!').toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectSubscriptions(work.subscriptions).toBe('-^-!');
    });
  });

  it('errors when the source errors', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const source = hot('-a-#');
      expectObservable(source.pipe(consume(() => cold('-----x|')))).toBe('---#');
    });
  });

  it('rejects a concurrency that cannot work', () => {
    expect(() => consume(() => new Observable<never>(), { concurrency: 0 })).toThrow(RangeError);
    expect(() => consume(() => new Observable<never>(), { concurrency: 1.5 })).toThrow(RangeError);
  });
});
