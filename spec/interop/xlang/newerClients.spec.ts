/**
 * Newer clients (iii-sdk 0.25.0, Python and Rust) with everything they can send switched on: a worker
 * namespace (so `namespace` rides on every registration and call), OpenTelemetry (the `/otel` socket).
 * The engine logs what it does not know and keeps serving: calls both ways and a channel still work,
 * for iii-rx and the official Node SDK alike. (The suites in officialNode.spec.ts and iiiRx.spec.ts run
 * every scenario with 0.25.0 peers in their default configuration as well.)
 */
import { registerWorker } from 'iii-sdk';
import { firstValueFrom } from 'rxjs';
import { connectWorker, createChannel, EmbeddedEngine, startEngine, Worker } from '../../../lib';
import { channelPayloadCodec } from '../../../lib/codec/channelPayloadCodec';
import { framedByRx, makeBytes, MiB, mixedMessages, ReadReport, summarize } from './helpers/channelData';
import { loadPeers, PeerProcess, prefixFor } from './helpers/PeerProcess';
import { writeRx } from './helpers/rxChannels';

const newest = loadPeers().filter((p) => p.version === '0.25.0');


// the official Node SDK logs its connection chatter on console.debug / console.warn; errors stay visible
const quiet: jest.SpyInstance[] = [];
beforeAll(() => {
  quiet.push(jest.spyOn(console, 'debug').mockImplementation(() => undefined));
  quiet.push(jest.spyOn(console, 'warn').mockImplementation(() => undefined));
});
afterAll(() => quiet.forEach((spy) => spy.mockRestore()));

describe.each(newest.map((p) => [p.name, p] as const))('%s with namespace and telemetry on', (_name, spec) => {
  let engine: EmbeddedEngine;
  let rx: Worker;
  let node: ReturnType<typeof registerWorker>;
  let peer: PeerProcess;
  const logged: string[] = [];
  const P = prefixFor(spec, 'x');

  beforeAll(async () => {
    const keep = (level: string) => (message: string) => void logged.push(`${level}: ${message}`);
    engine = await startEngine({ port: 0, logger: { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') } });
    rx = connectWorker(engine.url, { workerName: 'interop-rx-new', payloadCodec: (w) => channelPayloadCodec(w) });
    rx.registerFunction(`rx${P}::echo`, (data: Record<string, unknown>) => ({ got: data.n }));
    node = registerWorker(engine.url, { otel: { enabled: false }, workerName: 'interop-node-new' });
    node.registerFunction(`node${P}::echo`, async (data: { n: number }) => ({ got: data.n }));
    await expect(node.trigger({ function_id: `node${P}::echo`, payload: { n: 0 } })).resolves.toEqual({ got: 0 });
    await expect(firstValueFrom(rx.trigger(`rx${P}::echo`, { n: 0 }))).resolves.toEqual({ got: 0 });
    peer = await PeerProcess.start(spec, engine.url, P, 60_000, { III_NAMESPACE: 'default', OTEL_ENABLED: 'true' });
  });

  afterAll(async () => {
    const code = await peer?.stop();
    await rx?.close();
    await node?.shutdown();
    await engine?.close();
    expect(code).toBe(0);
  });

  it('is called by iii-rx and by the official Node SDK', async () => {
    await expect(firstValueFrom(rx.trigger(`${P}::echo`, { n: 1 }))).resolves.toEqual({ echo: { n: 1 }, caller_id_seen: true });
    await expect(node.trigger({ function_id: `${P}::echo`, payload: { n: 2 } })).resolves.toEqual({ echo: { n: 2 }, caller_id_seen: true });
  });

  it('calls iii-rx and the official Node SDK, and gets function_not_found by code', async () => {
    const drive = (payload: unknown) => firstValueFrom(rx.trigger<Record<string, any>>(`${P}::drive`, payload, { timeoutMs: 60_000 }));
    expect(await drive({ op: 'call', function_id: `rx${P}::echo`, payload: { n: 3 } })).toEqual({ ok: true, result: { got: 3 } });
    expect(await drive({ op: 'call', function_id: `node${P}::echo`, payload: { n: 4 } })).toEqual({ ok: true, result: { got: 4 } });
    expect(await drive({ op: 'call', function_id: `node${P}::missing`, payload: {} })).toMatchObject({ ok: false, code: 'function_not_found' });
  });

  it('reads a channel iii-rx writes (mixed text and binary)', async () => {
    const channel = await firstValueFrom(createChannel(rx));
    const messages = mixedMessages(MiB);
    const [sent, read] = await Promise.all([
      writeRx(channel.writer, makeBytes(MiB), messages),
      firstValueFrom(rx.trigger<ReadReport>(`${P}::read`, { source: channel.reader }, { timeoutMs: 60_000 })),
    ]);
    expect({ sha256: read.sha256, bytes: read.bytes }).toEqual(sent);
    expect(summarize(read.messages)).toEqual(summarize(framedByRx(messages, MiB)));
  });

  it('left the engine running with no error logged', () => {
    expect(engine.stats().workers).toBe(3);
    expect(logged.filter((l) => l.startsWith('error'))).toEqual([]);
    // what the engine noticed and tolerated, for the record
    const tolerated = [...new Set(logged.filter((l) => !l.startsWith('info')))];
    process.stdout.write(`${JSON.stringify({ peer: spec.name, tolerated })}\n`);
  });
});
