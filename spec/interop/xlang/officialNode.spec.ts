/**
 * The official Node iii-sdk 0.22.1 and the official Python / Rust SDKs, through the embedded engine.
 * This proves the engine side of cross-language interop independently of the iii-rx client:
 * every scenario runs in both directions (Node calls the peer, the peer calls Node).
 */
import { IIIClient, InvocationError, registerWorker } from 'iii-sdk';
import { ChannelReader, ChannelWriter } from 'iii-sdk/channel';
import { createChannel } from 'iii-sdk/helpers';
import { EmbeddedEngine, startEngine } from '../../../lib/engine';
import { makeBytes, MiB, mixedMessages, ReadReport, summarize } from './helpers/channelData';
import { readOfficial, writeOfficial } from './helpers/officialChannels';
import { loadPeers, PeerProcess, prefixFor } from './helpers/PeerProcess';

const BIG = 32 * MiB;
const SMALL = 2 * MiB;

type Outcome = { ok: true; result: unknown } | { ok: false; code: string; message: string };

async function failure(promise: Promise<unknown>): Promise<InvocationError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof InvocationError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}


// the official Node SDK logs its connection chatter on console.debug / console.warn; errors stay visible
const quiet: jest.SpyInstance[] = [];
beforeAll(() => {
  quiet.push(jest.spyOn(console, 'debug').mockImplementation(() => undefined));
  quiet.push(jest.spyOn(console, 'warn').mockImplementation(() => undefined));
});
afterAll(() => quiet.forEach((spy) => spy.mockRestore()));

describe.each(loadPeers().map((p) => [p.name, p] as const))('official Node iii-sdk 0.22.1 <-> %s', (_name, spec) => {
  let engine: EmbeddedEngine;
  let node: IIIClient;
  let peer: PeerProcess;
  const P = prefixFor(spec, 'n');
  const N = `node${P}`;

  beforeAll(async () => {
    engine = await startEngine({ port: 0 });
    node = registerWorker(engine.url, { otel: { enabled: false }, workerName: 'interop-node' });

    node.registerFunction(`${N}::ping`, async () => ({ pong: true }));
    node.registerFunction(`${N}::echo`, async (data: Record<string, unknown>) => {
      const { _caller_worker_id, ...rest } = data;
      return { echo: rest, caller_id_seen: typeof _caller_worker_id === 'string' };
    });
    node.registerFunction(`${N}::fail`, async (data: { message: string }) => {
      throw new Error(data.message);
    });
    node.registerFunction(`${N}::read`, async (data: { source: ChannelReader }) => ({
      kind: data.source.constructor.name,
      ...(await readOfficial(data.source)),
    }));
    node.registerFunction(`${N}::write`, async (data: { sink: ChannelWriter; size: number; messages: [] }) => ({
      kind: data.sink.constructor.name,
      ...(await writeOfficial(data.sink, makeBytes(data.size), data.messages)),
    }));
    node.registerFunction(
      `${N}::nested`,
      async (data: { jobs: Array<{ name: string; src: ChannelReader }>; out: { deep: Array<{ sink: ChannelWriter }> } }) => {
        const reads = await Promise.all(data.jobs.map((j) => readOfficial(j.src)));
        const report = Object.fromEntries(data.jobs.map((j, i) => [j.name, reads[i].sha256]));
        const text = JSON.stringify(report);
        await writeOfficial(data.out.deep[0].sink, Buffer.from(text), [{ at: 0, text }]);
        return { kinds: data.jobs.map((j) => j.src.constructor.name), reads: report };
      },
    );
    await expect(node.trigger({ function_id: `${N}::ping`, payload: {} })).resolves.toEqual({ pong: true });

    peer = await PeerProcess.start(spec, engine.url, P);
  });

  afterAll(async () => {
    const code = await peer?.stop();
    await node?.shutdown();
    await engine?.close();
    expect(code).toBe(0);
  });

  const drive = (payload: Record<string, unknown>) =>
    node.trigger<Record<string, unknown>, Record<string, any>>({ function_id: `${P}::drive`, payload, timeoutMs: 90_000 });

  describe('Node calls the peer', () => {
    it('gets a result, with _caller_worker_id injected by the engine', async () => {
      const payload = { text: 'héllo', n: 42, list: [1, null, { deep: true }], nothing: null };
      await expect(node.trigger({ function_id: `${P}::echo`, payload })).resolves.toEqual({ echo: payload, caller_id_seen: true });
    });

    it('gets invocation_failed with the handler message', async () => {
      const err = await failure(node.trigger({ function_id: `${P}::fail`, payload: { message: 'boom from node' } }));
      expect(err.code).toBe('invocation_failed');
      expect(err.message).toContain('boom from node');
    });

    it('gets function_not_found for an unknown function', async () => {
      const err = await failure(node.trigger({ function_id: `${P}::missing`, payload: {} }));
      expect(err.code).toBe('function_not_found');
    });

    it('streams 32 MiB with text messages mixed in to the peer (sha256 checked)', async () => {
      const channel = await createChannel(node);
      const data = makeBytes(BIG);
      const messages = mixedMessages(BIG);
      const [sent, read] = await Promise.all([
        writeOfficial(channel.writer, data, messages),
        node.trigger<unknown, ReadReport & { kind: string }>({ function_id: `${P}::read`, payload: { source: channel.readerRef }, timeoutMs: 90_000 }),
      ]);
      expect(read.kind).toBe('ChannelReader');
      expect({ sha256: read.sha256, bytes: read.bytes }).toEqual(sent);
      expect(summarize(read.messages)).toEqual(summarize(messages));
    });

    it('receives 32 MiB with text messages mixed in from the peer (sha256 checked)', async () => {
      const channel = await createChannel(node);
      const messages = mixedMessages(BIG);
      const [read, sent] = await Promise.all([
        readOfficial(channel.reader),
        node.trigger<unknown, { sha256: string; bytes: number; kind: string }>({
          function_id: `${P}::write`,
          payload: { sink: channel.writerRef, size: BIG, seed: 5, messages },
          timeoutMs: 90_000,
        }),
      ]);
      expect(sent.kind).toBe('ChannelWriter');
      expect({ sha256: read.sha256, bytes: read.bytes }).toEqual({ sha256: sent.sha256, bytes: sent.bytes });
      expect(summarize(read.messages)).toEqual(summarize(messages));
    });

    it('passes refs nested in objects and arrays; the peer reads and writes through them', async () => {
      const a = await createChannel(node);
      const b = await createChannel(node);
      const sink = await createChannel(node);
      const payload = {
        meta: { list: [1, 'two', null] },
        jobs: [
          { name: 'a', src: a.readerRef },
          { name: 'b', src: b.readerRef },
        ],
        out: { deep: [{ sink: sink.writerRef }] },
      };
      const [sentA, sentB, back, result] = await Promise.all([
        writeOfficial(a.writer, makeBytes(SMALL), []),
        writeOfficial(b.writer, makeBytes(SMALL + 1), []),
        readOfficial(sink.reader),
        node.trigger<unknown, Record<string, any>>({ function_id: `${P}::nested`, payload, timeoutMs: 60_000 }),
      ]);
      const expected = { a: sentA.sha256, b: sentB.sha256 };
      expect(result.reads).toEqual(expected);
      if (spec.lang === 'python') {
        expect(result.shape).toEqual({
          meta: { list: [1, 'two', null] },
          jobs: [
            { name: 'a', src: '<ChannelReader>' },
            { name: 'b', src: '<ChannelReader>' },
          ],
          out: { deep: [{ sink: '<ChannelWriter>' }] },
        });
      } else {
        expect(result.paths).toEqual({ 'jobs[0].src': 'read', 'jobs[1].src': 'read', 'out.deep[0].sink': 'write' });
      }
      // the peer sent its report as a text message, then the same JSON as binary
      expect(back.messages.map((m) => m.at)).toEqual([0]);
      expect(JSON.parse(back.messages[0].text)).toEqual(expected);
      expect(back.bytes).toBe(Buffer.byteLength(back.messages[0].text));
    });

    it('reads a channel whose reader ref the peer returned in its result', async () => {
      const messages = mixedMessages(SMALL);
      const made = await node.trigger<unknown, { reader: any; sha256: string; bytes: number }>({
        function_id: `${P}::make_source`,
        payload: { size: SMALL, seed: 9, messages },
      });
      const read = await readOfficial(new ChannelReader(engine.url, made.reader));
      expect({ sha256: read.sha256, bytes: read.bytes }).toEqual({ sha256: made.sha256, bytes: made.bytes });
      expect(summarize(read.messages)).toEqual(summarize(messages));
    });
  });

  describe('the peer calls Node', () => {
    it('gets a result', async () => {
      const payload = { from: spec.name, list: [1, 2, 3] };
      const out = (await drive({ op: 'call', function_id: `${N}::echo`, payload })) as Outcome;
      expect(out).toEqual({ ok: true, result: { echo: payload, caller_id_seen: true } });
    });

    it('gets invocation_failed', async () => {
      const out = (await drive({ op: 'call', function_id: `${N}::fail`, payload: { message: 'boom from peer' } })) as Outcome;
      expect(out).toMatchObject({ ok: false, code: 'invocation_failed' });
      expect((out as { message: string }).message).toContain('boom from peer');
    });

    it('gets function_not_found', async () => {
      const out = (await drive({ op: 'call', function_id: `${N}::missing`, payload: {} })) as Outcome;
      expect(out).toMatchObject({ ok: false, code: 'function_not_found' });
    });

    it('gets invocation_stopped when the Node worker serving the call disconnects', async () => {
      const other = registerWorker(engine.url, { otel: { enabled: false }, workerName: 'interop-node-hang' });
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      other.registerFunction(`${N}::hang`, () => {
        started();
        return new Promise(() => undefined);
      });
      // a round trip on the same socket: the registration has reached the engine
      await other.trigger({ function_id: `${N}::ping`, payload: {} });
      const pending = drive({ op: 'call', function_id: `${N}::hang`, payload: {}, timeout_ms: 60_000 });
      await running;
      await other.shutdown();
      expect(await pending).toMatchObject({ ok: false, code: 'invocation_stopped' });
    });

    it('streams into a Node function through a channel the peer created (mixed text and binary)', async () => {
      const messages = mixedMessages(SMALL);
      const out = await drive({ op: 'send', function_id: `${N}::read`, size: SMALL, messages });
      expect(out.call.ok).toBe(true);
      expect(out.call.result.kind).toBe('ChannelReader');
      expect({ sha256: out.call.result.sha256, bytes: out.call.result.bytes }).toEqual(out.sent);
      expect(summarize(out.call.result.messages)).toEqual(summarize(messages));
    });

    it('reads what a Node function writes into a channel the peer created', async () => {
      const messages = mixedMessages(SMALL);
      const out = await drive({ op: 'receive', function_id: `${N}::write`, extra: { size: SMALL, messages } });
      expect(out.call.ok).toBe(true);
      expect(out.call.result.kind).toBe('ChannelWriter');
      expect({ sha256: out.received.sha256, bytes: out.received.bytes }).toEqual({ sha256: out.call.result.sha256, bytes: SMALL });
      expect(summarize(out.received.messages)).toEqual(summarize(messages));
    });

    it('passes refs nested in objects and arrays to a Node function', async () => {
      const out = await drive({ op: 'nested', function_id: `${N}::nested`, sizes: [SMALL, 1000] });
      expect(out.call.ok).toBe(true);
      expect(out.call.result.kinds).toEqual(['ChannelReader', 'ChannelReader']);
      expect(out.call.result.reads).toEqual(out.sent);
      expect(JSON.parse(out.sink.messages[0].text)).toEqual(out.sent);
    });
  });
});

describe.each(loadPeers().map((p) => [p.name, p] as const))('official Node iii-sdk 0.22.1 -> %s that dies mid-call', (_name, spec) => {
  it('gets invocation_stopped', async () => {
    const engine = await startEngine({ port: 0 });
    const node = registerWorker(engine.url, { otel: { enabled: false } });
    const peer = await PeerProcess.start(spec, engine.url, prefixFor(spec, 'k'));
    try {
      const call = failure(node.trigger({ function_id: `${peer.prefix}::sleep`, payload: { ms: 60_000 }, timeoutMs: 60_000 }));
      // the call is in the engine's pending table once the peer's worker is serving it
      await waitUntil(() => engine.stats().pendingInvocations > 0);
      await peer.kill();
      expect((await call).code).toBe('invocation_stopped');
    } finally {
      await peer.kill();
      await node.shutdown();
      await engine.close();
    }
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}
