import { randomUUID } from 'node:crypto';
import { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import type { EngineOptions } from '../../lib/engine/EngineOptions';
import { startEngine } from '../../lib/engine/startEngine';
import { REAL_ENGINE_PARITY } from '../../lib/engine/warnParity';
import { RawClient, openWorker } from './support/RawClient';

type Log = { level: string; message: string; details?: Record<string, unknown> };

/**
 * The embedded engine's opt-in extensions (README "Running against a real iii engine"): each is off by default,
 * where the conformance suite (spec/engine/conformance/) shows the real engine's behaviour instead.
 */
describe('EmbeddedEngine opt-in extensions', () => {
  let engine: EmbeddedEngine | undefined;
  const opened: RawClient[] = [];
  const logs: Log[] = [];

  const start = async (options: EngineOptions) => {
    const at = (level: string) => (message: string, details?: Record<string, unknown>) => logs.push({ level, message, details });
    engine = await startEngine({ port: 0, ...options, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } });
    return engine;
  };
  const worker = async () => {
    const w = await openWorker((engine as EmbeddedEngine).url);
    opened.push(w.client);
    return w;
  };
  const channel = async (control: RawClient) => {
    const id = randomUUID();
    await control.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: {} });
    const { reader, writer } = (await control.next((f) => f.invocation_id === id)).result;
    const url = (ref: { channel_id: string; access_key: string }, dir: string) =>
      `${(engine as EmbeddedEngine).url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${dir}`;
    const r = await RawClient.open(url(reader, 'read'));
    const w = await RawClient.open(url(writer, 'write'));
    opened.push(r, w);
    return { r, w };
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close(true)));
    await engine?.close();
    engine = undefined;
    logs.length = 0;
  });

  it('lenient: accepts the frames the real engine drops, still warning (an invokefunction without data reaches the callee with null)', async () => {
    await start({ lenient: true });
    const callee = await worker();
    await callee.client.send({ type: 'registerfunction', id: 'ext::f' });
    await callee.client.sync();
    const caller = await worker();
    await caller.client.send({ type: 'invokefunction', invocation_id: randomUUID(), function_id: 'ext::f' });
    const invoke = await callee.client.next((f) => f.type === 'invokefunction');
    expect(invoke.data).toBeNull();
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'accepted a frame the real engine drops (lenient)',
        details: expect.objectContaining({ event: REAL_ENGINE_PARITY, frame: 'invokefunction', field: 'data' }),
      }),
    );
  });

  it('lenient: unregistertriggertype removes the type (the real engine keeps it)', async () => {
    const own = await start({ lenient: true });
    const base = own.stats().triggerTypes;
    const provider = await worker();
    await provider.client.send({ type: 'registertriggertype', id: 'ext::type', description: 'd' });
    await provider.client.sync();
    expect(own.stats().triggerTypes).toBe(base + 1);
    await provider.client.send({ type: 'unregistertriggertype', id: 'ext::type' });
    await provider.client.sync();
    expect(own.stats().triggerTypes).toBe(base);
  });

  it('default: the same frames are dropped', async () => {
    const own = await start({});
    const base = own.stats().triggerTypes;
    const provider = await worker();
    await provider.client.send({ type: 'registertriggertype', id: 'ext::type', description: 'd' });
    await provider.client.send({ type: 'unregistertriggertype', id: 'ext::type' });
    await provider.client.sync();
    expect(own.stats().triggerTypes).toBe(base + 1);
  });

  it('channelReportWriterLoss: a reader whose writer was lost gets 1011 writer_lost; a clean end stays status-less', async () => {
    await start({ channelReportWriterLoss: true });
    const control = (await worker()).client;
    const lost = await channel(control);
    await lost.w.send('partial');
    await lost.w.close(true);
    expect(await lost.r.closed).toEqual({ code: 1011, reason: 'writer_lost' });
    const clean = await channel(control);
    await clean.w.send('whole');
    await clean.w.close();
    expect((await clean.r.closed).code).toBe(1005);
  });

  it("channelAnswerReaderClose: a reader's Close is answered at once", async () => {
    await start({ channelAnswerReaderClose: true });
    const control = (await worker()).client;
    const { r, w } = await channel(control);
    await w.send('one');
    await r.nextMessage();
    r.ws.close(1000);
    expect((await r.closed).code).toBe(1000);
    expect(logs.some((l) => l.message === 'channel reader sent Close: ignored')).toBe(false);
  });

  it('maxPayloadBytes: a larger limit accepts frames the real engine would refuse', async () => {
    await start({ maxPayloadBytes: 32 * 1024 * 1024 });
    const { client } = await worker();
    await client.send(`{"type":"ping"}${' '.repeat(17 * 1024 * 1024)}`);
    expect(await client.next()).toEqual({ type: 'pong' });
  });

  it('a call to an optional upstream module the embedded engine lacks: function_not_found and a warning naming the module', async () => {
    await start({});
    const { client } = await worker();
    const id = randomUUID();
    await client.send({ type: 'invokefunction', invocation_id: id, function_id: 'metrics::list', data: {} });
    expect((await client.next((f) => f.invocation_id === id)).error.code).toBe('function_not_found');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', details: expect.objectContaining({ function_id: 'metrics::list', module: 'iii-observability' }) }));
  });
});
