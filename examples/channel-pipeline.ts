/**
 * The demo's pipeline in one file and one process, with the public API only: an embedded engine, a
 * consumer worker whose function hashes a channel, and a producer worker that streams bytes into it.
 * `npm start` runs the same pipeline with each part in its own process, a progress bar and more steps.
 *
 *   npm run build && node dist/examples/channel-pipeline.js [MiB]
 */
import { createHash, randomBytes } from 'node:crypto';
import { EMPTY, filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { ChannelReader, connectWorker, readChannel } from '../lib/index';
import { startEngine } from '../lib/engine/index';

export interface PipelineResult {
  bytes: number;
  /** sha256 computed by the producer over what it wrote. */
  sent: string;
  /** sha256 the consumer computed over what it read. */
  received: string;
}

/**
 * Streams `mib` MiB of random bytes from one worker to another through a channel and returns both
 * checksums.
 *
 * @example
 * ```ts
 * const { sent, received } = await channelPipeline(64);
 * console.log(sent === received ? 'verified' : 'corrupted');
 * ```
 */
export async function channelPipeline(mib = 64): Promise<PipelineResult> {
  const engine = await startEngine({ port: 0 });
  const consumer = connectWorker(engine.url, { workerName: 'consumer' });
  const producer = connectWorker(engine.url, { workerName: 'producer' });
  try {
    // the consumer: `input` arrives as a live ChannelReader (the worker's payload codec turns refs into ends)
    consumer.registerFunction('files::sha256', async ({ input }: { input: ChannelReader }) => {
      const hash = createHash('sha256');
      let bytes = 0;
      // readChannel pauses the socket while 16 chunks are in flight: a slow consumer slows the producer down
      await lastValueFrom(
        readChannel(input, (chunk) => {
          hash.update(chunk);
          bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
          return EMPTY;
        }),
        { defaultValue: undefined },
      );
      return { bytes, sha256: hash.digest('hex') };
    });
    // the registration goes out when the consumer's socket opens
    await firstValueFrom(consumer.state$.pipe(filter((state) => state === 'open')));

    // the producer: a channel, a call that hands its reader to the consumer, then the bytes into its writer
    const { writer, reader } = await firstValueFrom(producer.createChannel());
    const digest = firstValueFrom(
      producer.trigger<{ bytes: number; sha256: string }>('files::sha256', { input: reader }, { timeoutMs: Infinity }),
    );
    const sent = createHash('sha256');
    async function* chunks() {
      for (let i = 0; i < mib * 16; i++) {
        const chunk = randomBytes(64 * 1024); // made only when the socket has room for it
        sent.update(chunk);
        yield chunk;
      }
    }
    await lastValueFrom(writer.write(chunks()), { defaultValue: undefined }); // emits progress: { bytes, frames }
    const result = await digest;
    return { bytes: result.bytes, sent: sent.digest('hex'), received: result.sha256 };
  } finally {
    await Promise.all([consumer.close(), producer.close()]);
    await engine.close();
  }
}

if (require.main === module) {
  channelPipeline(Number(process.argv[2] ?? 64)).then(
    ({ bytes, sent, received }) => {
      console.log(`${bytes} bytes, sha256 ${received} ${sent === received ? 'verified' : 'MISMATCH'}`);
      if (sent !== received) process.exitCode = 1;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
