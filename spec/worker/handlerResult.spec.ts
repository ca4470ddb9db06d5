import { TestScheduler } from 'rxjs/testing';
import { handlerResult, handlerValues } from '../../lib/worker/handlerResult';

describe('handlerResult', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('an Observable result is its single value on completion; empty is undefined', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(handlerResult(cold('-a-|', { a: 42 }))).toBe('---(a|)', { a: 42 });
      expectObservable(handlerResult(cold('--|'))).toBe('--(u|)', { u: undefined });
    });
  });

  it('a second value fails the call and unsubscribes the handler Observable', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const many = cold('-a-b-c-|', { a: 1, b: 2, c: 3 });
      expectObservable(handlerResult(many, 'n::many')).toBe(
        '---#',
        undefined,
        expect.objectContaining({ message: expect.stringMatching(/n::many.*more than one value.*stream: true/) }),
      );
      expectSubscriptions(many.subscriptions).toBe('^--!');
    });
  });

  it('unsubscribing (consumer gone, worker closed) unsubscribes the handler Observable', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold('-a------');
      expectObservable(handlerResult(never), '^---!').toBe('');
      expectSubscriptions(never.subscriptions).toBe('^---!');
    });
  });

  it('plain values and Promises give their value', async () => {
    await expect(new Promise((r) => handlerResult(5).subscribe(r))).resolves.toBe(5);
    await expect(new Promise((r) => handlerResult(Promise.resolve('p')).subscribe(r))).resolves.toBe('p');
  });
});

describe('handlerValues', () => {
  it('a stream handler result: an Observable as is, a value or a Promise as one value, a Promise of an Observable flattened', async () => {
    const collect = (raw: unknown) =>
      new Promise<unknown[]>((resolve, reject) => {
        const out: unknown[] = [];
        handlerValues(raw).subscribe({ next: (v) => out.push(v), error: reject, complete: () => resolve(out) });
      });
    const { of } = await import('rxjs');
    await expect(collect(of(1, 2))).resolves.toEqual([1, 2]);
    await expect(collect(7)).resolves.toEqual([7]);
    await expect(collect(Promise.resolve(of(3, 4)))).resolves.toEqual([3, 4]);
    await expect(collect(Promise.resolve('x'))).resolves.toEqual(['x']);
  });
});
