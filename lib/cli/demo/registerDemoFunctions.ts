import { createHash } from 'node:crypto';
import { EMPTY, lastValueFrom, Observable, range } from 'rxjs';
import { ChannelReader } from '../../channel/ChannelReader';
import { readChannel } from '../../channel/readChannel';
import type { Registration } from '../../worker/FunctionContext';
import type { Worker } from '../../worker/Worker';

/** What `demo::digest` answers: what it read, counted and hashed. */
export interface DigestResult {
  /** Payload bytes read from the channel (UTF-8 bytes for text frames). */
  bytes: number;
  /** Frames read. */
  frames: number;
  /** Newline bytes (0x0a) seen: the "line count" of the input. */
  lines: number;
  /** sha256 of every byte, hex. */
  sha256: string;
}

/** Options of {@link registerDemoFunctions}. */
export interface DemoFunctionOptions {
  /** Told after every frame `demo::digest` processed, with the bytes read so far by that call. */
  onDigestProgress?(bytes: number): void;
  /** Frames in flight before `demo::digest` pauses its socket (readChannel's high mark). Default 16. */
  highWaterMark?: number;
}

/** The function ids of the demo. */
export const DEMO_FUNCTIONS = {
  digest: 'demo::digest',
  square: 'demo::square',
  ticks: 'demo::ticks',
} as const;

/**
 * Registers the demo's consumer functions on `worker`:
 *
 * - `demo::digest` `{ input: <reader ref> }` → {@link DigestResult}: reads the channel with `readChannel`
 *   (bounded: the socket pauses above the high mark, which through the engine stalls the writer), hashing
 *   and counting every frame.
 * - `demo::square` `{ x: number }` → `x * x`, small enough that a fan-out measures the call path.
 * - `demo::ticks` `{ n: number }` → an Observable of `1..n`, registered as a stream: the result is always a
 *   channel reader ref carrying the values (call it with `worker.stream`).
 *
 * Bad input fails the call with `invocation_failed` and a message naming the expected shape.
 *
 * @example
 * ```ts
 * const worker = connectWorker(url, { workerName: 'consumer' });
 * const registrations = registerDemoFunctions(worker, { onDigestProgress: (bytes) => report(bytes) });
 * ```
 */
export function registerDemoFunctions(worker: Worker, options: DemoFunctionOptions = {}): Registration[] {
  const digest = worker.registerFunction<{ input?: unknown }, DigestResult>(
    DEMO_FUNCTIONS.digest,
    async (data) => {
      const input = data?.input;
      if (!(input instanceof ChannelReader)) {
        throw new TypeError(`${DEMO_FUNCTIONS.digest} expects { input: <channel reader ref> }`);
      }
      const hash = createHash('sha256');
      let bytes = 0;
      let frames = 0;
      let lines = 0;
      await lastValueFrom(
        readChannel(
          input,
          (item) => {
            const chunk = typeof item === 'string' ? Buffer.from(item) : item;
            hash.update(chunk);
            bytes += chunk.byteLength;
            frames++;
            lines += countNewlines(chunk);
            options.onDigestProgress?.(bytes);
            return EMPTY;
          },
          { highWaterMark: options.highWaterMark ?? 16 },
        ),
        { defaultValue: undefined },
      );
      return { bytes, frames, lines, sha256: hash.digest('hex') };
    },
    { description: 'sha256, bytes, frames and lines of a channel: { input: <reader ref> }' },
  );
  const square = worker.registerFunction<{ x?: unknown }, number>(
    DEMO_FUNCTIONS.square,
    (data) => {
      const x = data?.x;
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new TypeError(`${DEMO_FUNCTIONS.square} expects { x: number }`);
      return x * x;
    },
    { description: 'x * x: { x: number }' },
  );
  const ticks = worker.registerFunction<{ n?: unknown }, number>(
    DEMO_FUNCTIONS.ticks,
    (data): Observable<number> => {
      const n = data?.n;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        throw new TypeError(`${DEMO_FUNCTIONS.ticks} expects { n: non-negative integer }`);
      }
      return range(1, n);
    },
    { description: 'an Observable of 1..n, streamed back through a channel: { n: integer }', stream: true },
  );
  return [digest, square, ticks];
}

function countNewlines(chunk: Uint8Array): number {
  let count = 0;
  for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) count++;
  return count;
}
