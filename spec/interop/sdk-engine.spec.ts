import { createHash, randomBytes } from 'node:crypto';
import { registerWorker } from 'iii-sdk';
import { createChannel } from 'iii-sdk/helpers';
import { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../lib/engine/startEngine';

type Sdk = ReturnType<typeof registerWorker>;

const waitFor = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 10));
};

/** Official iii-sdk@0.22.1 workers talking to each other through the embedded engine. */
describe('iii-sdk 0.22.1 through the embedded engine', () => {
  let engine: EmbeddedEngine;
  let callee: Sdk;
  let caller: Sdk;
  const extra: Sdk[] = [];
  const quiet: jest.SpyInstance[] = [];

  const sdk = (name: string): Sdk => {
    const w = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false, workerName: name });
    return w;
  };
  const registered = (id: string) => waitFor(() => engine.functionIds().includes(id));
  const ownerOf = (id: string) => engine.listWorkers().find((w) => w.functions.includes(id));

  beforeAll(async () => {
    // the SDK narrates every connect and reconnect on console.debug
    quiet.push(jest.spyOn(console, 'debug').mockImplementation(() => undefined));
    engine = await startEngine({ port: 0 });
    callee = sdk('callee');
    caller = sdk('caller');
    callee.registerFunction('math::add', async (data: { a: number; b: number }) => data.a + data.b);
    callee.registerFunction('spec::whoami', async (data: Record<string, unknown>, metadata?: unknown) => ({ data, metadata }));
    callee.registerFunction('spec::throws', async () => {
      throw new Error('handler exploded');
    });
    callee.registerFunction('spec::double', async (n: number) => n * 2);
    await registered('spec::double');
  });

  afterAll(async () => {
    await Promise.all([callee, caller, ...extra].map((w) => w.shutdown()));
    await engine.close();
    quiet.forEach((s) => s.mockRestore());
  });

  it('calls a function on another worker and gets its result', async () => {
    await expect(caller.trigger({ function_id: 'math::add', payload: { a: 2, b: 40 } })).resolves.toBe(42);
  });

  it('passes _caller_worker_id and per-call metadata to the handler', async () => {
    const out = (await caller.trigger({ function_id: 'spec::whoami', payload: { x: 1 }, metadata: { trace: 't' } } as never)) as {
      data: Record<string, unknown>;
      metadata: unknown;
    };
    await waitFor(() => engine.listWorkers().some((w) => w.name === 'caller'));
    const callerId = engine.listWorkers().find((w) => w.name === 'caller')?.id;
    expect(out.data.x).toBe(1);
    expect(out.data._caller_worker_id).toBe(callerId);
    expect(out.metadata).toEqual({ trace: 't' });
  });

  it('records the SDK metadata of engine::workers::register', async () => {
    await waitFor(() => engine.listWorkers().some((w) => w.name === 'caller'));
    const me = engine.listWorkers().find((w) => w.name === 'caller');
    expect(me).toMatchObject({ runtime: 'node', version: '0.22.1', pid: process.pid });
  });

  it('rejects with function_not_found for an unknown id', async () => {
    await expect(caller.trigger({ function_id: 'spec::nope', payload: {} })).rejects.toMatchObject({
      code: 'function_not_found',
      message: 'function_not_found: Function spec::nope not found',
    });
  });

  it('rejects with invocation_failed and the stack when the handler throws', async () => {
    const err = await caller.trigger({ function_id: 'spec::throws', payload: {} }).catch((e) => e);
    expect(err.code).toBe('invocation_failed');
    expect(err.message).toBe('invocation_failed: handler exploded');
    expect(err.stacktrace).toMatch(/^Error: handler exploded\n\s+at /);
  });

  it('delivers a void call without any reply', async () => {
    let seen: unknown;
    const w = sdk('void-target');
    extra.push(w);
    w.registerFunction('spec::void', async (data: unknown) => {
      seen = data;
      return 'ignored';
    });
    await registered('spec::void');
    const pending = engine.stats().pendingInvocations;
    await expect(caller.trigger({ function_id: 'spec::void', payload: { v: 1 }, action: { type: 'void' } })).resolves.toBeUndefined();
    await waitFor(() => seen !== undefined);
    expect(seen).toMatchObject({ v: 1 });
    expect(engine.stats().pendingInvocations).toBe(pending);
    // a void call to a missing function is silent too
    await expect(caller.trigger({ function_id: 'spec::missing', payload: {}, action: { type: 'void' } })).resolves.toBeUndefined();
  });

  it('rejects an enqueue call with enqueue_error (the embedded engine has no queue module)', async () => {
    await expect(
      caller.trigger({ function_id: 'math::add', payload: { a: 1, b: 1 }, action: { type: 'enqueue', queue: 'jobs' } }),
    ).rejects.toMatchObject({ code: 'enqueue_error' });
  });

  it('runs 200 concurrent calls', async () => {
    const inputs = Array.from({ length: 200 }, (_, i) => i);
    const out = await Promise.all(inputs.map((i) => caller.trigger({ function_id: 'spec::double', payload: i })));
    expect(out).toEqual(inputs.map((i) => i * 2));
    expect(engine.stats().pendingInvocations).toBe(0);
  });

  it('sends invocation_stopped when the serving worker goes away mid-call', async () => {
    const leaving = sdk('leaving');
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    leaving.registerFunction('spec::hang', () => {
      entered();
      return new Promise((resolve) => (release = () => resolve(null)));
    });
    await registered('spec::hang');
    const call = caller.trigger({ function_id: 'spec::hang', payload: {} }).catch((e) => e);
    await inHandler;
    await leaving.shutdown();
    const err = await call;
    release();
    expect(err).toMatchObject({ code: 'invocation_stopped', message: 'invocation_stopped: Invocation stopped' });
    await waitFor(() => !engine.functionIds().includes('spec::hang'));
  });

  it('streams ~32 MiB through a channel intact (sha256)', async () => {
    callee.registerFunction('spec::sha256', async (input: { src: { readAll(): Promise<Buffer> } }) => {
      const all = await input.src.readAll();
      return { bytes: all.length, sha256: createHash('sha256').update(all).digest('hex') };
    });
    await registered('spec::sha256');
    const channel = await createChannel(caller, 16);
    const data = randomBytes(32 * 1024 * 1024 + 123);
    const result = caller.trigger({ function_id: 'spec::sha256', payload: { src: channel.readerRef }, timeoutMs: 60_000 });
    const writer = channel.writer.stream;
    for (let off = 0; off < data.length; off += 1024 * 1024) {
      if (!writer.write(data.subarray(off, Math.min(off + 1024 * 1024, data.length)))) {
        await new Promise((resolve) => writer.once('drain', resolve));
      }
    }
    writer.end();
    await expect(result).resolves.toEqual({ bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    await waitFor(() => engine.stats().channelQueuedMessages === 0);
  });

  it('carries text and binary both ways with refs nested in the payload', async () => {
    callee.registerFunction(
      'spec::duplex',
      async (input: { nested: { deep: { src: any } }; sinks: Array<{ out: any }> }) => {
        const src = input.nested.deep.src;
        const out = input.sinks[0].out;
        const texts: string[] = [];
        src.onMessage((m: string) => texts.push(m));
        const bytes: Buffer = await src.readAll();
        out.sendMessage(JSON.stringify({ echo: texts }));
        await new Promise<void>((resolve, reject) =>
          out.stream.write(Buffer.from(bytes).reverse(), (err?: Error | null) => (err ? reject(err) : resolve())),
        );
        out.sendMessage('done');
        out.stream.end();
        return { texts: texts.length, bytes: bytes.length };
      },
    );
    await registered('spec::duplex');
    const toCallee = await createChannel(caller);
    const fromCallee = await createChannel(caller);
    const call = caller.trigger({
      function_id: 'spec::duplex',
      payload: { nested: { deep: { src: toCallee.readerRef } }, sinks: [{ out: fromCallee.writerRef }] },
    });
    const back: string[] = [];
    fromCallee.reader.onMessage((m) => back.push(m));
    const backBytes = fromCallee.reader.readAll();

    const payload = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    toCallee.writer.sendMessage('one');
    await new Promise<void>((resolve, reject) => toCallee.writer.stream.write(payload, (err) => (err ? reject(err) : resolve())));
    toCallee.writer.sendMessage('two');
    toCallee.writer.stream.end();

    await expect(call).resolves.toEqual({ texts: 2, bytes: payload.length });
    expect((await backBytes).equals(Buffer.from(payload).reverse())).toBe(true);
    expect(back).toEqual([JSON.stringify({ echo: ['one', 'two'] }), 'done']);
  });

  it('recovers after the engine drops a worker socket: the SDK reconnects, reattaches and its functions answer', async () => {
    const before = ownerOf('math::add');
    expect(before).toBeDefined();
    expect(engine.terminateWorker(before!.id)).toBe(true);
    await waitFor(() => {
      const now = ownerOf('math::add');
      return now !== undefined && now.id !== before!.id;
    });
    expect(engine.listWorkers().map((w) => w.id)).not.toContain(before!.id);
    await expect(caller.trigger({ function_id: 'math::add', payload: { a: 1, b: 1 } })).resolves.toBe(2);
  });
});
