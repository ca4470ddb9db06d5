/**
 * Channel throughput: MB/s of one stream of 64 KiB binary frames, writer → broker → reader, each party in
 * its own process, all in one run:
 *   (a) iii-rx writer  → embedded engine → iii-rx reader   (demand-aware path: pulled(generator) into
 *       writeChannel, reader.pipe(consume(...)))
 *   (b) iii-sdk writer → embedded engine → iii-sdk reader   (official iii-sdk 0.22.1 ChannelWriter/Reader)
 *   (c) raw ws writer  → plain ws relay (pauses on bufferedAmount) → raw ws reader   (baseline)
 * Throughput = bytes / (reader's last byte − writer's first write), both clocks on this machine. Each
 * scenario also reports the CPU time (user + system) of its three processes: on a machine shared with other
 * load MB/s swings from run to run, the work a path costs per GiB much less. The order of the scenarios
 * rotates each round; the summary gives the best and the median MB/s and the median CPU seconds per GiB.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/channel-throughput.js [--mib 256] [--rounds 1]
 *
 * Prints one JSON line per scenario and one summary line with ratios.
 */
import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { EMPTY, firstValueFrom, lastValueFrom } from 'rxjs';
import { ChannelReader as SdkChannelReader, ChannelWriter as SdkChannelWriter } from 'iii-sdk/channel';
import { startEngine } from '../lib/engine/startEngine';
import { connectWorker } from '../lib/worker/connectWorker';
import { createChannel } from '../lib/channel/createChannel';
import { channelReader } from '../lib/channel/ChannelReader';
import { channelWriter } from '../lib/channel/ChannelWriter';
import { writeChannel } from '../lib/channel/writeChannel';
import { consume } from '../lib/demand/consume';
import { pulled } from '../lib/demand/pulled';
import type { StreamChannelRef } from '../lib/protocol/StreamChannelRef';
import { rawRead, rawWrite, startWsRelay } from './ws-relay/wsRelay';
import { cpuMsSince, numberFlag, pacer, runBench, send, sleep, waitGo } from './support/benchChild';
import type { Msg } from './support/benchChild';

export const MiB = 1024 * 1024;
const FRAME = 64 * 1024;

// ---------------------------------------------------------------- child roles (one process each)


async function* chunks(bytes: number): AsyncGenerator<Buffer> {
  const chunk = Buffer.alloc(FRAME, 0x5a);
  for (let sent = 0; sent < bytes; sent += FRAME) yield bytes - sent >= FRAME ? chunk : chunk.subarray(0, bytes - sent);
}

export async function runChild(role: string, args: string[]): Promise<void> {
  const [url, refJson, bytesText, mbpsText] = args;
  const ref = refJson ? (JSON.parse(refJson) as StreamChannelRef) : undefined;
  const bytes = Number(bytesText ?? 0);
  const mbps = Number(mbpsText ?? 0);
  switch (role) {
    case 'engine': {
      const engine = await startEngine({ port: 0 });
      send({ type: 'ready', url: engine.url });
      const cpu0 = process.cpuUsage();
      await waitGo();
      send({ type: 'cpu', cpuMs: cpuMsSince(cpu0) });
      await engine.close();
      return;
    }
    case 'relay': {
      const relay = await startWsRelay();
      send({ type: 'ready', url: relay.url });
      const cpu0 = process.cpuUsage();
      await waitGo();
      send({ type: 'cpu', cpuMs: cpuMsSince(cpu0) });
      await relay.close();
      return;
    }
    case 'rx-writer': {
      send({ type: 'ready' });
      const cpu0 = process.cpuUsage();
      await waitGo();
      const t0 = Date.now();
      // the demand-aware path: a pulled generator into writeChannel
      const last = await lastValueFrom(pulled(chunks(bytes)).pipe(writeChannel(channelWriter(url, ref!))));
      send({ type: 'done', t0, bytes: last.bytes, cpuMs: cpuMsSince(cpu0) });
      return;
    }
    case 'rx-reader': {
      send({ type: 'ready' });
      const cpu0 = process.cpuUsage();
      let total = 0;
      const pace = pacer(mbps);
      // the demand-aware path: consume on the reader (which holds the socket while the consumer is busy)
      await lastValueFrom(
        channelReader(url, ref!).pipe(
          consume((item) => {
            const n = typeof item === 'string' ? item.length : item.byteLength;
            total += n;
            return pace(n) ?? EMPTY;
          }),
        ),
        { defaultValue: undefined },
      );
      send({ type: 'done', t1: Date.now(), bytes: total, cpuMs: cpuMsSince(cpu0) });
      return;
    }
    case 'sdk-writer': {
      send({ type: 'ready' });
      const cpu0 = process.cpuUsage();
      await waitGo();
      const t0 = Date.now();
      const writer = new SdkChannelWriter(url, ref!);
      for await (const c of chunks(bytes)) {
        if (!writer.stream.write(c)) await new Promise((r) => writer.stream.once('drain', r));
      }
      await new Promise<void>((resolve) => writer.stream.end(resolve));
      send({ type: 'done', t0, bytes, cpuMs: cpuMsSince(cpu0) });
      return;
    }
    case 'sdk-reader': {
      send({ type: 'ready' });
      const cpu0 = process.cpuUsage();
      const reader = new SdkChannelReader(url, ref!);
      let total = 0;
      const pace = pacer(mbps);
      for await (const c of reader.stream) {
        total += (c as Buffer).length;
        const p = pace((c as Buffer).length);
        if (p) await p;
      }
      send({ type: 'done', t1: Date.now(), bytes: total, cpuMs: cpuMsSince(cpu0) });
      return;
    }
    case 'ws-writer': {
      send({ type: 'ready' });
      const cpu0 = process.cpuUsage();
      await waitGo();
      const t0 = Date.now();
      await rawWrite(`${url}/w`, bytes, FRAME);
      send({ type: 'done', t0, bytes, cpuMs: cpuMsSince(cpu0) });
      return;
    }
    case 'ws-reader': {
      send({ type: 'ready' });
      const cpu0 = process.cpuUsage();
      const total = await rawRead(`${url}/r`);
      send({ type: 'done', t1: Date.now(), bytes: total, cpuMs: cpuMsSince(cpu0) });
      return;
    }
    default:
      throw new Error(`unknown role ${role}`);
  }
}

// ---------------------------------------------------------------- parent side

export interface Child {
  proc: ChildProcess;
  next(type: string): Promise<Msg>;
  peakRssMiB: number;
  idleRssMiB: number;
  go(): void;
}

export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export function spawnChild(role: string, args: string[]): Child {
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
  const child: Child = {
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
  return child;
}

/** Samples the children's RSS every 50 ms, keeping each one's peak. */
export function sampleRss(children: Child[]): () => void {
  const timer = setInterval(() => {
    for (const c of children) {
      const r = rssMiB(c.proc.pid!);
      if (r > c.peakRssMiB) c.peakRssMiB = r;
    }
  }, 50);
  return () => clearInterval(timer);
}

const exited = (c: Child) =>
  c.proc.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => c.proc.once('exit', () => r()));

/** What one stream through one broker measured. */
export interface ScenarioResult {
  mbps: number;
  seconds: number;
  bytes: number;
  rss: Record<string, { idle: number; peak: number }>;
  /** CPU time (user + system) each process used for the stream, in ms, and their sum. */
  cpuMs: { broker: number; writer: number; reader: number; total: number };
  /** The total CPU time per GiB streamed, in seconds: how much work the path costs, whatever else loads the machine. */
  cpuSecondsPerGiB: number;
}

/** One stream through one broker; returns timings, per-process RSS and CPU time. */
export async function runScenario(kind: 'rx' | 'sdk' | 'ws', bytes: number, readerMbps = 0): Promise<ScenarioResult> {
  const broker = spawnChild(kind === 'ws' ? 'relay' : 'engine', []);
  const { url } = (await broker.next('ready')) as unknown as { url: string };
  let readerRef: StreamChannelRef | undefined;
  let writerRef: StreamChannelRef | undefined;
  if (kind !== 'ws') {
    const worker = connectWorker(url, { workerName: 'bench-parent' });
    const channel = await firstValueFrom(createChannel(worker, { bufferSize: 64 }));
    readerRef = channel.readerRef;
    writerRef = channel.writerRef;
    await worker.close();
  }
  const reader = spawnChild(`${kind}-reader`, [url, JSON.stringify(readerRef ?? null), String(bytes), String(readerMbps)]);
  const writer = spawnChild(`${kind}-writer`, [url, JSON.stringify(writerRef ?? null), String(bytes)]);
  await Promise.all([reader.next('ready'), writer.next('ready')]);
  await sleep(300);
  for (const c of [broker, reader, writer]) c.idleRssMiB = c.peakRssMiB = rssMiB(c.proc.pid!);
  const stop = sampleRss([broker, reader, writer]);
  writer.go();
  const [w, r] = await Promise.all([writer.next('done'), reader.next('done')]);
  stop();
  broker.go();
  const brokerCpu = await broker.next('cpu');
  await Promise.all([broker, reader, writer].map(exited));
  const cpuMs = { broker: Number(brokerCpu.cpuMs), writer: Number(w.cpuMs), reader: Number(r.cpuMs), total: 0 };
  cpuMs.total = cpuMs.broker + cpuMs.writer + cpuMs.reader;
  const seconds = ((r.t1 as number) - (w.t0 as number)) / 1000;
  const round = (n: number) => Math.round(n * 10) / 10;
  const rss = Object.fromEntries(
    (
      [
        ['broker', broker],
        ['writer', writer],
        ['reader', reader],
      ] as const
    ).map(([k, c]) => [k, { idle: round(c.idleRssMiB), peak: round(c.peakRssMiB) }]),
  );
  if (r.bytes !== bytes) throw new Error(`${kind}: reader got ${String(r.bytes)} of ${bytes} bytes`);
  return {
    mbps: round(bytes / 1e6 / seconds),
    seconds: Math.round(seconds * 1000) / 1000,
    bytes,
    rss,
    cpuMs,
    cpuSecondsPerGiB: Math.round((cpuMs.total / 1000 / (bytes / (1024 * MiB))) * 100) / 100,
  };
}

/** The median of `values` (the mean of the middle two for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const bytes = numberFlag('mib', 256) * MiB;
  const rounds = numberFlag('rounds', 1);
  const kinds = ['ws', 'sdk', 'rx'] as const;
  const runs: Record<string, ScenarioResult[]> = { ws: [], sdk: [], rx: [] };
  for (let round = 0; round < rounds; round++) {
    // a different order each round, so that no path always runs first or last on a machine whose load drifts
    const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
    for (const kind of order) {
      const r = await runScenario(kind, bytes);
      console.log(JSON.stringify({ bench: 'channel-throughput', scenario: kind, round, frameBytes: FRAME, ...r }));
      runs[kind].push(r);
    }
  }
  const r2 = (n: number) => Math.round(n * 100) / 100;
  const best = Object.fromEntries(kinds.map((k) => [k, Math.max(...runs[k].map((r) => r.mbps))])) as Record<string, number>;
  const mid = Object.fromEntries(kinds.map((k) => [k, median(runs[k].map((r) => r.mbps))])) as Record<string, number>;
  const cpu = Object.fromEntries(kinds.map((k) => [k, median(runs[k].map((r) => r.cpuSecondsPerGiB))])) as Record<string, number>;
  console.log(
    JSON.stringify({
      bench: 'channel-throughput',
      summary: true,
      rounds,
      mbps: best,
      medianMbps: mid,
      rxOverRelay: r2(best.rx / best.ws),
      rxOverSdk: r2(best.rx / best.sdk),
      sdkOverRelay: r2(best.sdk / best.ws),
      medianRxOverSdk: r2(mid.rx / mid.sdk),
      // CPU seconds (all three processes) per GiB, median of the rounds; sdkCpuOverRx > 1: the iii-rx path does less work
      cpuSecondsPerGiB: cpu,
      sdkCpuOverRx: r2(cpu.sdk / cpu.rx),
    }),
  );
}

if (require.main === module) runBench(main, runChild);
