// Runs inside the page, in Chromium. Bundled by spec/browser/browserHarness.ts from the *built* browser bundle
// (imports of lib/index are redirected to dist/browser/index.js), so it exercises what npm users get.
import { firstValueFrom, filter, from, lastValueFrom, timer } from 'rxjs';
import {
  binaryItems,
  collectBytes,
  connectWorker,
  createChannel,
  IiiRxError,
  openBrowserSocket,
  readChannel,
  writeChannel,
} from '../../../lib/index';
import type { ChannelItem, SocketLike, Worker } from '../../../lib/index';

/** What the page reports back to the spec (all plain JSON). */
export interface ScenarioReport {
  userAgent: string;
  secureContext: boolean;
  /** The `runtime` the engine lists for this page's worker (from its `engine::workers::register` metadata). */
  runtimeInPage: string | undefined;
  raw: { firstFrameType: string; firstFrameWasText: boolean; echoed: unknown; binaryEcho: number[] };
  worker: { echoed: unknown; viaNode: unknown; stateSeen: string[] };
  idle: { idleTimeoutMs: number; idledMs: number; stateSeen: string[]; echoedAfter: unknown };
  download: { bytes: number; sha256: string; nodeSha256: string; nodeBytes: number; chunks: number; allBinary: boolean };
  api: {
    download: { bytes: number; sha256: string; nodeSha256: string; nodeBytes: number };
    upload: { bytes: number; frames: number; sha256: string; node: { sha256: string; bytes: number; texts: string[] } };
    overflow: { pageError: string; nodeOutcome: string };
  };
  upload: {
    bytes: number;
    sha256: string;
    nodeSha256: string;
    nodeBytes: number;
    maxBufferedAmount: number;
    sendBufferBytes: number;
  };
}

declare global {
  interface Window {
    runScenario(engineUrl: string): Promise<ScenarioReport>;
  }
}

interface Ref {
  id: string;
  key: string;
}

function channelUrlOf(engineUrl: string, ref: Ref, dir: 'read' | 'write'): string {
  return `${engineUrl.replace(/\/$/, '')}/ws/channels/${ref.id}?key=${encodeURIComponent(ref.key)}&dir=${dir}`;
}

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Deterministic bytes (xorshift32), the same generator as the Node side's. */
function fillPattern(bytes: Uint8Array, seed: number): number {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return x;
}

function opened(socket: SocketLike, onMessage?: (data: string | Uint8Array, isBinary: boolean) => void) {
  let resolveClose!: (v: { code: number; reason: string }) => void;
  let rejectOpen!: (e: Error) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClose = r));
  const open = new Promise<void>((resolve, reject) => {
    rejectOpen = reject;
    socket.setHandlers({
      open: () => resolve(),
      message: onMessage,
      error: (err) => rejectOpen(err),
      close: (code, reason) => {
        rejectOpen(new Error(`closed before open: ${code}`));
        resolveClose({ code, reason });
      },
    });
  });
  return { open, closed };
}

async function rawFrames(engineUrl: string): Promise<ScenarioReport['raw']> {
  const frames: Array<{ data: string | Uint8Array; isBinary: boolean }> = [];
  let wake: () => void = () => undefined;
  const socket = openBrowserSocket(engineUrl);
  const { open, closed } = opened(socket, (data, isBinary) => {
    frames.push({ data, isBinary });
    wake();
  });
  const next = async (pred: (f: { data: string | Uint8Array; isBinary: boolean }) => boolean) => {
    for (;;) {
      const i = frames.findIndex(pred);
      if (i >= 0) return frames.splice(i, 1)[0];
      await new Promise<void>((r) => (wake = r));
    }
  };
  await open;
  const first = await next(() => true);
  const firstFrame = JSON.parse(first.data as string);
  const id = crypto.randomUUID();
  socket.send(JSON.stringify({ type: 'invokefunction', invocation_id: id, function_id: 'node::echo', data: { from: 'raw' } }));
  const result = await next((f) => typeof f.data === 'string' && JSON.parse(f.data).invocation_id === id);
  socket.close(1000, 'done');
  await closed;

  // binary frames through a channel the page opens both ends of, raw
  const created = JSON.parse(await invokeRaw(engineUrl, 'engine::channels::create', { buffer_size: 4 }));
  const ref = { id: created.result.writer.channel_id, key: created.result.writer.access_key };
  const received: number[] = [];
  const reader = openBrowserSocket(channelUrlOf(engineUrl, ref, 'read'));
  const r = opened(reader, (data) => {
    if (data instanceof Uint8Array) received.push(...data);
  });
  const writer = openBrowserSocket(channelUrlOf(engineUrl, ref, 'write'));
  const w = opened(writer);
  await Promise.all([r.open, w.open]);
  await new Promise<void>((resolve, reject) =>
    writer.send(new Uint8Array([1, 2, 3, 250]), (err) => (err ? reject(err) : resolve())),
  );
  writer.close(1000, 'stream_complete');
  await Promise.all([r.closed, w.closed]);

  return {
    firstFrameType: firstFrame.type,
    firstFrameWasText: !first.isBinary && typeof first.data === 'string',
    echoed: JSON.parse(result.data as string).result,
    binaryEcho: received,
  };
}

/** One raw call on its own socket; resolves with the raw invocationresult text. */
async function invokeRaw(engineUrl: string, functionId: string, data: unknown): Promise<string> {
  const id = crypto.randomUUID();
  let resolveResult!: (s: string) => void;
  const result = new Promise<string>((r) => (resolveResult = r));
  const socket = openBrowserSocket(engineUrl);
  const { open, closed } = opened(socket, (msg) => {
    if (typeof msg === 'string' && JSON.parse(msg).invocation_id === id) resolveResult(msg);
  });
  await open;
  socket.send(JSON.stringify({ type: 'invokefunction', invocation_id: id, function_id: functionId, data }));
  const text = await result;
  socket.close(1000, 'done');
  await closed;
  return text;
}

async function workerApi(worker: Worker): Promise<ScenarioReport['worker']> {
  const stateSeen: string[] = [];
  const sub = worker.state$.subscribe((s) => stateSeen.push(s));
  try {
    await firstValueFrom(worker.state$.pipe(filter((s) => s === 'open')));
    worker.registerFunction('browser::double', (n: number) => n * 2);
    const echoed = await firstValueFrom(worker.trigger('node::echo', { from: 'worker' }));
    const viaNode = await firstValueFrom(worker.trigger('node::callBrowser', { n: 21 }));
    return { echoed, viaNode, stateSeen };
  } finally {
    sub.unsubscribe();
  }
}

/**
 * A quiet worker must not look dead: browsers cannot send WebSocket pings, so without something else to answer
 * the idle timeout would drop and reconnect the socket over and over.
 */
async function idleWorker(engineUrl: string): Promise<ScenarioReport['idle']> {
  const idleTimeoutMs = 400;
  const worker = connectWorker(engineUrl, { workerName: 'chromium-idle', pingIntervalMs: 100, idleTimeoutMs });
  const stateSeen: string[] = [];
  const sub = worker.state$.subscribe((s) => stateSeen.push(s));
  try {
    await firstValueFrom(worker.state$.pipe(filter((s) => s === 'open')));
    const started = performance.now();
    await new Promise((r) => setTimeout(r, idleTimeoutMs * 3));
    const idledMs = Math.round(performance.now() - started);
    const echoedAfter = await firstValueFrom(worker.trigger('node::echo', { from: 'idle' }));
    return { idleTimeoutMs, idledMs, stateSeen: [...stateSeen], echoedAfter };
  } finally {
    sub.unsubscribe();
    await worker.close();
  }
}

async function download(engineUrl: string, worker: Worker, size: number, seed: number) {
  // the worker's payload codec hands back live ends; their JSON form is the plain ref this test works with
  const created = JSON.parse(
    JSON.stringify(await firstValueFrom(worker.trigger('engine::channels::create', { buffer_size: 16 }))),
  ) as { writer: { channel_id: string; access_key: string } };
  const ref = { id: created.writer.channel_id, key: created.writer.access_key };
  const chunks: Uint8Array[] = [];
  let allBinary = true;
  const reader = openBrowserSocket(channelUrlOf(engineUrl, ref, 'read'));
  const r = opened(reader, (data, isBinary) => {
    if (typeof data === 'string' || !isBinary) allBinary = false;
    else chunks.push(data);
  });
  await r.open;
  const produced = firstValueFrom(worker.trigger('node::produce', { channel: ref, size, seed }, { timeoutMs: 60_000 }));
  await r.closed;
  const node = (await produced) as { sha256: string; bytes: number };
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  const sha256 = hex(await crypto.subtle.digest('SHA-256', all));
  return { bytes: total, sha256, nodeSha256: node.sha256, nodeBytes: node.bytes, chunks: chunks.length, allBinary };
}

async function upload(engineUrl: string, worker: Worker, size: number, seed: number) {
  // the worker's payload codec hands back live ends; their JSON form is the plain ref this test works with
  const created = JSON.parse(
    JSON.stringify(await firstValueFrom(worker.trigger('engine::channels::create', { buffer_size: 8 }))),
  ) as { writer: { channel_id: string; access_key: string } };
  const ref = { id: created.writer.channel_id, key: created.writer.access_key };
  const consumed = firstValueFrom(worker.trigger('node::consume', { channel: ref }, { timeoutMs: 60_000 }));
  const data = new Uint8Array(size);
  fillPattern(data, seed);
  const sha256 = hex(await crypto.subtle.digest('SHA-256', data));
  const sendBufferBytes = 256 * 1024;
  const writer = openBrowserSocket(channelUrlOf(engineUrl, ref, 'write'), { sendBufferBytes });
  const w = opened(writer);
  await w.open;
  let maxBufferedAmount = 0;
  const chunk = 64 * 1024;
  for (let off = 0; off < size; off += chunk) {
    await new Promise<void>((resolve, reject) =>
      writer.send(data.subarray(off, Math.min(size, off + chunk)), (err) => (err ? reject(err) : resolve())),
    );
    maxBufferedAmount = Math.max(maxBufferedAmount, writer.bufferedAmount);
  }
  writer.close(1000, 'stream_complete');
  await w.closed;
  const node = (await consumed) as { sha256: string; bytes: number };
  return { bytes: size, sha256, nodeSha256: node.sha256, nodeBytes: node.bytes, maxBufferedAmount, sendBufferBytes };
}

/** How the engine sees this page's worker: the `runtime` of its `engine::workers::list` entry. */
async function runtimeInPage(worker: Worker): Promise<string | undefined> {
  const listed = (await firstValueFrom(worker.trigger('engine::workers::list', {}))) as {
    workers: { name?: string; runtime?: string }[];
  };
  return listed.workers.find((w) => w.name === 'chromium-page')?.runtime;
}

/** The same transfers through the library's channel API (createChannel, reader Observable, writeChannel). */
async function channelApi(worker: Worker): Promise<ScenarioReport['api']> {
  // Node writes, the page reads
  const down = await firstValueFrom(createChannel(worker, { bufferSize: 16 }));
  const size = 3 * 1024 * 1024 + 321;
  const produced = firstValueFrom(worker.trigger('node::produceApi', { out: down.writerRef, size, seed: 5 }, { timeoutMs: 60_000 }));
  const body = await firstValueFrom(down.reader.pipe(binaryItems(), collectBytes({ maxBytes: 8 * 1024 * 1024 })));
  const node = (await produced) as { sha256: string; bytes: number };
  const download = {
    bytes: body.byteLength,
    sha256: hex(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>)),
    nodeSha256: node.sha256,
    nodeBytes: node.bytes,
  };

  // the page writes (binary with text frames between), Node reads
  const up = await firstValueFrom(createChannel(worker, { bufferSize: 8 }));
  const consumed = firstValueFrom(worker.trigger('node::consumeApi', { in: up.readerRef }, { timeoutMs: 60_000 }));
  const data = new Uint8Array(2 * 1024 * 1024 + 77);
  fillPattern(data, 13);
  const items: ChannelItem[] = ['begin'];
  for (let off = 0; off < data.length; off += 100_000) items.push(data.subarray(off, Math.min(data.length, off + 100_000)));
  items.push('end ✓');
  const last = await lastValueFrom(from(items).pipe(writeChannel(up.writer)));
  const upload = {
    bytes: last.bytes,
    frames: last.frames,
    sha256: hex(await crypto.subtle.digest('SHA-256', data)),
    node: (await consumed) as { sha256: string; bytes: number; texts: string[] },
  };

  // a browser socket cannot pause: a consumer that falls behind hits the explicit overflow policy
  const slow = await firstValueFrom(createChannel(worker, { bufferSize: 4 }));
  const flood = firstValueFrom(worker.trigger('node::flood', { out: slow.writerRef }, { timeoutMs: 60_000 }));
  let pageError = 'none';
  try {
    await lastValueFrom(readChannel(slow.reader, () => timer(1_000), { highWaterMark: 2, maxBuffered: 4 }), {
      defaultValue: undefined,
    });
  } catch (err) {
    pageError = err instanceof IiiRxError ? err.code : `untyped: ${String(err)}`;
  }
  const nodeOutcome = String(await flood);
  return { download, upload, overflow: { pageError, nodeOutcome } };
}

window.runScenario = async (engineUrl: string): Promise<ScenarioReport> => {
  const raw = await rawFrames(engineUrl);
  const worker = connectWorker(engineUrl, { workerName: 'chromium-page' });
  try {
    const report = await workerApi(worker);
    const idle = await idleWorker(engineUrl);
    const down = await download(engineUrl, worker, 4 * 1024 * 1024 + 123, 7);
    const up = await upload(engineUrl, worker, 3 * 1024 * 1024 + 45, 11);
    const api = await channelApi(worker);
    return {
      userAgent: navigator.userAgent,
      secureContext: window.isSecureContext,
      runtimeInPage: await runtimeInPage(worker),
      raw,
      worker: report,
      idle,
      download: down,
      api,
      upload: up,
    };
  } finally {
    await worker.close();
  }
};
