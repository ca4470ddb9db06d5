import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { count, firstValueFrom, from, lastValueFrom, map, mergeMap, reduce, tap } from 'rxjs';
import type { ChannelItem } from '../../channel/ChannelItem';
import type { Worker } from '../../worker/Worker';
import { DEMO_FUNCTIONS, DigestResult } from './registerDemoFunctions';

/** Outcome of {@link DemoProducer.stream}. */
export interface StreamOutcome {
  /** Bytes the producer wrote and hashed. */
  sentBytes: number;
  /** sha256 of what the producer wrote, hex. */
  sentSha256: string;
  /** What the consumer's `demo::digest` answered. */
  digest: DigestResult;
  /** From the call to the digest's answer. */
  ms: number;
}

/** Outcome of {@link DemoProducer.fanOut}. */
export interface FanOutOutcome {
  calls: number;
  /** Calls whose result was `x * x`. */
  correct: number;
  ms: number;
}

/** Outcome of {@link DemoProducer.ticks}. */
export interface TicksOutcome {
  /** Values asked for. */
  asked: number;
  /** Values received. */
  count: number;
  sum: number;
  /** Whether the result travelled as a channel (a reader) rather than a plain value. */
  streamed: boolean;
  ms: number;
}

/**
 * The producer side of the demo, on one worker: streams bytes through a channel into the consumer's
 * `demo::digest`, fans out `demo::square` calls and reads `demo::ticks`' streamed result.
 *
 * @example
 * ```ts
 * const producer = new DemoProducer(connectWorker(url));
 * const outcome = await producer.stream(demoData(64 << 20), (sent) => report(sent));
 * outcome.sentSha256 === outcome.digest.sha256; // true
 * ```
 */
export class DemoProducer {
  constructor(private readonly worker: Worker) {}

  /**
   * Creates a channel, calls `demo::digest` with its reader ref and writes `source` into the writer (pulled:
   * the next chunk is made only when the socket has room), hashing every byte on the way. Resolves once the
   * write completed and the digest answered; rejects with the first failure of either.
   */
  async stream(source: AsyncIterable<Uint8Array>, onSent?: (bytes: number) => void): Promise<StreamOutcome> {
    const channel = await firstValueFrom(this.worker.createChannel({ bufferSize: 64 }));
    const started = performance.now();
    const hash = createHash('sha256');
    let sentBytes = 0;
    const digest = firstValueFrom(
      this.worker.trigger<DigestResult>(DEMO_FUNCTIONS.digest, { input: channel.readerRef }, { timeoutMs: Infinity }),
    );
    async function* hashed(): AsyncGenerator<ChannelItem> {
      for await (const chunk of source) {
        hash.update(chunk);
        sentBytes += chunk.byteLength;
        yield chunk;
      }
    }
    const written = lastValueFrom(channel.writer.write(hashed()).pipe(tap((p) => onSent?.(p.bytes))), {
      defaultValue: { bytes: 0, frames: 0 },
    });
    const [result] = await Promise.all([digest, written]);
    return { sentBytes, sentSha256: hash.digest('hex'), digest: result, ms: performance.now() - started };
  }

  /** Makes `n` concurrent `demo::square` calls (`x` = 0..n-1) and counts the correct answers. */
  async fanOut(n: number): Promise<FanOutOutcome> {
    const started = performance.now();
    const correct = await lastValueFrom(
      from(Array.from({ length: n }, (_, i) => i)).pipe(
        mergeMap((x) => this.worker.trigger<number>(DEMO_FUNCTIONS.square, { x }).pipe(map((r) => r === x * x))),
        reduce((ok, right) => ok + (right ? 1 : 0), 0),
      ),
    );
    return { calls: n, correct, ms: performance.now() - started };
  }

  /**
   * Calls the streaming function `demo::ticks` for `n` values with `worker.stream`: the values arrive through
   * a channel whatever their number, and the stream must end with its end record (else it errors).
   */
  async ticks(n: number): Promise<TicksOutcome> {
    const started = performance.now();
    let sum = 0;
    const received = await lastValueFrom(
      this.worker.stream<number>(DEMO_FUNCTIONS.ticks, { n }, { timeoutMs: Infinity }).pipe(
        tap((v) => (sum += Number(v))),
        count(),
      ),
    );
    return { asked: n, count: received, sum, streamed: true, ms: performance.now() - started };
  }
}
