import { EMPTY, Observable, Subject, lastValueFrom, of, throwError, toArray } from 'rxjs';
import { collectResult } from '../../lib/worker/collectResult';
import { ChannelOverflowError } from '../../lib/errors/ChannelOverflowError';

describe('collectResult', () => {
  it('passes plain values and awaits promises', async () => {
    await expect(collectResult(5)).resolves.toEqual({ kind: 'value', value: 5 });
    await expect(collectResult(Promise.resolve('x'))).resolves.toEqual({ kind: 'value', value: 'x' });
    await expect(collectResult(Promise.reject(new Error('no')))).rejects.toThrow('no');
  });

  it('one emission ⇒ that value; empty ⇒ undefined; error ⇒ rejection', async () => {
    await expect(collectResult(of(7))).resolves.toEqual({ kind: 'value', value: 7 });
    await expect(collectResult(EMPTY)).resolves.toEqual({ kind: 'value', value: undefined });
    await expect(collectResult(throwError(() => new Error('bad')))).rejects.toThrow('bad');
  });

  it('more than one emission ⇒ a stream that replays from the first value and continues', async () => {
    const source = new Subject<number>();
    const outcome = collectResult(source);
    source.next(1);
    source.next(2);
    const o = await outcome;
    expect(o.kind).toBe('stream');
    if (o.kind !== 'stream') return;
    source.next(3); // before anyone subscribed: buffered
    const all = lastValueFrom(o.values$.pipe(toArray()));
    source.next(4);
    source.complete();
    await expect(all).resolves.toEqual([1, 2, 3, 4]);
  });

  it('keeps at most maxBuffered values for a stream nobody reads yet', async () => {
    let unsubscribed = false;
    const source = new Observable<number>((s) => {
      for (let i = 0; i < 10 && !s.closed; i++) s.next(i);
      return () => (unsubscribed = true);
    });
    const o = await collectResult(source, 3);
    expect(unsubscribed).toBe(true);
    if (o.kind !== 'stream') throw new Error('expected a stream');
    const values: unknown[] = [];
    const failure = await new Promise((resolve) =>
      o.values$.subscribe({ next: (v) => values.push(v), error: resolve, complete: () => resolve('completed') }),
    );
    expect(values).toEqual([0, 1, 2]);
    expect(failure).toBeInstanceOf(ChannelOverflowError);
  });

  it('cancel() stops the source', async () => {
    let unsubscribed = false;
    const source = new Observable<number>((s) => {
      s.next(1);
      s.next(2);
      return () => (unsubscribed = true);
    });
    const o = await collectResult(source);
    if (o.kind !== 'stream') throw new Error('expected a stream');
    o.cancel();
    expect(unsubscribed).toBe(true);
  });
});
