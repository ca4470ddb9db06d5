/**
 * Channel memory through the demand protocol: 1 GiB through each idiomatic form, each party in its own
 * process, RSS of each sampled every 50 ms (idle = connected, before the first byte; growth = peak − idle).
 * Target: every process of every form grows by at most 64 MiB. Baseline in the same run: the plain `ws`
 * relay (raw writer → relay → raw reader) at full speed.
 *
 *   consume-pipeline   iii-rx writer → engine → reader.pipe(map, filter, consume(slow consumer ~--slow-mbps))
 *   pulled-writer      pulled(async generator).pipe(writeChannel(writer)) → engine → consume at ~2× --slow-mbps
 *   payload-observable a worker triggers a function with { values: pulled(generator) } in the payload; the
 *                      handler consumes the values with consume(slow consumer ~--slow-mbps)
 *   big-frames         raw `ws` writer sending 8 MiB binary frames → engine → reader.pipe(consume(...)) at
 *                      ~4× --slow-mbps (engine: `channelMaxQueuedBytes` 8 MiB, otherwise defaults: frames assembled
 *                      into pooled buffers; BENCH_RELAY=1 for the opt-in `channelRelayFrameBytes` 1 MiB,
 *                      BENCH_DEFAULT_CAP=1 for the default 64 MiB `channelMaxQueuedBytes`, BENCH_NO_POOL=1 for
 *                      `channelFramePoolBytes: 0`, i.e. the engine before the pool); its own
 *                      baseline: the same 8 MiB frames through the plain ws relay into a raw reader
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/channel-demand-memory.js [--mib 1024] [--slow-mbps 50]
 *
 * Prints one JSON line per run and a summary line.
 */
import { fork } from 'node:child_process';
import { EMPTY, filter, firstValueFrom, lastValueFrom, map, Observable } from 'rxjs';
import { startEngine } from '../lib/engine/startEngine';
import { connectWorker } from '../lib/worker/connectWorker';
import { createChannel } from '../lib/channel/createChannel';
import { ChannelReader, channelReader } from '../lib/channel/ChannelReader';
import { channelWriter } from '../lib/channel/ChannelWriter';
import { channelUrl } from '../lib/channel/channelUrl';
import { writeChannel } from '../lib/channel/writeChannel';
import { consume } from '../lib/demand/consume';
import { pulled } from '../lib/demand/pulled';
import type { StreamChannelRef } from '../lib/protocol/StreamChannelRef';
import { Child, MiB, rssMiB, runScenario, sampleRss } from './channel-throughput';
import { rawRead, rawWrite, startWsRelay } from './ws-relay/wsRelay';
import { numberFlag, pacer, runBench, send, sleep, waitGo } from './support/benchChild';
import type { Msg } from './support/benchChild';

const FRAME = 64 * 1024;

async function* chunks(bytes: number): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < bytes; sent += FRAME) {
    // a fresh buffer per chunk, as a real producer would make: garbage the pipeline must not pile up
    yield Buffer.alloc(Math.min(FRAME, bytes - sent), 0x5a);
  }
}

/** With BENCH_TRACE set, prints this process's memory every 250 ms to stderr (for finding where it goes). */
function traceMemory(who: string): NodeJS.Timeout | undefined {
  if (!process.env.BENCH_TRACE) return undefined;
  return setInterval(() => {
    const m = process.memoryUsage();
    const mib = (n: number) => Math.round(n / MiB);
    console.error(`${who} rss ${mib(m.rss)} heap ${mib(m.heapUsed)}/${mib(m.heapTotal)} external ${mib(m.external)} arrayBuffers ${mib(m.arrayBuffers)}`);
  }, 250);
}

async function runChild(role: string, args: string[]): Promise<void> {
  const [url, refJson, bytesText, mbpsText] = args;
  const ref = refJson ? (JSON.parse(refJson) as StreamChannelRef) : undefined;
  const bytes = Number(bytesText ?? 0);
  const mbps = Number(mbpsText ?? 0);
  switch (role) {
    case 'engine': {
      // default engine (large frames assembled into pooled buffers), at most 8 MiB held for the reader;
      // BENCH_RELAY=1: the opt-in relay of large frames as they arrive instead; BENCH_DEFAULT_CAP=1: the
      // default byte cap (64 MiB) instead of 8 MiB; BENCH_NO_POOL=1: no frame pool (`ws` assembles every frame)
      const relay = process.env.BENCH_RELAY ? { channelRelayFrameBytes: MiB } : {};
      const cap = process.env.BENCH_DEFAULT_CAP ? {} : { channelMaxQueuedBytes: 8 * MiB };
      const pool = process.env.BENCH_NO_POOL ? { channelFramePoolBytes: 0 } : {};
      const engine = await startEngine({ port: 0, ...cap, ...relay, ...pool });
      send({ type: 'ready', url: engine.url });
      const trace = traceMemory('engine');
      await waitGo();
      if (trace) clearInterval(trace);
      await engine.close();
      return;
    }
    case 'consume-reader': {
      send({ type: 'ready' });
      const trace = traceMemory('reader');
      let total = 0;
      const pace = pacer(mbps);
      await lastValueFrom(
        channelReader(url, ref!).pipe(
          map((item) => (typeof item === 'string' ? Buffer.from(item) : item)),
          filter((chunk) => chunk.byteLength > 0),
          consume(async (chunk) => {
            total += chunk.byteLength;
            await pace(chunk.byteLength);
          }),
        ),
        { defaultValue: undefined },
      );
      if (trace) clearInterval(trace);
      send({ type: 'done', t1: Date.now(), bytes: total });
      return;
    }
    case 'pulled-writer': {
      send({ type: 'ready' });
      await waitGo();
      const t0 = Date.now();
      const last = await lastValueFrom(pulled(chunks(bytes)).pipe(writeChannel(channelWriter(url, ref!))));
      send({ type: 'done', t0, bytes: last.bytes });
      return;
    }
    case 'raw-big-writer': {
      send({ type: 'ready' });
      await waitGo();
      const t0 = Date.now();
      await rawWrite(channelUrl(url, ref!), bytes, 8 * MiB, 8 * MiB);
      send({ type: 'done', t0, bytes });
      return;
    }
    case 'payload-consumer': {
      // receives { values: <an Observable put in the payload> } and consumes it slowly
      const worker = connectWorker(url, { workerName: 'bench-payload-consumer' });
      let total = 0;
      const pace = pacer(mbps);
      let finished!: () => void;
      const done = new Promise<void>((r) => (finished = r));
      worker.registerFunction('bench::sink', async (input: { values: unknown }) => {
        const values$ =
          input.values instanceof ChannelReader ? input.values.values$() : (input.values as Observable<unknown>);
        await lastValueFrom(
          values$.pipe(
            consume((value) => {
              const n = value instanceof Uint8Array ? value.byteLength : 0;
              total += n;
              return pace(n) ?? EMPTY;
            }),
          ),
          { defaultValue: undefined },
        );
        finished();
        return total;
      });
      await sleep(200);
      send({ type: 'ready' });
      await done;
      send({ type: 'done', t1: Date.now(), bytes: total });
      await sleep(200);
      await worker.close();
      return;
    }
    case 'payload-producer': {
      const worker = connectWorker(url, { workerName: 'bench-payload-producer' });
      send({ type: 'ready' });
      await waitGo();
      const t0 = Date.now();
      await firstValueFrom(worker.trigger('bench::sink', { values: pulled(chunks(bytes)) }, { timeoutMs: 3_600_000 }));
      send({ type: 'done', t0, bytes });
      await worker.close();
      return;
    }
    case 'relay': {
      const relay = await startWsRelay(8 * MiB);
      send({ type: 'ready', url: relay.url });
      await waitGo();
      await relay.close();
      return;
    }
    case 'relay-big-writer': {
      send({ type: 'ready' });
      await waitGo();
      const t0 = Date.now();
      await rawWrite(`${url}/w`, bytes, 8 * MiB, 8 * MiB);
      send({ type: 'done', t0, bytes });
      return;
    }
    case 'relay-reader': {
      send({ type: 'ready' });
      const total = await rawRead(`${url}/r`);
      send({ type: 'done', t1: Date.now(), bytes: total });
      return;
    }
    default:
      throw new Error(`unknown role ${role}`);
  }
}

function spawnChild(role: string, args: string[]): Child {
  const proc = fork(__filename, ['--child', role, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: Msg[] = [];
  const waiters: { type: string; resolve(m: Msg): void; reject(e: Error): void }[] = [];
  proc.on('message', (m: Msg) => {
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
    else queue.push(m);
  });
  proc.on('exit', (code) => {
    if (code) for (const w of waiters.splice(0)) w.reject(new Error(`${role} exited with ${code}`));
  });
  return {
    proc,
    peakRssMiB: 0,
    idleRssMiB: 0,
    next: (type) => {
      const i = queue.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]);
      return new Promise((resolve, reject) => waiters.push({ type, resolve, reject }));
    },
    go: () => proc.send({ type: 'go' }),
  };
}

const exited = (c: Child) =>
  c.proc.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => c.proc.once('exit', () => r()));
const round = (n: number) => Math.round(n * 10) / 10;

/** One form: engine, writer and reader processes; returns speed and each process's RSS growth. */
async function runForm(writerRole: string, readerRole: string, bytes: number, readerMbps: number) {
  const relay = writerRole.startsWith('relay-');
  const payload = writerRole.startsWith('payload-');
  const engine = spawnChild(relay ? 'relay' : 'engine', []);
  const { url } = (await engine.next('ready')) as unknown as { url: string };
  let readerRef: StreamChannelRef | null = null;
  let writerRef: StreamChannelRef | null = null;
  if (!relay && !payload) {
    const worker = connectWorker(url, { workerName: 'bench-parent' });
    const channel = await firstValueFrom(createChannel(worker, { bufferSize: 64 }));
    await worker.close();
    readerRef = channel.readerRef;
    writerRef = channel.writerRef;
  }
  const reader = spawnChild(readerRole, [url, JSON.stringify(readerRef), String(bytes), String(readerMbps)]);
  const writer = spawnChild(writerRole, [url, JSON.stringify(writerRef), String(bytes)]);
  await Promise.all([reader.next('ready'), writer.next('ready')]);
  await sleep(300);
  const parties = { [relay ? 'relay' : 'engine']: engine, writer, reader };
  for (const c of Object.values(parties)) c.idleRssMiB = c.peakRssMiB = rssMiB(c.proc.pid!);
  const stop = sampleRss(Object.values(parties));
  writer.go();
  const [w, r] = await Promise.all([writer.next('done'), reader.next('done')]);
  stop();
  engine.go();
  await Promise.all(Object.values(parties).map(exited));
  if (r.bytes !== bytes) throw new Error(`${readerRole}: reader got ${String(r.bytes)} of ${bytes} bytes`);
  const seconds = ((r.t1 as number) - (w.t0 as number)) / 1000;
  const rss = Object.fromEntries(
    Object.entries(parties).map(([k, c]) => [k, { idle: round(c.idleRssMiB), peak: round(c.peakRssMiB) }]),
  );
  const growthMiB = Object.fromEntries(
    Object.entries(parties).map(([k, c]) => [k, round(c.peakRssMiB - c.idleRssMiB)]),
  );
  return { mbps: round(bytes / 1e6 / seconds), seconds: round(seconds), bytes, rss, growthMiB };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const bytes = numberFlag('mib', 1024) * MiB;
  const slow = numberFlag('slow-mbps', 50);
  const limitMiB = 64;
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const summary: Record<string, { maxGrowthMiB: number; within: boolean; mbps: number }> = {};
  const relay = only ? { rss: {} as Record<string, { idle: number; peak: number }> } : await runScenario('ws', bytes);
  const relayGrowth = Object.fromEntries(Object.entries(relay.rss).map(([k, v]) => [k, round(v.peak - v.idle)]));
  console.log(JSON.stringify({ bench: 'channel-demand-memory', run: 'ws-relay-baseline', ...relay, growthMiB: relayGrowth }));
  const forms: [string, string, string, number][] = [
    ['consume-pipeline', 'pulled-writer', 'consume-reader', slow],
    ['pulled-writer', 'pulled-writer', 'consume-reader', slow * 2],
    ['payload-observable', 'payload-producer', 'payload-consumer', slow],
    ['big-frames', 'raw-big-writer', 'consume-reader', slow * 4],
    // baseline for the form above: the same 8 MiB frames through the plain ws relay into a raw reader
    ['big-frames-ws-relay-baseline', 'relay-big-writer', 'relay-reader', 0],
  ];
  for (const [name, writerRole, readerRole, mbps] of forms) {
    if (only && name !== only) continue;
    const r = await runForm(writerRole, readerRole, bytes, mbps);
    const maxGrowthMiB = Math.max(...Object.values(r.growthMiB));
    const within = maxGrowthMiB <= limitMiB;
    if (!name.includes('baseline')) summary[name] = { maxGrowthMiB, within, mbps: r.mbps };
    console.log(
      JSON.stringify({ bench: 'channel-demand-memory', run: name, readerMbpsTarget: mbps, ...r, limitMiB, within, relayGrowthMiB: relayGrowth }),
    );
  }
  console.log(
    JSON.stringify({
      bench: 'channel-demand-memory',
      summary: true,
      forms: summary,
      relayMaxGrowthMiB: Math.max(...Object.values(relayGrowth)),
      limitMiB,
      allWithin: Object.values(summary).every((s) => s.within),
    }),
  );
}

if (require.main === module) runBench(main, runChild);
