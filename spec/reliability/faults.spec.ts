import { createHash } from 'node:crypto';
import { Observable, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { registerWorker } from 'iii-sdk';
import { ChannelReader as SdkChannelReader, ChannelWriter as SdkChannelWriter } from 'iii-sdk/channel';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import type { EngineOptions } from '../../lib/engine/EngineOptions';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker, WorkerOptions } from '../../lib/worker/Worker';
import { ChannelReader } from '../../lib/channel/ChannelReader';
import { ChannelWriter } from '../../lib/channel/ChannelWriter';
import { ChannelClosedError } from '../../lib/errors/ChannelClosedError';
import { InvocationError } from '../../lib/errors/InvocationError';
import { RawClient, waitFor } from '../engine/support/RawClient';
import { errorOf, syncWithEngine, whenOpen } from '../worker/workerTestKit';
import { Child, ChildKit, makeChildKit } from './support/childProcess';
import { patternChunk, patternDigest } from './support/pattern';

const fast: WorkerOptions = { reconnect: { initialDelayMs: 10, maxDelayMs: 50 } };

/** Bytes received so far and their running sha256, so a prefix can be checked against the pattern. */
function tally() {
  const hash = createHash('sha256');
  let bytes = 0;
  return {
    add(chunk: Uint8Array) {
      hash.update(chunk);
      bytes += chunk.byteLength;
    },
    get bytes() {
      return bytes;
    },
    digest: () => hash.digest('hex'),
  };
}

async function* endlessPattern(): AsyncGenerator<Uint8Array> {
  for (let i = 0; ; i++) yield patternChunk(i);
}

describe('faults', () => {
  let kit: ChildKit;
  let engine: EmbeddedEngine;
  const children: Child[] = [];
  const workers: Worker[] = [];
  const sdks: Array<ReturnType<typeof registerWorker>> = [];
  const raws: RawClient[] = [];
  let quiet: jest.SpyInstance[] = [];

  const child = (script: string, ...args: string[]) => {
    const c = new Child(script, args, kit.dir);
    children.push(c);
    return c;
  };
  const worker = (options: WorkerOptions = {}) => {
    const w = connectWorker(engine.url, { ...fast, ...options });
    workers.push(w);
    return w;
  };
  const sdk = () => {
    const s = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false, reconnectionConfig: { initialDelayMs: 10, maxDelayMs: 50 } } as never);
    sdks.push(s);
    return s;
  };
  const restartEngine = async (options: EngineOptions = {}) => {
    await engine?.close();
    // these faults check the opt-in writer-loss report (1011 writer_lost); the real engine's default is a silent end
    engine = await startEngine({ port: 0, channelReportWriterLoss: true, ...options });
  };

  beforeAll(() => {
    kit = makeChildKit();
    quiet = (['debug', 'info', 'log'] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => undefined));
  });

  beforeEach(async () => {
    await restartEngine();
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.killHard()));
    await Promise.all(raws.splice(0).map((c) => c.close(true)));
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await Promise.all(sdks.splice(0).map((s) => s.shutdown()));
    await engine.close();
  });

  afterAll(() => {
    kit.dispose();
    quiet.forEach((s) => s.mockRestore());
  });

  describe('kill -9 of a worker process mid-call', () => {
    it('iii-rx callee: the caller gets invocation_stopped, the functions go, a new process serves again', async () => {
      const callee = child(kit.faultChild, 'serve', engine.url);
      await callee.line(/^ready$/);
      const caller = worker();
      await whenOpen(caller);
      const outcome = errorOf(caller.trigger('fault::hang', { n: 1 }, { timeoutMs: 60_000 }));
      await callee.line(/^called fault::hang$/);
      await callee.killHard();
      const err = await outcome;
      expect(err).toBeInstanceOf(InvocationError);
      expect(err).toMatchObject({ code: 'invocation_stopped', functionId: 'fault::hang' });
      await waitFor(() => !engine.functionIds().includes('fault::hang'));
      expect(engine.stats().pendingInvocations).toBe(0);
      expect(caller.pendingCalls).toBe(0);

      const again = child(kit.faultChild, 'serve', engine.url);
      await again.line(/^ready$/);
      await expect(firstValueFrom(caller.trigger('fault::echo', 'still here'))).resolves.toBe('still here');
    });

    it('official iii-sdk callee, iii-sdk and iii-rx callers: both get invocation_stopped', async () => {
      const script = kit.script(
        'sdkCallee.js',
        `const { registerWorker } = require(${JSON.stringify(require.resolve('iii-sdk'))});
console.debug = () => {};
const iii = registerWorker(process.argv[2], { otel: { enabled: false }, enableMetricsReporting: false });
iii.registerFunction('fault::sdk-hang', async () => { process.stdout.write('called\\n'); await new Promise(() => {}); });
`,
      );
      const callee = child(script, engine.url);
      await waitFor(() => engine.functionIds().includes('fault::sdk-hang'));
      const rxCaller = worker();
      await whenOpen(rxCaller);
      const sdkCaller = sdk();
      const rxOutcome = errorOf(rxCaller.trigger('fault::sdk-hang', {}, { timeoutMs: 60_000 }));
      const sdkOutcome = sdkCaller.trigger({ function_id: 'fault::sdk-hang', payload: {}, timeoutMs: 60_000 } as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      await callee.line(/^called$/);
      await waitFor(() => callee.lines.filter((l) => l === 'called').length === 2);
      await callee.killHard();
      expect(await rxOutcome).toMatchObject({ code: 'invocation_stopped' });
      expect(await sdkOutcome).toMatchObject({ code: 'invocation_stopped' });
      await waitFor(() => !engine.functionIds().includes('fault::sdk-hang'));
    });
  });

  describe('kill -9 mid-stream', () => {
    it('iii-rx writer process dies: an iii-rx reader errors with ChannelClosedError after a clean prefix', async () => {
      const host = worker();
      const channel = await firstValueFrom(host.createChannel());
      const got = tally();
      const ended = new Promise<unknown>((resolve) =>
        channel.reader.bytes$.subscribe({ next: (c) => got.add(c), error: resolve, complete: () => resolve('complete') }),
      );
      const writer = child(kit.faultChild, 'write', engine.url, JSON.stringify(channel.writerRef));
      await writer.line(/^wrote \d+$/);
      await waitFor(() => got.bytes > 0);
      await writer.killHard();
      const end = await ended;
      expect(end).toBeInstanceOf(ChannelClosedError);
      expect((end as Error).message).toMatch(/1011 writer_lost/);
      // everything that arrived is exactly the start of what was written
      expect(got.digest()).toBe(patternDigest(got.bytes));
    });

    it('iii-rx writer process dies: an official iii-sdk reader just ends (it ignores close codes), with a clean prefix', async () => {
      const host = worker();
      const channel = await firstValueFrom(host.createChannel());
      const sdkReader = new SdkChannelReader(engine.url, channel.readerRef);
      const got = tally();
      const ended = new Promise<string>((resolve) => {
        sdkReader.stream.on('data', (c: Buffer) => got.add(c));
        sdkReader.stream.on('end', () => resolve('end'));
        sdkReader.stream.on('error', (e: Error) => resolve(`error ${e.message}`));
      });
      const writer = child(kit.faultChild, 'write', engine.url, JSON.stringify(channel.writerRef));
      await writer.line(/^wrote \d+$/);
      await waitFor(() => got.bytes > 0);
      await writer.killHard();
      expect(await ended).toBe('end');
      expect(got.digest()).toBe(patternDigest(got.bytes));
    });

    it('reader process dies: the iii-rx writer errors with ChannelClosedError', async () => {
      const host = worker();
      const channel = await firstValueFrom(host.createChannel());
      const written = errorOf(channel.writer.write(endlessPattern()));
      const reader = child(kit.faultChild, 'read', engine.url, JSON.stringify(channel.readerRef));
      await reader.line(/^read \d+$/);
      await reader.killHard();
      // never a raw socket error (it used to be "write ECONNRESET" when the drop raced a send)
      expect(await written).toBeInstanceOf(ChannelClosedError);
      await waitFor(() => engine.stats().channelSockets === 0);
    });
  });

  describe('channel sockets dropped mid-stream (in process)', () => {
    const endUrl = (ref: { channel_id: string; access_key: string; direction: string }) =>
      `${engine.url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}`;

    it('terminated reader socket: the writer gets ChannelClosedError', async () => {
      const host = worker();
      const channel = await firstValueFrom(host.createChannel());
      const written = errorOf(channel.writer.write(endlessPattern()));
      const r = await RawClient.open(endUrl(channel.readerRef));
      raws.push(r);
      await r.nextMessage();
      await r.close(true);
      expect(await written).toBeInstanceOf(ChannelClosedError);
    });

    it('terminated writer socket: the reader errors; a writer that closes normally ends it cleanly', async () => {
      const host = worker();
      const lost = await firstValueFrom(host.createChannel());
      const w = await RawClient.open(endUrl(lost.writerRef));
      raws.push(w);
      const lostEnd = errorOf(lost.reader.text$);
      await w.send('partial');
      await w.close(true);
      expect(await lostEnd).toBeInstanceOf(ChannelClosedError);

      const fine = await firstValueFrom(host.createChannel());
      const w2 = await RawClient.open(endUrl(fine.writerRef));
      raws.push(w2);
      const all = lastValueFrom(fine.reader.text$, { defaultValue: undefined });
      await w2.send('whole');
      await w2.close();
      await expect(all).resolves.toBe('whole');
    });

    it('official iii-sdk writer: end() ends an iii-rx reader cleanly, destroy() (a drop) errors it', async () => {
      const host = worker();
      const ended = await firstValueFrom(host.createChannel());
      const endedText = lastValueFrom(ended.reader.bytes$.pipe(toArray()));
      const w1 = new SdkChannelWriter(engine.url, ended.writerRef);
      w1.stream.write(Buffer.from('all of it'));
      w1.stream.end();
      expect(Buffer.concat((await endedText).map((b) => Buffer.from(b))).toString()).toBe('all of it');

      const dropped = await firstValueFrom(host.createChannel());
      const got: Uint8Array[] = [];
      const droppedEnd = new Promise<unknown>((resolve) => dropped.reader.bytes$.subscribe({ next: (b) => got.push(b), error: resolve, complete: () => resolve('complete') }));
      const w2 = new SdkChannelWriter(engine.url, dropped.writerRef);
      await new Promise<void>((resolve) => w2.stream.write(Buffer.from('part'), () => resolve()));
      await waitFor(() => got.length > 0);
      w2.stream.destroy();
      expect(await droppedEnd).toBeInstanceOf(ChannelClosedError);
    });

    it('with channelReportWriterLoss off (the default) the reader ends normally, as against upstream', async () => {
      await restartEngine({ channelReportWriterLoss: false });
      const host = worker();
      const channel = await firstValueFrom(host.createChannel());
      const w = await RawClient.open(endUrl(channel.writerRef));
      raws.push(w);
      const all = lastValueFrom(channel.reader.text$, { defaultValue: undefined });
      await w.send('partial');
      await w.close(true);
      await expect(all).resolves.toBe('partial');
    });

    it('an iii-rx writer whose source fails drops its socket: the reader errors instead of taking a truncated end', async () => {
      const host = worker();
      const channel = await firstValueFrom(host.createChannel());
      const readEnd = errorOf(channel.reader.text$);
      const source = new Observable<string>((s) => {
        s.next('one');
        setTimeout(() => s.error(new Error('source broke')), 10);
      });
      const writeEnd = await errorOf(channel.writer.write(source));
      expect((writeEnd as Error).message).toBe('source broke');
      expect(await readEnd).toBeInstanceOf(ChannelClosedError);
    });
  });

  describe('engine restart and socket drops while workers are connected', () => {
    const expected = ['a::one', 'a::two', 'b::one', 'c::one', 'sdk::one'].sort();

    async function fleet() {
      const a = worker();
      const b = worker();
      const c = worker();
      a.registerFunction('a::one', () => 'a1');
      a.registerFunction('a::two', () => 'a2');
      b.registerFunction('b::one', () => 'b1');
      c.registerFunction('c::one', () => 'c1');
      const s = sdk();
      s.registerFunction('sdk::one', async () => 'sdk1');
      await Promise.all([a, b, c].map((w) => syncWithEngine(w)));
      await waitFor(() => engine.functionIds().includes('sdk::one'));
      return { a, b, c, s };
    }

    async function callAll(from: Worker) {
      return Promise.all(expected.map((id) => firstValueFrom(from.trigger(id, {}, { timeoutMs: 10_000 }))));
    }

    const settle = async () => {
      await waitFor(() => engine.stats().workers === 4 && [...engine.functionIds()].sort().join() === expected.join());
    };

    it('restart on the same port: everyone re-registers once, no duplicates, no stuck calls', async () => {
      const { a } = await fleet();
      const port = engine.port;
      for (let round = 0; round < 3; round++) {
        await engine.close();
        for (let attempt = 0; ; attempt++) {
          try {
            engine = await startEngine({ port });
            break;
          } catch (err) {
            if (attempt > 100 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        await settle();
        expect(engine.functionIds()).toHaveLength(expected.length);
        expect(new Set(engine.functionIds()).size).toBe(expected.length);
        await whenOpen(a);
        expect(await callAll(a)).toEqual(['a1', 'a2', 'b1', 'c1', 'sdk1']);
        expect(engine.stats().pendingInvocations).toBe(0);
        expect(a.pendingCalls).toBe(0);
      }
    });

    it('engine process killed with -9 mid-call and a new one started on the same port: calls settle, workers re-register once', async () => {
      const engineProcess = (port: number) => child(kit.engineChild, JSON.stringify({ port }));
      let proc = engineProcess(0);
      const url = (await proc.line(/^url /)).slice(4);
      const port = Number(new URL(url).port);
      const callee = connectWorker(url, fast);
      const caller = connectWorker(url, fast);
      workers.push(callee, caller);
      let started = 0;
      callee.registerFunction('crash::slow', (n: number) => {
        started++;
        return new Promise<number>((resolve) => setTimeout(() => resolve(n), 50));
      });
      callee.registerFunction('crash::other', () => 'other');
      const sdkScript = kit.script(
        'sdkWorker.js',
        `const { registerWorker } = require(${JSON.stringify(require.resolve('iii-sdk'))});
console.debug = () => {};
const iii = registerWorker(process.argv[2], { otel: { enabled: false }, enableMetricsReporting: false, reconnectionConfig: { initialDelayMs: 10, maxDelayMs: 50 } });
iii.registerFunction('crash::sdk', async () => 'sdk');
`,
      );
      child(sdkScript, url);
      const listIds = async () => {
        const out = await firstValueFrom(caller.trigger<{ functions: Array<{ function_id: string; builtin?: boolean }> }>('engine::functions::list', {}));
        return out.functions.filter((f) => !f.builtin).map((f) => f.function_id).sort();
      };
      const expected = ['crash::other', 'crash::sdk', 'crash::slow'];
      await syncWithEngine(callee);
      await whenOpen(caller);
      while ((await listIds()).join() !== expected.join()) await new Promise((r) => setTimeout(r, 10));

      const inFlight = Array.from({ length: 20 }, (_, i) =>
        firstValueFrom(caller.trigger<number>('crash::slow', i, { timeoutMs: 10_000 })).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
      await waitFor(() => started > 0);
      await proc.killHard();
      for (let attempt = 0; ; attempt++) {
        proc = engineProcess(port);
        try {
          await proc.line(/^url /);
          break;
        } catch (err) {
          // the port may take a moment to be free again
          if (attempt > 50) throw err;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      const settled = await Promise.all(inFlight);
      settled.forEach((o, i) => {
        if (o.ok) expect(o.value).toBe(i);
        else expect(['CONNECTION_LOST', 'invocation_stopped', 'function_not_found']).toContain((o.error as InvocationError).code);
      });
      expect(caller.pendingCalls).toBe(0);
      await whenOpen(caller);
      while ((await listIds()).join() !== expected.join()) await new Promise((r) => setTimeout(r, 10));
      expect(await listIds()).toEqual(expected);
      await expect(firstValueFrom(caller.trigger('crash::sdk', {}))).resolves.toBe('sdk');
      await expect(firstValueFrom(caller.trigger<number>('crash::slow', 7))).resolves.toBe(7);
      await proc.stop();
    });

    it('every worker socket dropped by the network: reattach evicts nothing twice, registrations stay unique', async () => {
      const { a } = await fleet();
      for (let round = 0; round < 3; round++) {
        const before = engine.workerIds();
        for (const id of before) engine.terminateWorker(id);
        await waitFor(() => engine.workerIds().every((id) => !before.includes(id)));
        await settle();
        expect(new Set(engine.functionIds()).size).toBe(engine.functionIds().length);
        await whenOpen(a);
        expect(await callAll(a)).toEqual(['a1', 'a2', 'b1', 'c1', 'sdk1']);
      }
      expect(engine.stats().pendingInvocations).toBe(0);
    });
  });
});
