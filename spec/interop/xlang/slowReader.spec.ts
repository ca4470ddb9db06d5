/**
 * A Python writer (official iii-sdk) streams as fast as it can into an iii-rx reader whose consumer
 * is slow. Backpressure must hold end to end: the iii-rx reader pauses its socket, the engine's
 * channel queue fills to its bound and stops reading the writer, TCP pushes back on Python. So the
 * memory of this process (engine + reader) stays far below the stream size, and nothing is lost.
 */
import { firstValueFrom, lastValueFrom, map, timer } from 'rxjs';
import { connectWorker, createChannel, readChannel, Worker } from '../../../lib';
import { EmbeddedEngine, startEngine } from '../../../lib/engine';
import { channelPayloadCodec } from '../../../lib/codec/channelPayloadCodec';
import { MiB, ReadTally } from './helpers/channelData';
import { loadPeers, PeerProcess, prefixFor } from './helpers/PeerProcess';

const STREAM = 96 * MiB;
/** Generous: an unbounded reader would hold most of the 96 MiB, a bounded one a few MiB plus garbage not yet collected. */
const MEMORY_BOUND = 40 * MiB;
const BUFFER_SIZE = 16;

const pythonPeers = loadPeers().filter((p) => p.lang === 'python');

describe.each(pythonPeers.map((p) => [p.name, p] as const))('%s writer -> slow iii-rx reader', (_name, spec) => {
  let engine: EmbeddedEngine;
  let rx: Worker;
  let peer: PeerProcess;

  beforeAll(async () => {
    engine = await startEngine({ port: 0 });
    rx = connectWorker(engine.url, { workerName: 'interop-rx-slow', payloadCodec: (w) => channelPayloadCodec(w) });
    peer = await PeerProcess.start(spec, engine.url, prefixFor(spec, 's'));
  });

  afterAll(async () => {
    const code = await peer?.stop();
    await rx?.close();
    await engine?.close();
    expect(code).toBe(0);
  });

  it(`keeps memory bounded over ${STREAM / MiB} MiB and delivers every byte`, async () => {
    const channel = await firstValueFrom(createChannel(rx, { bufferSize: BUFFER_SIZE }));
    global.gc?.();
    const base = process.memoryUsage();
    let peakArrayBuffers = 0;
    let peakRss = 0;
    let peakQueued = 0;
    const tally = new ReadTally();

    const written = firstValueFrom(
      rx.trigger<{ sha256: string; bytes: number }>(`${peer.prefix}::write`, { sink: channel.writerRef, size: STREAM, seed: 21, messages: [] }, { timeoutMs: 110_000 }),
    );
    // the consumer: 2 ms of "work" per item, far slower than the writer
    await lastValueFrom(
      readChannel(channel.reader, (item) =>
        timer(2).pipe(
          map(() => {
            if (typeof item === 'string') tally.text(item);
            else tally.binary(item);
            const now = process.memoryUsage();
            peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers - base.arrayBuffers);
            peakRss = Math.max(peakRss, now.rss - base.rss);
            peakQueued = Math.max(peakQueued, engine.stats().channelQueuedMessages);
          }),
        ),
      ),
      { defaultValue: undefined },
    );
    const sent = await written;
    const read = tally.report();

    process.stdout.write(
      `${JSON.stringify({ peer: spec.name, streamMiB: STREAM / MiB, peakArrayBuffersMiB: +(peakArrayBuffers / MiB).toFixed(1), peakRssMiB: +(peakRss / MiB).toFixed(1), peakEngineQueued: peakQueued })}\n`,
    );
    expect({ sha256: read.sha256, bytes: read.bytes }).toEqual({ sha256: sent.sha256, bytes: sent.bytes });
    expect(peakQueued).toBeLessThanOrEqual(BUFFER_SIZE);
    expect(peakArrayBuffers).toBeLessThan(MEMORY_BOUND);
    expect(peakRss).toBeLessThan(MEMORY_BOUND * 2);
  });
});
