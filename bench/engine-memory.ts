/**
 * Engine memory benchmark: how much RSS the embedded engine adds while it brokers a large channel stream
 * into a slow reader. The engine runs in a child process (so its RSS is its own); an official iii-sdk
 * ChannelWriter pushes `--mib` MiB (default 256) through it into a raw `ws` reader that consumes slowly.
 * Baseline in the same run: the same bytes through a minimal `ws` relay child (writer socket → reader
 * socket, paused while the reader's buffer is full), pushed by a raw `ws` writer in 64 KiB frames.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/engine-memory.js [--mib 256] [--buffer-size 64]
 *
 * Prints one JSON line: {bench:"engine-memory", idleRssMiB, peakRssMiB, deltaMiB, bytes, bufferSize, ...,
 * baseline:{...}}.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerWorker } from 'iii-sdk';
import { createChannel } from 'iii-sdk/helpers';
import WebSocket, { WebSocketServer } from 'ws';
import { startEngine } from '../lib/engine/startEngine';

const MiB = 1024 * 1024;
const FRAME = 64 * 1024;

interface Args {
  mib: number;
  bufferSize: number;
  /** The reader pauses this long after every `pauseEveryMiB` MiB it receives. */
  pauseMs: number;
  pauseEveryMiB: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, def: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : def;
  };
  return { mib: get('mib', 256), bufferSize: get('buffer-size', 64), pauseMs: get('pause-ms', 20), pauseEveryMiB: get('pause-every-mib', 4) };
}

const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number) => Math.round(n * 10) / 10;

// ---------------------------------------------------------------- children

async function engineChild(): Promise<void> {
  const engine = await startEngine({ port: 0 });
  process.stdout.write(`${JSON.stringify({ url: engine.url })}\n`);
  process.on('SIGTERM', () => void engine.close().then(() => process.exit(0)));
}

/** A minimal relay: `/w` frames go to `/r`, writer paused while the reader socket holds over 1 MiB. */
async function relayChild(): Promise<void> {
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * MiB });
  let reader: WebSocket | undefined;
  let writer: WebSocket | undefined;
  let paused = false;
  const resumeIfDrained = () => {
    if (paused && writer && reader && reader.bufferedAmount < MiB) {
      paused = false;
      writer.resume();
    }
  };
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (req.url === '/r') {
        reader = ws;
        return;
      }
      writer = ws;
      ws.on('message', (data, isBinary) => {
        if (!reader) return;
        reader.send(data as Buffer, { binary: isBinary }, resumeIfDrained);
        if (reader.bufferedAmount >= MiB && !paused) {
          paused = true;
          ws.pause();
        }
      });
      ws.on('close', () => reader?.close());
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

// ---------------------------------------------------------------- parent

async function spawnChild(kind: 'engine' | 'relay'): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [__filename, '--child', kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)).url);
    });
    child.once('exit', (code) => reject(new Error(`${kind} child exited with ${code}`)));
  });
  return { child, url };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Reads everything from a raw ws reader, slowly; resolves with byte count and sha256. */
function slowRead(ws: WebSocket, args: Args): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let sincePause = 0;
  return new Promise((resolve, reject) => {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      hash.update(data);
      bytes += data.length;
      sincePause += data.length;
      if (sincePause >= args.pauseEveryMiB * MiB) {
        sincePause = 0;
        ws.pause();
        setTimeout(() => ws.resume(), args.pauseMs);
      }
    });
    ws.once('close', () => resolve({ bytes, sha256: hash.digest('hex') }));
    ws.once('error', reject);
  });
}

/** Samples a pid's RSS until stopped; returns the peak. */
function sampler(pid: number): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB(pid));
    },
  };
}

async function measureEngine(args: Args, block: Buffer): Promise<Record<string, unknown>> {
  const { child, url } = await spawnChild('engine');
  try {
    await sleep(500);
    const idle = rssMiB(child.pid!);
    const sdk = registerWorker(url, { otel: { enabled: false }, enableMetricsReporting: false, workerName: 'bench-writer' });
    const quietDebug = console.debug;
    console.debug = () => undefined;
    try {
      const channel = await createChannel(sdk, args.bufferSize);
      const readerUrl = `${url}/ws/channels/${channel.readerRef.channel_id}?key=${encodeURIComponent(channel.readerRef.access_key)}&dir=read`;
      const reader = new WebSocket(readerUrl, { perMessageDeflate: false });
      await new Promise((resolve, reject) => reader.once('open', resolve).once('error', reject));
      const sample = sampler(child.pid!);
      const started = process.hrtime.bigint();
      const read = slowRead(reader, args);
      const sent = createHash('sha256');
      const writer = channel.writer.stream;
      for (let i = 0; i < args.mib; i++) {
        sent.update(block);
        if (!writer.write(block)) await new Promise((resolve) => writer.once('drain', resolve));
      }
      writer.end();
      const got = await read;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const peak = sample.stop();
      return {
        idleRssMiB: round(idle),
        peakRssMiB: round(peak),
        deltaMiB: round(peak - idle),
        bytes: got.bytes,
        intact: got.bytes === args.mib * MiB && got.sha256 === sent.digest('hex'),
        seconds: round(seconds),
        MBps: round(got.bytes / MiB / seconds),
      };
    } finally {
      await sdk.shutdown();
      console.debug = quietDebug;
    }
  } finally {
    await stopChild(child);
  }
}

async function measureRelay(args: Args, block: Buffer): Promise<Record<string, unknown>> {
  const { child, url } = await spawnChild('relay');
  try {
    await sleep(500);
    const idle = rssMiB(child.pid!);
    const reader = new WebSocket(`${url}/r`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => reader.once('open', resolve).once('error', reject));
    const writer = new WebSocket(`${url}/w`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => writer.once('open', resolve).once('error', reject));
    const sample = sampler(child.pid!);
    const started = process.hrtime.bigint();
    const read = slowRead(reader, args);
    for (let i = 0; i < args.mib; i++) {
      for (let off = 0; off < block.length; off += FRAME) {
        await new Promise<void>((resolve, reject) =>
          writer.send(block.subarray(off, off + FRAME), { binary: true }, (err) => (err ? reject(err) : resolve())),
        );
      }
    }
    writer.close(1000, 'stream_complete');
    const got = await read;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const peak = sample.stop();
    return {
      idleRssMiB: round(idle),
      peakRssMiB: round(peak),
      deltaMiB: round(peak - idle),
      bytes: got.bytes,
      seconds: round(seconds),
      MBps: round(got.bytes / MiB / seconds),
    };
  } finally {
    await stopChild(child);
  }
}

async function parent(args: Args): Promise<void> {
  const block = randomBytes(MiB);
  const engine = await measureEngine(args, block);
  const baseline = await measureRelay(args, block);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'engine-memory',
      ...engine,
      bufferSize: args.bufferSize,
      frameBytes: FRAME,
      maxQueuedMiB: round((args.bufferSize * FRAME) / MiB),
      reader: `pauses ${args.pauseMs} ms every ${args.pauseEveryMiB} MiB`,
      baseline: { kind: 'plain ws relay child, raw ws writer', ...baseline },
      node: process.version,
    })}\n`,
  );
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const kind = process.argv[childIndex + 1];
  (kind === 'relay' ? relayChild() : engineChild()).catch((err) => {
    process.stderr.write(`${err && err.stack}\n`);
    process.exit(1);
  });
} else {
  parent(parseArgs(process.argv.slice(2))).catch((err) => {
    process.stderr.write(`${err && err.stack}\n`);
    process.exit(1);
  });
}
