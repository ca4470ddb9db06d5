import { mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { PendingCalls } from '../../lib/worker/PendingCalls';
import { InvocationError } from '../../lib/errors/InvocationError';
import { PendingLimitError } from '../../lib/errors/PendingLimitError';
import { InvocationResultFrame } from '../../lib/protocol/Frame';

const ID = '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa';
const result = (id: string, value: unknown): InvocationResultFrame => ({
  type: 'invocationresult',
  invocation_id: id,
  function_id: 'f',
  result: value,
});

describe('PendingCalls', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('delivers the result frame for its id, then completes and frees the entry', () => {
    scheduler.run(({ expectObservable }) => {
      const pending = new PendingCalls(10, scheduler);
      const frame = result(ID, 42);
      scheduler.schedule(() => {
        expect(pending.size).toBe(1);
        expect(pending.resolve(result('11111111-1111-4111-8111-111111111111', 0))).toBe(false);
        expect(pending.resolve(frame)).toBe(true);
        expect(pending.size).toBe(0);
      }, 5);
      expectObservable(pending.wait(ID, 'f', 100)).toBe('5ms (r|)', { r: frame });
    });
  });

  it('matches an id the engine re-emitted in another textual form', () => {
    scheduler.run(({ expectObservable }) => {
      const pending = new PendingCalls(10, scheduler);
      const frame = result(ID.toUpperCase(), 1);
      scheduler.schedule(() => pending.resolve(frame), 3);
      expectObservable(pending.wait(ID, 'f', 100)).toBe('3ms (r|)', { r: frame });
    });
  });

  it('times out with InvocationError code TIMEOUT and frees the entry', () => {
    scheduler.run(({ expectObservable }) => {
      const pending = new PendingCalls(10, scheduler);
      const error = new InvocationError({ code: 'TIMEOUT', message: 'invocation timed out after 30ms', functionId: 'f' });
      expectObservable(pending.wait(ID, 'f', 30)).toBe('30ms #', undefined, error);
      scheduler.schedule(() => expect(pending.size).toBe(0), 31);
      scheduler.schedule(() => expect(pending.resolve(result(ID, 'late'))).toBe(false), 40);
    });
  });

  it('unsubscribing before the reply frees the entry and cancels the timeout', () => {
    scheduler.run(({ expectObservable }) => {
      const pending = new PendingCalls(10, scheduler);
      expectObservable(pending.wait(ID, 'f', 30), '^ 9ms !').toBe('-');
      scheduler.schedule(() => expect(pending.size).toBe(1), 5);
      scheduler.schedule(() => {
        expect(pending.size).toBe(0);
        expect(pending.has(ID)).toBe(false);
      }, 11);
    });
  });

  it('is bounded: the call beyond the limit fails with PendingLimitError', () => {
    scheduler.run(({ expectObservable }) => {
      const pending = new PendingCalls(1, scheduler);
      const first = pending.wait(ID, 'f', 50);
      const second = pending.wait('22222222-2222-4222-8222-222222222222', 'f', 50);
      expectObservable(first, '^ 20ms !').toBe('-');
      expectObservable(second).toBe('#', undefined, expect.any(PendingLimitError));
      expect(pending.size).toBe(0);
    });
  });

  it('failAll errors every waiter and empties the table', () => {
    const pending = new PendingCalls(10);
    const errors: unknown[] = [];
    pending.wait(ID, 'f', Infinity).subscribe({ error: (e) => errors.push(e) });
    pending.wait('33333333-3333-4333-8333-333333333333', 'g', Infinity).subscribe({ error: (e) => errors.push(e) });
    const boom = new Error('closed');
    pending.failAll(boom);
    expect(errors).toEqual([boom, boom]);
    expect(pending.size).toBe(0);
  });

  it('failSent errors only the calls whose frame went out, leaving queued ones waiting', () => {
    const pending = new PendingCalls(10);
    const outcomes: string[] = [];
    const queuedId = '44444444-4444-4444-8444-444444444444';
    pending.wait(ID, 'sent::fn', Infinity).subscribe({ error: (e) => outcomes.push(`${e.message}`) });
    pending.wait(queuedId, 'queued::fn', Infinity).subscribe({ next: () => outcomes.push('queued resolved') });
    pending.markSent(ID);
    expect(pending.failSent((fid) => new Error(`lost ${fid}`))).toBe(1);
    expect(outcomes).toEqual(['lost sent::fn']);
    expect(pending.has(queuedId)).toBe(true);
    pending.resolve(result(queuedId, 1));
    expect(outcomes).toEqual(['lost sent::fn', 'queued resolved']);
  });

  it('calls with the same timeout share one timer yet each times out at its own deadline; settled ones never do', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const pending = new PendingCalls(10, scheduler);
      const ids = ['a', 'b', 'c', 'd'].map((x) => `${x}0000000-0000-4000-8000-000000000000`);
      const timeout = expect.objectContaining({ code: 'TIMEOUT' });
      // a at 0, b at 2 (resolved at 5), c at 4, d at 4 with another timeout length
      expectObservable(pending.wait(ids[0], 'f', 10)).toBe('10ms #', undefined, timeout);
      expectObservable(cold('--a').pipe(mergeMap(() => pending.wait(ids[1], 'f', 10)))).toBe('5ms r', {
        r: { type: 'invocationresult', invocation_id: ids[1] },
      });
      expectObservable(cold('----a').pipe(mergeMap(() => pending.wait(ids[2], 'f', 10)))).toBe('14ms #', undefined, timeout);
      expectObservable(cold('----a').pipe(mergeMap(() => pending.wait(ids[3], 'f', 3)))).toBe('7ms #', undefined, timeout);
      scheduler.schedule(() => pending.resolve({ type: 'invocationresult', invocation_id: ids[1] } as never), 5);
      scheduler.schedule(() => expect(pending.size).toBe(0), 15);
    });
  });
});
