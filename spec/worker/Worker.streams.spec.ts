import { concat, firstValueFrom, interval, lastValueFrom, NEVER, Observable, of, range, take, throwError, toArray } from 'rxjs';
import { pulled } from '../../lib/demand/pulled';
import { ChannelReader } from '../../lib/channel/ChannelReader';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { IiiRxError } from '../../lib/errors/IiiRxError';
import { InvocationError } from '../../lib/errors/InvocationError';
import { StreamError } from '../../lib/errors/StreamError';
import { StreamTruncatedError } from '../../lib/errors/StreamTruncatedError';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { errorOf, syncWithEngine, whenOpen } from './workerTestKit';

/** An Observable that counts its live subscriptions and the values it produced. */
function tracked<T>(source: Observable<T>) {
  const stats = { active: 0, subscribed: 0, emitted: 0 };
  const values$ = new Observable<T>((subscriber) => {
    stats.active++;
    stats.subscribed++;
    const sub = source.subscribe({
      next: (value) => {
        stats.emitted++;
        subscriber.next(value);
      },
      error: (err) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
    return () => {
      stats.active--;
      sub.unsubscribe();
    };
  });
  return { values$, stats };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('Worker streams and teardown against the embedded engine (real sockets)', () => {
  let engine: EmbeddedEngine;
  let callee: Worker;
  let caller: Worker;
  const calleeLog: string[] = [];
  const callerLog: string[] = [];

  /** No channel socket open and no live channel (only tombstones) in the engine. */
  const engineChannelsFreed = () => {
    const stats = engine.stats();
    return stats.channelSockets === 0 && stats.channels === stats.channelTombstones;
  };

  beforeAll(async () => {
    engine = await startEngine({ port: 0 });
    callee = connectWorker(engine.url, { workerName: 'callee', logger: { error: (m) => calleeLog.push(m) } });
    caller = connectWorker(engine.url, { workerName: 'caller', logger: { error: (m) => callerLog.push(m) } });
    await Promise.all([whenOpen(callee), whenOpen(caller)]);
    callee.registerFunction('t::hold', () => NEVER);
    callee.registerFunction('t::reject', () => {
      throw new Error('refused before reading');
    });
    callee.registerFunction('t::sum', async (input: { values: ChannelReader }) => {
      const values = await lastValueFrom(input.values.values$().pipe(toArray()));
      return (values as number[]).reduce((a, b) => a + b, 0);
    });
    callee.registerFunction('t::answer', () => of(42));
    callee.registerFunction('t::range', (input: { n: number }) => range(1, input.n), { stream: true });
    callee.registerFunction(
      't::fails-midway',
      () => concat(of(1, 2), throwError(() => new IiiRxError('QUOTA', 'over quota'))),
      { stream: true },
    );
    callee.registerFunction('t::not-allowed', () => {
      throw new IiiRxError('NOT_ALLOWED', 'you may not');
    });
    callee.registerFunction('t::ticks', () => interval(2), { stream: true });
    await syncWithEngine(callee);
  });

  afterAll(async () => {
    await Promise.all([callee.close(), caller.close()]);
    await engine.close();
  });

  afterEach(async () => {
    await until(engineChannelsFreed);
  });

  it('unsubscribing from a call stops its payload Observable and frees the channel in the engine', async () => {
    const { values$, stats } = tracked(interval(1));
    const sub = caller.trigger('t::hold', { values: values$ }).subscribe({ error: () => undefined });
    await until(() => stats.emitted > 5 && engine.stats().channelSockets > 0);
    sub.unsubscribe();
    expect(stats.active).toBe(0);
    const emitted = stats.emitted;
    await until(engineChannelsFreed);
    expect(stats.emitted).toBe(emitted);
    expect(caller.pendingCalls).toBe(0);
  });

  it('a call that times out stops its payload Observable and frees the channel', async () => {
    const { values$, stats } = tracked(interval(1));
    const err = await errorOf(caller.trigger('t::hold', { values: values$ }, { timeoutMs: 300 }));
    expect((err as InvocationError).code).toBe('TIMEOUT');
    expect(stats.subscribed).toBe(1);
    expect(stats.active).toBe(0);
    await until(engineChannelsFreed);
  });

  it('a call that fails stops its payload Observable and frees the channel', async () => {
    const { values$, stats } = tracked(interval(1));
    const err = await errorOf(caller.trigger('t::reject', { values: values$ }));
    expect((err as InvocationError).code).toBe('invocation_failed');
    expect(stats.active).toBe(0);
    await until(engineChannelsFreed);
  });

  it('a call that succeeds lets its payload stream finish', async () => {
    const { values$, stats } = tracked(range(1, 1000));
    expect(await firstValueFrom(caller.trigger<number>('t::sum', { values: values$ }))).toBe(500500);
    expect(stats.emitted).toBe(1000);
    await until(() => stats.active === 0);
  });

  it('a payload Observable that fails reaches the callee as StreamError with its code; the caller logs it', async () => {
    callee.registerFunction('t::sum-strict', async (input: { values: ChannelReader }) => {
      try {
        await lastValueFrom(input.values.values$());
        return 'complete';
      } catch (err) {
        return { name: (err as Error).name, code: (err as IiiRxError).code, message: (err as Error).message };
      }
    });
    await syncWithEngine(callee);
    const values$ = concat(of(1), throwError(() => new IiiRxError('BAD_ROW', 'row 2 is bad')));
    expect(await firstValueFrom(caller.trigger('t::sum-strict', { values: values$ }))).toEqual({
      name: 'StreamError',
      code: 'BAD_ROW',
      message: 'row 2 is bad',
    });
    expect(callerLog.some((m) => m.includes('row 2 is bad'))).toBe(true);
  });

  it('an Observable result is its single value; an official-shape caller gets 42', async () => {
    expect(await firstValueFrom(caller.trigger('t::answer', {}))).toBe(42);
  });

  it('a stream function answers a reader for 0, 1 and 1000 values; worker.stream gives the values', async () => {
    for (const n of [0, 1, 1000]) {
      const reader = await firstValueFrom(caller.trigger('t::range', { n }));
      expect(reader).toBeInstanceOf(ChannelReader);
      expect(await lastValueFrom((reader as ChannelReader).values$().pipe(toArray()))).toHaveLength(n);
      expect(await lastValueFrom(caller.stream<number>('t::range', { n }).pipe(toArray()))).toEqual(
        Array.from({ length: n }, (_, i) => i + 1),
      );
    }
  });

  it('a stream that fails on the producer reaches the consumer as StreamError with its code and message; the producer logs it', async () => {
    const seen: number[] = [];
    const err = await new Promise<unknown>((resolve) =>
      caller.stream<number>('t::fails-midway', {}).subscribe({ next: (v) => seen.push(v), error: resolve }),
    );
    expect(seen).toEqual([1, 2]);
    expect(err).toBeInstanceOf(StreamError);
    expect(err).toMatchObject({ code: 'QUOTA', message: 'over quota' });
    expect(calleeLog.some((m) => m.includes('t::fails-midway') && m.includes('over quota'))).toBe(true);
  });

  it('unsubscribing from worker.stream stops the producer Observable and frees the channel', async () => {
    const { values$, stats } = tracked(interval(1));
    callee.registerFunction('t::tracked', () => values$, { stream: true });
    await syncWithEngine(callee);
    const seen: unknown[] = [];
    const sub = caller.stream('t::tracked', {}).subscribe((v) => seen.push(v));
    await until(() => seen.length >= 3);
    sub.unsubscribe();
    await until(() => stats.active === 0);
    await until(engineChannelsFreed);
  });

  it('unsubscribing from worker.stream before the result arrives still releases its channel and stops the producer', async () => {
    const { values$, stats } = tracked(interval(1));
    let started!: () => void;
    const handlerRan = new Promise<void>((resolve) => (started = resolve));
    callee.registerFunction(
      't::slow-start',
      async () => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 50));
        return values$;
      },
      { stream: true },
    );
    await syncWithEngine(callee);
    const sub = caller.stream('t::slow-start', {}).subscribe();
    await handlerRan;
    sub.unsubscribe();
    await until(() => stats.subscribed === 1 && stats.active === 0);
    await until(engineChannelsFreed);
  });

  it('a pausable (pulled) stream producer is read on demand: an endless generator pauses while nobody reads', async () => {
    let produced = 0;
    let finished = false;
    function* naturals() {
      try {
        for (;;) yield produced++;
      } finally {
        finished = true;
      }
    }
    callee.registerFunction('t::naturals', () => pulled(naturals()), { stream: true });
    await syncWithEngine(callee);
    const reader = await firstValueFrom(caller.trigger<ChannelReader>('t::naturals', {}));
    // nobody reads yet: the engine buffer and the sockets fill, the writer's demand turns off and the
    // generator pauses (an endless synchronous generator without demand would never yield the event loop)
    await until(() => produced > 0);
    for (let last = -1; produced !== last; ) {
      last = produced;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(finished).toBe(false);
    expect(await lastValueFrom(reader.values$().pipe(take(5), toArray()))).toEqual([0, 1, 2, 3, 4]);
    await until(() => finished);
    await until(engineChannelsFreed);
  });

  it('a producer that dies mid-stream is reported as StreamTruncatedError, not as completion', async () => {
    const producer = connectWorker(engine.url, { workerName: 'producer' });
    try {
      producer.registerFunction('t::dies', () => interval(1), { stream: true });
      await syncWithEngine(producer);
      const seen: unknown[] = [];
      const ended = new Promise<unknown>((resolve) =>
        caller.stream('t::dies', {}).subscribe({ next: (v) => seen.push(v), error: resolve, complete: () => resolve('complete') }),
      );
      await until(() => seen.length >= 3);
      await producer.close();
      expect(await ended).toBeInstanceOf(StreamTruncatedError);
    } finally {
      await producer.close();
    }
  });

  it('closing the worker unsubscribes running handler Observables (single and stream)', async () => {
    const server = connectWorker(engine.url, { workerName: 'server' });
    const single = tracked(NEVER);
    const streamed = tracked(interval(1));
    server.registerFunction('t::single-held', () => single.values$);
    server.registerFunction('t::stream-held', () => streamed.values$, { stream: true });
    await syncWithEngine(server);
    const a = caller.trigger('t::single-held', {}).subscribe({ error: () => undefined });
    const reader = await firstValueFrom(caller.trigger<ChannelReader>('t::stream-held', {}));
    const b = reader.values$().subscribe({ error: () => undefined });
    await until(() => single.stats.active === 1 && streamed.stats.emitted > 3);
    await server.close();
    expect(single.stats.active).toBe(0);
    await until(() => streamed.stats.active === 0);
    a.unsubscribe();
    b.unsubscribe();
  });

  it('a handler error carries its IiiRxError code; InvocationError from a nested call keeps its code', async () => {
    const err = (await errorOf(caller.trigger('t::not-allowed', {}))) as InvocationError;
    expect(err.code).toBe('NOT_ALLOWED');
    expect(err.message).toBe('NOT_ALLOWED: you may not');
    callee.registerFunction('t::relay', (_input: unknown, ctx) => ctx.worker.trigger('t::not-allowed', {}));
    await syncWithEngine(callee);
    const relayed = (await errorOf(caller.trigger('t::relay', {}))) as InvocationError;
    expect(relayed.code).toBe('NOT_ALLOWED');
    expect(relayed.message).toBe('NOT_ALLOWED: you may not');
  });

  it('a void call emits once, so firstValueFrom resolves', async () => {
    const sent: void = await firstValueFrom(caller.trigger('t::answer', {}, { action: 'void' }));
    expect(sent).toBeUndefined();
  });
});
