/**
 * The iii-rx client and the official Python (0.22.1, 0.25.0) and Rust (0.25.0) SDKs, through the
 * embedded engine, in both directions: iii-rx calls the peer, the peer calls iii-rx.
 */
import { firstValueFrom, from, NEVER, Observable } from 'rxjs';
import { ChannelReader, ChannelWriter, connectWorker, createChannel, EmbeddedEngine, InvocationError, startEngine, Worker } from '../../../lib';
import { channelPayloadCodec } from '../../../lib/codec/channelPayloadCodec';
import { framedByRx, makeBytes, MiB, mixedMessages, PlacedMessage, ReadReport, sha256, summarize, WriteReport } from './helpers/channelData';
import { readRx, writeRx } from './helpers/rxChannels';
import { loadPeers, PeerProcess, prefixFor } from './helpers/PeerProcess';

const BIG = 32 * MiB;
const SMALL = 2 * MiB;

async function failure(call: Observable<unknown>): Promise<InvocationError> {
  try {
    await firstValueFrom(call);
  } catch (err) {
    if (err instanceof InvocationError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe.each(loadPeers().map((p) => [p.name, p] as const))('iii-rx <-> %s', (_name, spec) => {
  let engine: EmbeddedEngine;
  let rx: Worker;
  let peer: PeerProcess;
  const P = prefixFor(spec, 'r');
  const R = `rx${P}`;

  beforeAll(async () => {
    engine = await startEngine({ port: 0 });
    rx = connectWorker(engine.url, { workerName: 'interop-rx', payloadCodec: (w) => channelPayloadCodec(w) });
    rx.registerFunction(`${R}::ping`, () => ({ pong: true }));
    rx.registerFunction(`${R}::echo`, (data: Record<string, unknown>) => {
      const { _caller_worker_id, ...rest } = data;
      return { echo: rest, caller_id_seen: typeof _caller_worker_id === 'string' };
    });
    rx.registerFunction(`${R}::fail`, (data: { message: string }) => {
      throw new Error(data.message);
    });
    rx.registerFunction(`${R}::read`, async (data: { source: ChannelReader }) => ({
      kind: data.source instanceof ChannelReader ? 'ChannelReader' : typeof data.source,
      ...(await readRx(data.source)),
    }));
    rx.registerFunction(`${R}::write`, async (data: { sink: ChannelWriter; size: number; messages: PlacedMessage[] }) => ({
      kind: data.sink instanceof ChannelWriter ? 'ChannelWriter' : typeof data.sink,
      ...(await writeRx(data.sink, makeBytes(data.size), data.messages)),
    }));
    rx.registerFunction(
      `${R}::nested`,
      async (data: { jobs: Array<{ name: string; src: ChannelReader }>; out: { deep: Array<{ sink: ChannelWriter }> } }) => {
        const reads = await Promise.all(data.jobs.map((j) => readRx(j.src)));
        const report = Object.fromEntries(data.jobs.map((j, i) => [j.name, reads[i].sha256]));
        const text = JSON.stringify(report);
        await writeRx(data.out.deep[0].sink, Buffer.from(text), [{ at: 0, text }]);
        return { kinds: data.jobs.map((j) => (j.src instanceof ChannelReader ? 'ChannelReader' : typeof j.src)), reads: report };
      },
    );
    await expect(firstValueFrom(rx.trigger(`${R}::ping`, {}))).resolves.toEqual({ pong: true });
    peer = await PeerProcess.start(spec, engine.url, P);
  });

  afterAll(async () => {
    const code = await peer?.stop();
    await rx?.close();
    await engine?.close();
    expect(code).toBe(0);
  });

  const call = <T = Record<string, any>>(fn: string, payload: unknown) => firstValueFrom(rx.trigger<T>(`${P}::${fn}`, payload, { timeoutMs: 90_000 }));
  const drive = (payload: Record<string, unknown>) => call('drive', payload);

  describe('iii-rx calls the peer', () => {
    it('gets a result', async () => {
      const payload = { text: 'héllo', n: 42, list: [1, null, { deep: true }] };
      await expect(call('echo', payload)).resolves.toEqual({ echo: payload, caller_id_seen: true });
    });

    it('gets invocation_failed and function_not_found as InvocationError codes', async () => {
      const failed = await failure(rx.trigger(`${P}::fail`, { message: 'boom from rx' }));
      expect(failed.code).toBe('invocation_failed');
      expect(failed.message).toContain('boom from rx');
      expect((await failure(rx.trigger(`${P}::missing`, {}))).code).toBe('function_not_found');
    });

    it('streams 32 MiB with text messages mixed in to the peer (sha256 checked)', async () => {
      const channel = await firstValueFrom(createChannel(rx));
      const data = makeBytes(BIG);
      const messages = mixedMessages(BIG);
      const [sent, read] = await Promise.all([writeRx(channel.writer, data, messages), call<ReadReport>('read', { source: channel.readerRef })]);
      expect({ sha256: read.sha256, bytes: read.bytes }).toEqual(sent);
      // the peer sees the stream records as two more text messages; its bytes are unchanged
      expect(summarize(read.messages)).toEqual(summarize(framedByRx(messages, BIG)));
    });

    it('receives 32 MiB with text messages mixed in from the peer (sha256 checked)', async () => {
      const channel = await firstValueFrom(createChannel(rx));
      const messages = mixedMessages(BIG);
      const [read, sent] = await Promise.all([
        readRx(channel.reader),
        call<WriteReport>('write', { sink: channel.writerRef, size: BIG, seed: 5, messages }),
      ]);
      expect({ sha256: read.sha256, bytes: read.bytes }).toEqual({ sha256: sent.sha256, bytes: sent.bytes });
      expect(summarize(read.messages)).toEqual(summarize(messages));
    });

    it('puts live channel ends (toJSON refs) nested in a payload; the peer reads and writes through them', async () => {
      const a = await firstValueFrom(createChannel(rx));
      const b = await firstValueFrom(createChannel(rx));
      const sink = await firstValueFrom(createChannel(rx));
      const payload = {
        meta: { list: [1, 'two', null] },
        jobs: [
          { name: 'a', src: a.reader },
          { name: 'b', src: b.reader },
        ],
        out: { deep: [{ sink: sink.writer }] },
      };
      const [sentA, sentB, back, result] = await Promise.all([
        writeRx(a.writer, makeBytes(SMALL), []),
        writeRx(b.writer, makeBytes(SMALL + 1), []),
        readRx(sink.reader),
        call('nested', payload),
      ]);
      const expected = { a: sentA.sha256, b: sentB.sha256 };
      expect(result.reads).toEqual(expected);
      if (spec.lang === 'python') {
        expect(result.shape.jobs).toEqual([
          { name: 'a', src: '<ChannelReader>' },
          { name: 'b', src: '<ChannelReader>' },
        ]);
        expect(result.shape.out).toEqual({ deep: [{ sink: '<ChannelWriter>' }] });
      } else {
        expect(result.paths).toEqual({ 'jobs[0].src': 'read', 'jobs[1].src': 'read', 'out.deep[0].sink': 'write' });
      }
      expect(back.messages.map((m) => m.at)).toEqual([0]);
      expect(JSON.parse(back.messages[0].text)).toEqual(expected);
    });

    it('puts an Observable in a payload; the peer reads it as an ordinary channel', async () => {
      const values$ = from<unknown[]>([{ id: 1 }, 'two', new Uint8Array([9, 8, 7]), [3, null], 'ü✓']);
      const read = await call<ReadReport & { kind: string }>('read', { source: values$ });
      expect(read.kind).toBe('ChannelReader');
      // the first and last text messages are the stream records (README: Observables in payloads and results)
      expect(read.messages.map((m) => JSON.parse(m.text))).toEqual([{ $iii_rx: 'begin', v: 1 }, { id: 1 }, 'two', [3, null], 'ü✓', { $iii_rx: 'end' }]);
      expect(read.messages.map((m) => m.at)).toEqual([0, 0, 0, 3, 3, 3]);
      expect(read.sha256).toBe(sha256(new Uint8Array([9, 8, 7])));
    });

    it('reads a channel whose reader ref the peer returned in its result (rehydrated into a live reader)', async () => {
      const messages = mixedMessages(SMALL);
      const made = await call('make_source', { size: SMALL, seed: 9, messages });
      expect(made.reader).toBeInstanceOf(ChannelReader);
      const read = await readRx(made.reader);
      expect({ sha256: read.sha256, bytes: read.bytes }).toEqual({ sha256: made.sha256, bytes: made.bytes });
      expect(summarize(read.messages)).toEqual(summarize(messages));
    });
  });

  describe('the peer calls iii-rx', () => {
    it('gets a result, invocation_failed and function_not_found', async () => {
      const payload = { from: spec.name, list: [1, 2, 3] };
      expect(await drive({ op: 'call', function_id: `${R}::echo`, payload })).toEqual({ ok: true, result: { echo: payload, caller_id_seen: true } });
      const failed = await drive({ op: 'call', function_id: `${R}::fail`, payload: { message: 'boom from peer' } });
      expect(failed).toMatchObject({ ok: false, code: 'invocation_failed' });
      expect(failed.message).toContain('boom from peer');
      expect(await drive({ op: 'call', function_id: `${R}::missing`, payload: {} })).toMatchObject({ ok: false, code: 'function_not_found' });
    });

    it('gets invocation_stopped when the iii-rx worker serving its call disconnects', async () => {
      const other = connectWorker(engine.url, { workerName: 'interop-rx-hang' });
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      other.registerFunction(`${R}::hang`, () => {
        started();
        return NEVER;
      });
      await firstValueFrom(other.trigger(`${R}::ping`, {}));
      const pending = drive({ op: 'call', function_id: `${R}::hang`, payload: {}, timeout_ms: 60_000 });
      await running;
      await other.close();
      expect(await pending).toMatchObject({ ok: false, code: 'invocation_stopped' });
    });

    it('streams 32 MiB into an iii-rx function through a channel the peer created (mixed text and binary)', async () => {
      const messages = mixedMessages(BIG);
      const out = await drive({ op: 'send', function_id: `${R}::read`, size: BIG, messages, timeout_ms: 90_000 });
      expect(out.call).toMatchObject({ ok: true, result: { kind: 'ChannelReader' } });
      expect({ sha256: out.call.result.sha256, bytes: out.call.result.bytes }).toEqual(out.sent);
      expect(summarize(out.call.result.messages)).toEqual(summarize(messages));
    });

    it('reads 32 MiB an iii-rx function writes into a channel the peer created', async () => {
      const messages = mixedMessages(BIG);
      const out = await drive({ op: 'receive', function_id: `${R}::write`, extra: { size: BIG, messages }, timeout_ms: 90_000 });
      expect(out.call).toMatchObject({ ok: true, result: { kind: 'ChannelWriter' } });
      expect({ sha256: out.received.sha256, bytes: out.received.bytes }).toEqual({ sha256: out.call.result.sha256, bytes: BIG });
      expect(summarize(out.received.messages)).toEqual(summarize(framedByRx(messages, BIG)));
    });

    it('passes refs nested in objects and arrays to an iii-rx function, which gets live ends', async () => {
      const out = await drive({ op: 'nested', function_id: `${R}::nested`, sizes: [SMALL, 1000] });
      expect(out.call).toMatchObject({ ok: true, result: { kinds: ['ChannelReader', 'ChannelReader'] } });
      expect(out.call.result.reads).toEqual(out.sent);
      // messages[0] is the begin record of the iii-rx writer
      expect(JSON.parse(out.sink.messages[1].text)).toEqual(out.sent);
    });
  });
});
