import * as t from 'io-ts';
import { EMPTY, NEVER, Observable, filter, firstValueFrom, lastValueFrom, map, of, range, throwError, toArray } from 'rxjs';
import { ChannelReader } from '../../lib/channel/ChannelReader';
import { observeValues } from '../../lib/channel/observeValues';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import { Worker } from '../../lib/worker/Worker';
import { FunctionContext } from '../../lib/worker/FunctionContext';
import { TriggerBinding } from '../../lib/worker/TriggerTypeHandler';
import { PayloadCodec } from '../../lib/codec/PayloadCodec';
import { InvocationError } from '../../lib/errors/InvocationError';
import { ConnectionClosedError } from '../../lib/errors/ConnectionClosedError';
import { PayloadTooLargeError } from '../../lib/errors/PayloadTooLargeError';
import { RegistrationError } from '../../lib/errors/RegistrationError';
import { DecodeError } from '../../lib/errors/DecodeError';
import { whenOpen, syncWithEngine, errorOf } from './workerTestKit';
import type { ChannelHost } from '../../lib/channel/ChannelHost';
import type { SocketLike } from '../../lib/socket/SocketLike';
import { openNodeSocket } from '../../lib/socket/openNodeSocket';

describe('Worker against the embedded engine (loopback)', () => {
  let engine: EmbeddedEngine;
  let callee: Worker;
  let caller: Worker;

  beforeAll(async () => {
    engine = await startEngine({ port: 0 });
    callee = connectWorker(engine.url, { workerName: 'callee' });
    caller = connectWorker(engine.url, { workerName: 'caller' });
    await Promise.all([whenOpen(callee), whenOpen(caller)]);
  });

  afterAll(async () => {
    await Promise.all([callee.close(), caller.close()]);
    await engine.close();
  });

  /** Registers on the callee and waits until the engine has processed it. */
  async function serve<I, O>(id: string, handler: (input: I, ctx: FunctionContext) => O | Promise<O> | Observable<O>, options = {}) {
    const reg = callee.registerFunction(id, handler, options);
    await syncWithEngine(callee);
    return reg;
  }

  it('defaults the url to III_URL', async () => {
    const saved = process.env.III_URL;
    process.env.III_URL = engine.url;
    const worker = connectWorker();
    try {
      expect(worker.url).toBe(engine.url);
      await whenOpen(worker);
    } finally {
      if (saved === undefined) delete process.env.III_URL;
      else process.env.III_URL = saved;
      await worker.close();
    }
  });

  it('round-trips a call and hands the handler its context', async () => {
    let seen: { input: unknown; ctx: FunctionContext } | undefined;
    const reg = await serve('math::add', (input: { a: number; b: number }, ctx) => {
      seen = { input, ctx };
      return input.a + input.b;
    });
    const sum = await firstValueFrom(
      caller.trigger<number>('math::add', { a: 2, b: 3 }, { metadata: { origin: 'spec' }, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
    );
    expect(sum).toBe(5);
    expect(seen?.ctx.functionId).toBe('math::add');
    expect(seen?.ctx.invocationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(seen?.ctx.metadata).toEqual({ origin: 'spec' });
    expect(seen?.ctx.callerWorkerId).toBe(caller.workerId);
    expect(seen?.ctx.worker).toBe(callee);
    // the input is kept as sent, including the engine's _caller_worker_id
    expect(seen?.input).toEqual({ a: 2, b: 3, _caller_worker_id: caller.workerId });
    reg.unregister();
  });

  it('describes itself through engine::workers::register after connecting', async () => {
    const worker = connectWorker(engine.url, { workerName: 'meta-worker', workerDescription: 'describes itself' });
    try {
      await syncWithEngine(worker);
      const { worker: me } = (await firstValueFrom(caller.trigger('engine::workers::info', { name: 'meta-worker' }))) as {
        worker: Record<string, unknown>;
      };
      expect(me).toMatchObject({
        id: worker.workerId,
        runtime: 'node',
        name: 'meta-worker',
        description: 'describes itself',
        pid: process.pid,
        status: 'connected',
      });
      expect(engine.listWorkers().find((w) => w.id === worker.workerId)?.metadata).toMatchObject({ telemetry: { framework: 'iii-rx' } });
    } finally {
      await worker.close();
    }
  });

  it('is cold: nothing is sent until subscribed, and each subscription is one call', async () => {
    let calls = 0;
    const reg = await serve('count::up', () => ++calls);
    const call$ = caller.trigger<number>('count::up', {});
    expect(calls).toBe(0);
    expect(await firstValueFrom(call$)).toBe(1);
    expect(await firstValueFrom(call$)).toBe(2);
    reg.unregister();
  });

  it('accepts promise, single-value and empty Observable results', async () => {
    const regs = [
      await serve('r::promise', async () => 'p'),
      await serve('r::single', () => of('s')),
      await serve('r::empty', () => EMPTY),
    ];
    expect(await firstValueFrom(caller.trigger('r::promise', null))).toBe('p');
    expect(await firstValueFrom(caller.trigger('r::single', null))).toBe('s');
    expect(await firstValueFrom(caller.trigger('r::empty', null))).toBeUndefined();
    regs.forEach((r) => r.unregister());
  });

  it('a function registered as a stream always answers a reader, for 0, 1 and many values', async () => {
    const reg = await serve('r::many', (input: { n: number }) => range(1, input.n), { stream: true });
    for (const n of [0, 1, 3]) {
      const result = await firstValueFrom(caller.trigger<ChannelReader>('r::many', { n }));
      expect(result).toBeInstanceOf(ChannelReader);
      expect(await lastValueFrom(result.values$().pipe(toArray()))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
    reg.unregister();
  });

  it('fails an Observable result that emits more than once when the function is not a stream (like single)', async () => {
    const reg = await serve('r::many-off', () => of(1, 2, 3));
    const err = await errorOf(caller.trigger('r::many-off', null));
    expect(err).toBeInstanceOf(InvocationError);
    expect((err as InvocationError).code).toBe('invocation_failed');
    expect((err as Error).message).toMatch(/more than one value.*stream: true/);
    reg.unregister();
  });

  it('creates a channel whose ends travel in payloads and arrive live (default payload codec)', async () => {
    const reg = await serve('ch::sum', async (input: { numbers: ChannelReader }) => {
      expect(input.numbers).toBeInstanceOf(ChannelReader);
      const values = await lastValueFrom(input.numbers.pipe(observeValues({ requireEnd: false })).pipe(toArray()));
      return (values as number[]).reduce((a, b) => a + b, 0);
    });
    const channel = await firstValueFrom(caller.createChannel({ bufferSize: 4 }));
    const sum = firstValueFrom(caller.trigger<number>('ch::sum', { numbers: channel.reader }));
    await lastValueFrom(channel.writer.write(of(1, 2, 3, 4, 5).pipe(map((n) => `${n}\n`))));
    expect(await sum).toBe(15);
    reg.unregister();
  });

  it('closes the channel sockets it opened when the worker closes', async () => {
    const worker = connectWorker(engine.url);
    await whenOpen(worker);
    const channel = await firstValueFrom(worker.createChannel());
    const items: unknown[] = [];
    const ended = new Promise<string>((resolve) =>
      channel.reader.subscribe({
        next: (item) => items.push(item),
        error: (err: Error) => resolve(`error ${err.name}`),
        complete: () => resolve('complete'),
      }),
    );
    // the writer is held open by a push source that never completes
    channel.writer.next('first');
    await until(() => items.length === 1 && engine.stats().channelSockets >= 2);
    await worker.close();
    expect(await ended).toMatch(/complete|error/);
    await until(() => engine.stats().channelSockets === 0);
    expect(items).toEqual(['first']);
  });

  it('answers a throw or an error notification with invocation_failed, message and stack', async () => {
    const regs = [
      await serve('e::throw', () => {
        throw new Error('unsupported format');
      }),
      await serve('e::rx', () => throwError(() => new Error('stream broke'))),
      await serve('e::string', () => Promise.reject('plain string')),
    ];
    const thrown = (await errorOf(caller.trigger('e::throw', {}))) as InvocationError;
    expect(thrown.code).toBe('invocation_failed');
    expect(thrown.message).toBe('invocation_failed: unsupported format');
    expect(thrown.stacktrace).toMatch(/Error: unsupported format\n\s+at /);
    expect(thrown.functionId).toBe('e::throw');
    const rx = (await errorOf(caller.trigger('e::rx', {}))) as InvocationError;
    expect(rx.message).toBe('invocation_failed: stream broke');
    const str = (await errorOf(caller.trigger('e::string', {}))) as InvocationError;
    expect(str.message).toBe('invocation_failed: plain string');
    expect(str.stacktrace).toBeUndefined();
    regs.forEach((r) => r.unregister());
  });

  it('keeps the engine code for an unknown function', async () => {
    const err = (await errorOf(caller.trigger('no::such', {}))) as InvocationError;
    expect(err).toBeInstanceOf(InvocationError);
    expect(err.code).toBe('function_not_found');
  });

  it('validates input with an io-ts codec before the handler runs, naming the bad path', async () => {
    let ran = false;
    const Input = t.type({ items: t.array(t.type({ qty: t.number })) });
    const reg = await serve(
      'v::order',
      (input: t.TypeOf<typeof Input>) => {
        ran = true;
        return input.items.length;
      },
      { input: Input },
    );
    const err = (await errorOf(caller.trigger('v::order', { items: [{ qty: 1 }, { qty: 'two' }] }))) as InvocationError;
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/items\[1\]\.qty/);
    expect(ran).toBe(false);
    expect(await firstValueFrom(caller.trigger('v::order', { items: [{ qty: 1 }] }))).toBe(1);
    reg.unregister();
  });

  it('checks the result against an output codec', async () => {
    const reg = await serve('v::out', (n: number) => (n > 0 ? { ok: true } : { ok: 'nope' }), {
      output: t.type({ ok: t.boolean }),
    });
    expect(await firstValueFrom(caller.trigger('v::out', 1))).toEqual({ ok: true });
    const err = (await errorOf(caller.trigger('v::out', -1))) as InvocationError;
    expect(err.code).toBe('invocation_failed');
    expect(err.message).toMatch(/invalid result of v::out at ok/);
    reg.unregister();
  });

  it('void calls complete without a value once sent, and the handler runs', async () => {
    let resolveRan!: (v: unknown) => void;
    const ran = new Promise((resolve) => (resolveRan = resolve));
    const reg = await serve('v::void', (input: unknown) => resolveRan(input));
    const values = await lastValueFrom(caller.trigger('v::void', { x: 1 }, { action: 'void' }).pipe(toArray()));
    expect(values).toEqual([]);
    expect(await ran).toEqual({ x: 1, _caller_worker_id: caller.workerId });
    reg.unregister();
  });

  it('sends enqueue calls with their queue and keeps the engine error code', async () => {
    const err = (await errorOf(caller.trigger('any::fn', { job: 1 }, { action: { enqueue: 'jobs' } }))) as InvocationError;
    // the embedded engine has no queue provider, so it answers as an upstream engine without one
    expect(err).toBeInstanceOf(InvocationError);
    expect(err.code).toBe('enqueue_error');
  });

  it('times out with code TIMEOUT and frees the pending entry', async () => {
    const reg = await serve('slow::never', () => NEVER);
    const err = (await errorOf(caller.trigger('slow::never', {}, { timeoutMs: 50 }))) as InvocationError;
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe('TIMEOUT: invocation timed out after 50ms');
    expect(caller.pendingCalls).toBe(0);
    reg.unregister();
  });

  it('unsubscribing before the reply frees the pending entry', async () => {
    const reg = await serve('slow::never2', () => NEVER);
    const sub = caller.trigger('slow::never2', {}).subscribe();
    expect(caller.pendingCalls).toBe(1);
    sub.unsubscribe();
    expect(caller.pendingCalls).toBe(0);
    reg.unregister();
  });

  it('refuses an empty or duplicate function id locally', () => {
    expect(() => callee.registerFunction('', () => 1)).toThrow(RegistrationError);
    const reg = callee.registerFunction('dup::id', () => 1);
    try {
      expect(() => callee.registerFunction('dup::id', () => 2)).toThrow(/already registered/);
    } finally {
      reg.unregister();
    }
    // after unregister the id is free again
    callee.registerFunction('dup::id', () => 3).unregister();
  });

  it('refuses a payload over 16 MiB with PayloadTooLargeError and keeps the connection usable', async () => {
    const reg = await serve('echo::len', (s: string) => s.length);
    const big = 'x'.repeat(16 * 1024 * 1024 + 1);
    const err = await errorOf(caller.trigger('echo::len', big));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as PayloadTooLargeError).code).toBe('PAYLOAD_TOO_LARGE');
    expect((err as Error).message).toMatch(/channel/);
    expect(caller.pendingCalls).toBe(0);
    expect(caller.state).toBe('open');
    expect(await firstValueFrom(caller.trigger('echo::len', 'abc'))).toBe(3);
    reg.unregister();
  });

  it('answers PAYLOAD_TOO_LARGE when its own result would be over 16 MiB', async () => {
    const reg = await serve('big::result', () => 'y'.repeat(16 * 1024 * 1024 + 1));
    const err = (await errorOf(caller.trigger('big::result', {}))) as InvocationError;
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toMatch(/16777216-byte limit/);
    expect(callee.state).toBe('open');
    reg.unregister();
  });

  it('passes payloads and results through the payload codec hook', async () => {
    const seen: string[] = [];
    const codec: PayloadCodec = {
      decode: (value) => {
        seen.push(`decode ${JSON.stringify(value)}`);
        if (value && typeof value === 'object' && 'bad' in value) throw new DecodeError('not allowed here', 'bad');
        return value && typeof value === 'object' && 'wrapped' in value ? (value as { wrapped: unknown }).wrapped : value;
      },
      encode: async (value) => {
        seen.push(`encode ${JSON.stringify(value)}`);
        return { wrapped: value };
      },
    };
    const a = connectWorker(engine.url, { payloadCodec: () => codec });
    const b = connectWorker(engine.url, { payloadCodec: codec });
    try {
      a.registerFunction('codec::double', (n: number) => n * 2);
      await syncWithEngine(a);
      await whenOpen(b);
      expect(await firstValueFrom(b.trigger('codec::double', 21))).toBe(42);
      expect(seen).toContain('encode 21');
      expect(seen).toContain('encode 42');
      const err = (await errorOf(caller.trigger('codec::double', { bad: 1 }))) as InvocationError;
      expect(err.code).toBe('invalid_input');
      expect(err.message).toMatch(/at bad: not allowed here/);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('provides trigger types and binds triggers; failures surface on triggerErrors$', async () => {
    const registered: TriggerBinding[] = [];
    const removed: TriggerBinding[] = [];
    const provider = connectWorker(engine.url);
    try {
      provider.registerTriggerType('ticker', 'fires on demand', {
        registerTrigger: (binding) => {
          if ((binding.config as { refuse?: boolean })?.refuse) throw new Error('refused by provider');
          registered.push(binding);
        },
        unregisterTrigger: (binding) => void removed.push(binding),
      });
      await syncWithEngine(provider);
      const reg = caller.registerTrigger({ type: 'ticker', functionId: 'tick::handle', config: { every: 5 }, metadata: { m: 1 } });
      const failure = firstValueFrom(caller.triggerErrors$);
      caller.registerTrigger({ type: 'ticker', functionId: 'tick::handle', config: { refuse: true } });
      const failed = await failure;
      expect(failed.code).toBe('trigger_registration_failed');
      expect(failed.message).toBe('refused by provider');
      expect(failed.triggerType).toBe('ticker');
      expect(registered).toEqual([
        { id: reg.id, triggerType: 'ticker', functionId: 'tick::handle', config: { every: 5 }, metadata: { m: 1 } },
      ]);
      reg.unregister();
      await syncWithEngine(caller);
      await syncWithEngine(provider);
      expect(removed.map((b) => b.id)).toEqual([reg.id]);
    } finally {
      await provider.close();
    }
  });

  it('close() fails pending calls with ConnectionClosedError and is idempotent', async () => {
    const reg = await serve('slow::never3', () => NEVER);
    const worker = connectWorker(engine.url);
    await whenOpen(worker);
    const pending = errorOf(worker.trigger('slow::never3', {}));
    await syncWithEngine(worker);
    const closing = worker.close();
    expect(worker.close()).toBe(closing);
    await closing;
    const err = await pending;
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect((err as ConnectionClosedError).code).toBe('CONNECTION_CLOSED');
    expect(await errorOf(worker.trigger('x', {}))).toBeInstanceOf(ConnectionClosedError);
    reg.unregister();
  });

  it('answers worker_overloaded beyond maxConcurrentInvocations instead of piling up handlers', async () => {
    const worker = connectWorker(engine.url, { maxConcurrentInvocations: 1 });
    try {
      worker.registerFunction('busy::one', () => NEVER);
      await syncWithEngine(worker);
      const first = caller.trigger('busy::one', {}, { timeoutMs: 60_000 }).subscribe({ error: () => undefined });
      const err = (await errorOf(caller.trigger('busy::one', {}))) as InvocationError;
      expect(err.code).toBe('worker_overloaded');
      first.unsubscribe();
    } finally {
      await worker.close();
    }
  });

  it('after its socket drops it reattaches, replays its registrations and serves again', async () => {
    const sockets: SocketLike[] = [];
    const worker = connectWorker(engine.url, {
      reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
      socketFactory: (url, options) => {
        const socket = openNodeSocket(url, options);
        sockets.push(socket);
        return socket;
      },
    });
    try {
      worker.registerFunction('drop::echo', (x: unknown) => x);
      await syncWithEngine(worker);
      const firstId = worker.workerId;
      const states: string[] = [];
      const sub = worker.state$.subscribe((s) => states.push(s));
      const down = firstValueFrom(worker.state$.pipe(filter((s) => s === 'reconnecting')));
      sockets[0].terminate(); // the network drops; the engine stays up
      await down;
      await syncWithEngine(worker);
      sub.unsubscribe();
      expect(states).toEqual(['open', 'reconnecting', 'open']);
      expect(sockets).toHaveLength(2);
      expect(worker.workerId).toBeDefined();
      expect(worker.workerId).not.toBe(firstId);
      expect(await firstValueFrom(caller.trigger('drop::echo', 'again'))).toBe('again');
    } finally {
      await worker.close();
    }
  });

  it('satisfies the ChannelHost interface channels are opened through', () => {
    const host: ChannelHost = caller;
    expect(host.url).toBe(engine.url);
  });

  it('close() works while still connecting', async () => {
    const worker = connectWorker(engine.url);
    await worker.close();
    expect(worker.state).toBe('closed');
  });
});

describe('Worker without an engine', () => {
  it('gives up after maxRetries: state closed and queued calls fail with ConnectionClosedError', async () => {
    const engine = await startEngine({ port: 0 });
    const url = engine.url;
    await engine.close(); // nothing listens there any more
    const worker = connectWorker(url, { reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxRetries: 2 } });
    const err = await errorOf(worker.trigger('any::fn', {}));
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect(worker.state).toBe('closed');
    await worker.close();
  });
});

/** Polls a condition on the event loop (no fixed sleeps); the jest timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
