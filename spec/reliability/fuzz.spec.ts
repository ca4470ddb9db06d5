import { mayHaveInexactNumbers, scanJson } from '../../lib/engine/exactJson';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { firstValueFrom } from 'rxjs';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { decodeFrame } from '../../lib/protocol/decodeFrame';
import { isHotFrame } from '../../lib/protocol/isHotFrame';
import { FRAME_CODECS } from '../../lib/protocol/Frame';
import { isRight } from 'fp-ts/lib/Either';
import type * as t from 'io-ts';
import { realEngineFrameDrop } from '../../lib/engine/realEngineFrameDrop';
import { decodeInbound } from '../../lib/connection/decodeInbound';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { RawClient, openWorker } from '../engine/support/RawClient';
import { syncWithEngine, whenOpen } from '../worker/workerTestKit';
import { FrameFuzzer, FuzzMessage, randomUUIDFrom } from './support/frameFuzzer';
import { Prng, fuzzSeed } from './support/Prng';
import { recordingLogger } from './support/recordingLogger';

const SEED = fuzzSeed();
const LOAD = process.env.III_RX_LOAD === '1';
const scaled = (name: string, normal: number, load: number) => Number(process.env[name] ?? (LOAD ? load : normal));
/** Messages thrown at the engine's worker socket. */
const WORKER_FRAMES = scaled('FUZZ_FRAMES', 3000, 30_000);
/** Channels driven with random traffic and random endings. */
const CHANNELS = scaled('FUZZ_CHANNELS', 150, 1500);
/** Inputs for the client-side decoders. */
const DECODER_INPUTS = scaled('FUZZ_DECODER_INPUTS', 20_000, 200_000);
const MAX_PAYLOAD = 512 * 1024;
const TELEMETRY = ['OTLP', 'MTRC', 'LOGS'];

const byteLength = (m: FuzzMessage) => (typeof m.data === 'string' ? Buffer.byteLength(m.data) : m.data.length);

/** What the engine must do with a message, judged independently of its code path. */
function expectation(m: FuzzMessage): 'oversized' | 'telemetry' | 'empty' | 'bad' | 'decodes' {
  if (byteLength(m) > MAX_PAYLOAD) return 'oversized';
  if (m.binary && Buffer.isBuffer(m.data) && m.data.length >= 4 && TELEMETRY.includes(m.data.toString('latin1', 0, 4))) return 'telemetry';
  // ws would refuse a text frame that is not UTF-8; the fuzzer only sends strings as text
  const text = typeof m.data === 'string' ? m.data : m.data.toString('utf8');
  if (text.trim() === '') return 'empty';
  const decoded = decodeFrame(m.data);
  // a frame that decodes but that the real engine drops (PROTOCOL.md §10.2) is dropped and logged too
  const outOfRange = decoded.ok && mayHaveInexactNumbers(text) && scanJson(text).nonFinite;
  return decoded.ok && nesting(text) <= 128 && !realEngineFrameDrop(decoded.frame) && !outOfRange ? 'decodes' : 'bad';
}

/** Deepest array/object nesting of a JSON text (0 for scalars or unparsable text), walked iteratively. */
function nesting(text: string): number {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 0;
  }
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d + 1);
    for (const child of Object.values(v as object)) stack.push([child, d + 1]);
  }
  return max;
}

describe(`seeded fuzz (FUZZ_SEED=${SEED})`, () => {
  beforeAll(() => {
    // printed so a failing run can be replayed: FUZZ_SEED=<seed> npx jest spec/reliability/fuzz
    process.stdout.write(`fuzz: FUZZ_SEED=${SEED} frames=${WORKER_FRAMES} channels=${CHANNELS} decoder=${DECODER_INPUTS}\n`);
  });

  describe('engine worker socket', () => {
    let engine: EmbeddedEngine;
    const { logger, entries } = recordingLogger();
    const workers: Worker[] = [];
    const raws: RawClient[] = [];

    beforeAll(async () => {
      engine = await startEngine({ port: 0, logger, maxPayloadBytes: MAX_PAYLOAD, channelReportWriterLoss: true });
    });

    afterAll(async () => {
      await Promise.all(raws.map((c) => c.close(true)));
      await Promise.all(workers.map((w) => w.close()));
      await engine.close();
    });

    it('logs and drops every bad frame, never closes on bad input, and other workers keep working', async () => {
      const rng = new Prng(SEED);
      const callee = connectWorker(engine.url);
      const caller = connectWorker(engine.url);
      workers.push(callee, caller);
      callee.registerFunction('fuzz::echo', (x: unknown) => x);
      await syncWithEngine(callee);
      await whenOpen(caller);
      const calleeId = callee.workerId;
      const callerId = caller.workerId;
      const fuzzer = new FrameFuzzer(rng, ['fuzz::echo', 'fuzz::sink', 'engine::channels::create', 'engine::functions::list', 'engine::workers::list', 'engine::workers::register', 'engine::nope'], 256 * 1024);

      // a well-behaved caller keeps calling during the whole run
      let fuzzing = true;
      let goodCalls = 0;
      const background = (async () => {
        while (fuzzing) {
          const n = goodCalls;
          const got = await firstValueFrom(caller.trigger<number>('fuzz::echo', n, { timeoutMs: 20_000 }));
          expect(got).toBe(n);
          goodCalls++;
        }
      })();

      const counts = { oversized: 0, telemetry: 0, empty: 0, bad: 0, decodes: 0 };
      const kinds: Record<string, number> = {};
      let socket = await openWorker(engine.url);
      raws.push(socket.client);
      const sync = async (client: RawClient) => {
        const id = randomUUID();
        await client.send({ type: 'invokefunction', invocation_id: id, function_id: `fuzz::marker-${id}`, data: null });
        const reply = await client.next((f) => f.invocation_id === id);
        expect(reply.error?.code).toBe('function_not_found');
      };
      for (let i = 0; i < WORKER_FRAMES; i++) {
        const m = fuzzer.next();
        const expected = expectation(m);
        counts[expected]++;
        kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
        if (i % 97 === 0) {
          // a forged reattach aimed at a real worker: a wrong token must be ignored
          await socket.client.send({ type: 'reattach', previous_worker_id: calleeId, reattach_token: randomUUIDFrom(rng) });
        }
        if (expected === 'oversized') {
          socket.client.ws.send(m.data, { binary: m.binary });
          // dropped without a close frame, as the real engine does (PROTOCOL.md §10.1)
          expect((await socket.client.closed).code).toBe(1006);
          socket = await openWorker(engine.url);
          raws.push(socket.client);
          continue;
        }
        await socket.client.send(m.data, m.binary);
        if (i % 50 === 49) await sync(socket.client);
      }
      await sync(socket.client);
      fuzzing = false;
      await background;

      const dropped = entries.filter((e) => e.message === 'dropped frame').length;
      const tooDeep = entries.filter((e) => e.message === 'dropped frame' && e.details?.reason === 'TOO_DEEP').length;
      const oversized = entries.filter((e) => /over the \d+-byte limit: dropped/.test(e.message)).length;
      const telemetry = entries.filter((e) => e.message === 'discarded telemetry frame on a worker socket').length;
      const crashed = entries.filter((e) => e.message === 'frame handling failed');
      process.stdout.write(`fuzz worker socket: ${JSON.stringify({ seed: SEED, counts, kinds, goodCalls, logged: { dropped, tooDeep, oversized, telemetry } })}\n`);
      expect(crashed).toEqual([]);
      expect(dropped).toBe(counts.bad);
      expect(oversized).toBe(counts.oversized);
      expect(telemetry).toBe(counts.telemetry);
      expect(counts.bad).toBeGreaterThan(WORKER_FRAMES / 4);
      expect(goodCalls).toBeGreaterThan(0);

      // the real workers were never evicted or disturbed, and still work
      expect(callee.workerId).toBe(calleeId);
      expect(caller.workerId).toBe(callerId);
      expect(engine.functionIds()).toContain('fuzz::echo');
      await expect(firstValueFrom(caller.trigger('fuzz::echo', 'after'))).resolves.toBe('after');
      const fresh = connectWorker(engine.url);
      workers.push(fresh);
      await whenOpen(fresh);
      await expect(firstValueFrom(fresh.trigger('fuzz::echo', 'fresh'))).resolves.toBe('fresh');
      // the fuzz sockets' calls are cleaned up with them
      await Promise.all(raws.splice(0).map((c) => c.close(true)));
      await expect(firstValueFrom(caller.trigger('fuzz::echo', 'clean'))).resolves.toBe('clean');
    });
  });

  describe('engine channel sockets and HTTP', () => {
    let engine: EmbeddedEngine;
    let control: RawClient;
    const { logger, entries } = recordingLogger();

    beforeAll(async () => {
      // the lost-writer endings below check the opt-in 1011 writer_lost report
      engine = await startEngine({ port: 0, logger, maxPayloadBytes: MAX_PAYLOAD, channelReportWriterLoss: true });
      control = (await openWorker(engine.url)).client;
    });

    afterAll(async () => {
      await control.close(true);
      await engine.close();
    });

    const create = async (data: unknown) => {
      const id = randomUUID();
      await control.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data });
      return control.next((f) => f.invocation_id === id);
    };
    const endUrl = (ref: { channel_id: string; access_key: string }, dir: string) =>
      `${engine.url}/ws/channels/${ref.channel_id}?key=${encodeURIComponent(ref.access_key)}&dir=${dir}`;

    it('delivers what was sent in order, reports a lost writer, refuses bad upgrades, and stays up', async () => {
      const rng = new Prng(SEED ^ 0x5eed);
      const outcome = { normal: 0, lostWriter: 0, badUtf8: 0, readerGone: 0, refused: 0, badCreate: 0 };
      for (let c = 0; c < CHANNELS; c++) {
        // sometimes a bad buffer_size: answered with deserialization_error, never a crash
        if (rng.chance(0.1)) {
          const reply = await create({ buffer_size: rng.pick([-1, 1.5, 'x', [], {}, 2 ** 64, null]) });
          if (reply.error) {
            expect(reply.error.code).toBe('deserialization_error');
            outcome.badCreate++;
          }
          continue;
        }
        const { result } = await create({ buffer_size: rng.int(5) });
        const ref = result.writer as { channel_id: string; access_key: string };

        // hostile upgrades next to the real ones
        if (rng.chance(0.3)) {
          const bad = rng.pick([
            endUrl({ ...ref, access_key: randomUUIDFrom(rng) }, 'read'),
            endUrl({ ...ref, access_key: ref.access_key.slice(0, rng.int(36)) }, 'write'),
            endUrl({ channel_id: randomUUIDFrom(rng), access_key: ref.access_key }, 'read'),
            endUrl(ref, rng.pick(['READ', 'x', ''])),
            `${engine.url}/ws/channels/${ref.channel_id}?dir=read`,
            `${engine.url}/ws/channels/%E0%A4%A?key=k&dir=read`,
            `${engine.url}/ws/channels/${ref.channel_id}/x?key=${ref.access_key}&dir=read`,
          ]);
          const err = await RawClient.open(bad).then(
            (client) => {
              void client.close(true);
              throw new Error(`bad upgrade accepted: ${bad}`);
            },
            (e: { status?: number }) => e,
          );
          expect([400, 404]).toContain(err.status);
          outcome.refused++;
        }

        const reader = await RawClient.open(endUrl(ref, 'read'));
        const writer = await RawClient.open(endUrl(ref, 'write'));
        const sent: Array<{ data: Buffer; binary: boolean }> = [];
        const messages = rng.int(12);
        for (let i = 0; i < messages; i++) {
          const binary = rng.chance(0.6);
          const data = binary ? rng.bytes(rng.int(70_000)) : Buffer.from(new FrameFuzzer(rng).string());
          sent.push({ data, binary });
          await writer.send(data, binary);
          // a reader talking back is ignored
          if (rng.chance(0.1)) await reader.send(rng.bytes(rng.int(100)), true);
        }
        const ending = rng.int(10);
        if (ending < 6) {
          await writer.close();
          const close = await reader.closed;
          expect(close.code).toBe(1005);
          expect(reader.messages.map((m) => [m.binary, m.data.toString('hex')])).toEqual(sent.map((m) => [m.binary, m.data.toString('hex')]));
          outcome.normal++;
        } else if (ending < 8) {
          await writer.close(true);
          const close = await reader.closed;
          expect(close).toEqual({ code: 1011, reason: 'writer_lost' });
          // whatever arrived is a prefix of what was sent
          expect(reader.messages.map((m) => m.data.toString('hex'))).toEqual(sent.slice(0, reader.messages.length).map((m) => m.data.toString('hex')));
          outcome.lostWriter++;
        } else if (ending < 9) {
          // a text frame that is not UTF-8: the engine closes that writer with 1007, the reader learns it was lost
          writer.ws.send(Buffer.from([0xc3, 0x28, 0xff]), { binary: false });
          expect((await writer.closed).code).toBe(1007);
          expect(await reader.closed).toEqual({ code: 1011, reason: 'writer_lost' });
          outcome.badUtf8++;
        } else {
          await reader.close(true);
          // the writer is dropped at its next push once the engine has seen the reader go
          let writerClosed = false;
          void writer.closed.then(() => (writerClosed = true));
          while (!writerClosed) {
            await writer.send(Buffer.from('after'), true).catch(() => undefined);
            await new Promise((r) => setTimeout(r, 1));
          }
          const close = await writer.closed;
          expect(close.code).toBe(1006);
          outcome.readerGone++;
        }
        await Promise.all([reader.close(true), writer.close(true)]);
      }

      // garbage straight onto the TCP port: answered 400 (or just closed), never a crash
      for (let i = 0; i < 20; i++) {
        await new Promise<void>((resolve) => {
          const s = net.connect(engine.port, '127.0.0.1', () => s.end(rng.bytes(rng.int(600))));
          s.on('data', () => undefined);
          s.on('error', () => resolve());
          s.on('close', () => resolve());
        });
      }

      process.stdout.write(`fuzz channels: ${JSON.stringify({ seed: SEED, outcome })}\n`);
      expect(entries.filter((e) => e.level === 'error')).toEqual([]);
      // every refused upgrade was logged
      const refusedLogs = entries.filter((e) => e.message === 'upgrade refused' || e.message === 'channel not found (unknown id or wrong key)').length;
      expect(refusedLogs).toBeGreaterThanOrEqual(outcome.refused);
      // every writer closed for a text frame that is not UTF-8 was logged with the reason
      const badUtf8Logs = entries.filter((e) => e.message === 'channel socket error' && e.details?.code === 'WS_ERR_INVALID_UTF8').length;
      expect(badUtf8Logs).toBe(outcome.badUtf8);
      // still up: a fresh worker and a fresh channel work
      const w = await openWorker(engine.url);
      const fresh = (await create({})).result;
      const r = await RawClient.open(endUrl(fresh.reader, 'read'));
      const wr = await RawClient.open(endUrl(fresh.writer, 'write'));
      await wr.send('ok');
      await wr.close();
      expect((await r.closed).code).toBe(1005);
      expect(r.messages.map((m) => m.data.toString())).toEqual(['ok']);
      await w.client.close(true);
      expect(engine.stats().channelSockets).toBe(0);
    });
  });

  describe('client frame decoders', () => {
    it('decodeFrame and decodeInbound never throw and agree on every input', () => {
      const rng = new Prng(SEED ^ 0xdec0de);
      const fuzzer = new FrameFuzzer(rng, ['a::b'], 4096, 2000);
      const outcomes: Record<string, number> = {};
      const disagreements: string[] = [];
      const thrown: string[] = [];
      const CODES = ['INVALID_JSON', 'NOT_AN_OBJECT', 'UNKNOWN_TYPE', 'INVALID_FIELD', 'EMPTY'];
      for (let i = 0; i < DECODER_INPUTS; i++) {
        const m = fuzzer.next();
        // engine-to-worker frames too: results and calls are the hot path of decodeInbound
        const input = rng.chance(0.3) ? JSON.stringify(engineToWorker(fuzzer, rng)) : m.data;
        const forms: Array<string | Uint8Array> = typeof input === 'string' ? [input, new Uint8Array(Buffer.from(input))] : [input, input.toString('utf8')];
        for (const form of forms) {
          let ra: ReturnType<typeof decodeFrame>;
          let rb: ReturnType<typeof decodeInbound>;
          try {
            ra = decodeFrame(form as string | Buffer);
            rb = decodeInbound(form);
          } catch (err) {
            thrown.push(`${(err as Error).message}: ${String(form).slice(0, 200)}`);
            continue;
          }
          const key = ra.ok ? `ok:${ra.frame.type}` : `fail:${ra.code}`;
          outcomes[key] = (outcomes[key] ?? 0) + 1;
          if (ra.ok !== rb.ok || (!ra.ok && !rb.ok && ra.code !== rb.code)) {
            if (disagreements.length < 5) disagreements.push(typeof form === 'string' ? form.slice(0, 300) : Buffer.from(form).toString('utf8').slice(0, 300));
          }
          if (!ra.ok && (!CODES.includes(ra.code) || typeof ra.message !== 'string')) thrown.push(`bad failure shape ${JSON.stringify(ra)}`);
          // the hand-checked fast path of calls and results accepts exactly what their io-ts codecs accept
          const hot = hotFrameOf(form);
          if (hot && isHotFrame(hot) !== isRight((FRAME_CODECS[hot.type as 'invokefunction'] as t.Mixed).decode(hot))) {
            if (disagreements.length < 5) disagreements.push(`fast path: ${JSON.stringify(hot).slice(0, 300)}`);
          }
        }
      }
      process.stdout.write(`fuzz decoders: ${JSON.stringify({ seed: SEED, inputs: DECODER_INPUTS, outcomes })}\n`);
      expect(thrown).toEqual([]);
      expect(disagreements).toEqual([]);
      expect(Object.keys(outcomes).filter((k) => k.startsWith('fail:')).length).toBeGreaterThanOrEqual(4);
      expect(Object.keys(outcomes).filter((k) => k.startsWith('ok:')).length).toBeGreaterThanOrEqual(8);
    });
  });
});

/** The parsed object of a text or bytes, when it is an `invokefunction` or `invocationresult` (the fast-pathed types). */
function hotFrameOf(form: string | Uint8Array): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(typeof form === 'string' ? form : Buffer.from(form).toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) && (v.type === 'invokefunction' || v.type === 'invocationresult') ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A random (often mutated) engine-to-worker result or call, the frames decodeFrame fast-paths. */
function engineToWorker(fuzzer: FrameFuzzer, rng: Prng): Record<string, unknown> {
  const f: Record<string, unknown> =
    rng.chance(0.5)
      ? { type: 'invocationresult', invocation_id: randomUUIDFrom(rng), function_id: 'a::b', result: fuzzer.anyValue() }
      : { type: 'invokefunction', invocation_id: randomUUIDFrom(rng), function_id: 'a::b', data: fuzzer.anyValue(), action: rng.pick([undefined, { type: 'void' }, { type: 'enqueue', queue: 'q' }, { type: 'enqueue' }]) };
  for (let n = rng.int(3); n > 0; n--) {
    const k = rng.pick(['invocation_id', 'function_id', 'traceparent', 'baggage', 'action', 'error', 'result', 'data', 'metadata']);
    f[k] = rng.chance(0.3) ? undefined : fuzzer.anyValue();
  }
  return f;
}

