import { createHash, randomBytes } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { startEngine } from '../../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../../lib/worker/connectWorker';
import type { Worker } from '../../../lib/worker/Worker';
import { createChannel, CreateChannelOptions } from '../../../lib/channel/createChannel';
import type { Channel } from '../../../lib/channel/Channel';
import type { SocketFactory, SocketLike } from '../../../lib/socket/SocketLike';
import { openNodeSocket } from '../../../lib/socket/openNodeSocket';

/** An embedded engine on a loopback port plus an iii-rx worker used as channel host. */
export interface ChannelFixture {
  engine: EmbeddedEngine;
  worker: Worker;
  channel(options?: CreateChannelOptions): Promise<Channel>;
  close(): Promise<void>;
}

export async function startChannelFixture(): Promise<ChannelFixture> {
  const engine = await startEngine({ port: 0 });
  const worker = connectWorker(engine.url, { workerName: 'channel-spec' });
  return {
    engine,
    worker,
    channel: (options) => firstValueFrom(createChannel(worker, options)),
    close: async () => {
      await worker.close();
      await engine.close();
    },
  };
}

/** Deterministic pseudo-random chunks of `total` bytes (sizes vary, some above 64 KiB) and their sha256. */
export function makeChunks(total: number, seed = 1): { chunks: Buffer[]; sha256: string } {
  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  let left = total;
  let s = seed;
  while (left > 0) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const size = Math.min(left, 1 + (s % (200 * 1024)));
    const chunk = randomBytes(size);
    chunks.push(chunk);
    hash.update(chunk);
    left -= size;
  }
  return { chunks, sha256: hash.digest('hex') };
}

export function sha256(parts: Iterable<Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** A socket factory that records the sockets it opened and how many messages each delivered. */
export function recordingFactory(options: { canPause?: boolean } = {}): {
  factory: SocketFactory;
  sockets: { socket: SocketLike; messages: number; pauses: number }[];
} {
  const sockets: { socket: SocketLike; messages: number; pauses: number }[] = [];
  const factory: SocketFactory = (url, opts) => {
    const inner = openNodeSocket(url, opts);
    const entry = { socket: inner, messages: 0, pauses: 0 };
    const canPause = options.canPause ?? true;
    const wrapped: SocketLike = {
      get readyState() {
        return inner.readyState;
      },
      get bufferedAmount() {
        return inner.bufferedAmount;
      },
      canPause,
      setHandlers: (h) =>
        inner.setHandlers({
          ...h,
          message: (data, isBinary) => {
            entry.messages++;
            h.message?.(data, isBinary);
          },
        }),
      send: (d, cb) => inner.send(d, cb),
      pause: () => {
        entry.pauses++;
        if (canPause) inner.pause();
      },
      resume: () => {
        if (canPause) inner.resume();
      },
      close: (c, r) => inner.close(c, r),
      terminate: () => inner.terminate(),
    };
    entry.socket = wrapped;
    sockets.push(entry);
    return wrapped;
  };
  return { factory, sockets };
}

/** Polls `condition` (behaviour, not timing: the bound is only a safety net). */
export async function eventually(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until `read()` stops changing across several polls (a stalled stream). */
export async function settled(read: () => number, polls = 10, intervalMs = 30): Promise<number> {
  let last = read();
  let same = 0;
  while (same < polls) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const now = read();
    if (now === last) same++;
    else {
      same = 0;
      last = now;
    }
  }
  return last;
}
