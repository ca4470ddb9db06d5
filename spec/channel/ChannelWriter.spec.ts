import { from, interval, lastValueFrom, map, Observable, take, tap, toArray } from 'rxjs';
import { channelWriter } from '../../lib/channel/ChannelWriter';
import { writeChannel } from '../../lib/channel/writeChannel';
import { ChannelOverflowError } from '../../lib/errors/ChannelOverflowError';
import { ChannelClosedError } from '../../lib/errors/ChannelClosedError';
import { PayloadTooLargeError } from '../../lib/errors/PayloadTooLargeError';
import { pulled } from '../../lib/demand/pulled';
import { consume } from '../../lib/demand/consume';
import { channelReader } from '../../lib/channel/ChannelReader';
import { streamResult } from '../../lib/codec/streamResult';
import { ChannelFixture, eventually, recordingFactory, settled, startChannelFixture } from './support/channelFixture';

const MiB = 1024 * 1024;

describe('ChannelWriter as an Observer', () => {
  let fx: ChannelFixture;
  beforeAll(async () => {
    fx = await startChannelFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it('from(chunks).subscribe(writer): an overflow is one error notification on done$, never a throw, and the source stops', async () => {
    const { writer } = await fx.channel({ bufferSize: 1 });
    const small = channelWriter(fx.engine.url, writer.ref, { maxQueuedBytes: 1 * MiB });
    let pulledCount = 0;
    const chunks = (function* () {
      for (let i = 0; i < 48; i++) {
        pulledCount++;
        yield Buffer.alloc(256 * 1024, i);
      }
    })();
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const subscription = from(chunks).subscribe(small);
      expect(subscription.closed).toBe(true);
      const errors: unknown[] = [];
      small.done$.subscribe({ error: (e) => errors.push(e) });
      await expect(lastValueFrom(small.done$)).rejects.toBeInstanceOf(ChannelOverflowError);
      expect(errors).toHaveLength(1);
      // the source was unsubscribed at the overflow: the generator was not read to its end
      expect(pulledCount).toBeLessThan(48);
      await new Promise((r) => setImmediate(r));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    await eventually(() => fx.engine.stats().channelSockets === 0, 'the failed writer socket is gone');
  });

  it('an async source subscribed with the writer is unsubscribed when the writer fails', async () => {
    const { writer } = await fx.channel();
    const small = channelWriter(fx.engine.url, writer.ref, { maxQueuedItems: 4 });
    let torn = false;
    const burst = new Observable<string>((s) => {
      const id = setInterval(() => {
        for (let i = 0; i < 10; i++) s.next(`line ${i}\n`);
      }, 1);
      return () => {
        torn = true;
        clearInterval(id);
      };
    });
    burst.subscribe(small);
    await expect(lastValueFrom(small.done$)).rejects.toBeInstanceOf(ChannelOverflowError);
    expect(torn).toBe(true);
  });

  it('getters have no side effects: done$ and ready() open no socket and leave the end usable', async () => {
    await eventually(() => fx.engine.stats().channelSockets === 0, 'earlier sockets gone');
    const { reader, writer } = await fx.channel();
    const done$ = writer.done$;
    const sub = done$.subscribe({ error: () => undefined });
    await writer.ready();
    void writer.ref;
    void JSON.stringify(writer);
    await new Promise((r) => setTimeout(r, 20));
    expect(fx.engine.stats().channelSockets).toBe(0);
    const got = lastValueFrom(reader.pipe(toArray()));
    await lastValueFrom(from(['a', 'b']).pipe(writeChannel(writer)));
    await expect(got).resolves.toEqual(['a', 'b']);
    // done$ reports the outcome however the end was written
    await expect(lastValueFrom(done$)).resolves.toEqual({ bytes: 2, frames: 2 });
    sub.unsubscribe();
  });

  it('a text message over the 16 MiB frame limit is a PayloadTooLargeError; binary is split into 64 KiB frames', async () => {
    const big = 'x'.repeat(16 * MiB + 1);
    const one = await fx.channel();
    const err = await lastValueFrom(one.writer.write(from([big]))).catch((e) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    const two = await fx.channel();
    expect(() => two.writer.next(big)).not.toThrow();
    await expect(lastValueFrom(two.writer.done$)).rejects.toBeInstanceOf(PayloadTooLargeError);
    const three = await fx.channel();
    const sizes = lastValueFrom(three.reader.pipe(map((i) => (i as Uint8Array).byteLength), toArray()));
    await lastValueFrom(three.writer.write(from([Buffer.alloc(20 * MiB, 3)])));
    const got = await sizes;
    expect(Math.max(...got)).toBe(65536);
    expect(got.reduce((a, b) => a + b, 0)).toBe(20 * MiB);
  });

  it('unsubscribing the Observer before complete abandons the stream: done$ errors, the reader sees an early end', async () => {
    const { reader, writer } = await fx.channel();
    const reading = lastValueFrom(reader.pipe(toArray())).catch((e) => e);
    const sub = interval(1).pipe(map((i) => `tick ${i}\n`)).subscribe(writer);
    await eventually(() => fx.engine.stats().channelSockets === 2, 'both ends open');
    sub.unsubscribe();
    await expect(lastValueFrom(writer.done$)).rejects.toBeInstanceOf(ChannelClosedError);
    const end = await reading;
    expect(Array.isArray(end) || end instanceof ChannelClosedError).toBe(true);
  });

  it('pulled(generator).pipe(writeChannel(writer)) stays bounded: the generator waits for a held reader', async () => {
    const { factory, sockets } = recordingFactory();
    const { reader, writer } = await fx.channel({ bufferSize: 4, reader: { socketFactory: factory } });
    let generated = 0;
    async function* endless() {
      for (;;) {
        generated += 64 * 1024;
        yield Buffer.alloc(64 * 1024, 5);
      }
    }
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const iterator = reader[Symbol.asyncIterator]();
    const writing = lastValueFrom(pulled(endless()).pipe(take(1024), writeChannel(writer)));
    await iterator.next();
    const stalledAt = await settled(() => generated);
    // engine buffer (4 frames) + the kernel's socket buffers on both hops + the writer's 1 MiB mark:
    // far below the 64 MiB stream
    expect(stalledAt).toBeLessThan(24 * MiB);
    expect(sockets[0].pauses).toBeGreaterThanOrEqual(1);
    release();
    await gate;
    let frames = 1;
    for (;;) {
      const r = await iterator.next();
      if (r.done) break;
      frames++;
    }
    await writing;
    expect(frames).toBe(1024);
  });

  it('an Observable streamed with streamResult is pulled on demand when it is pausable (pulled generator)', async () => {
    let generated = 0;
    async function* rows() {
      for (let i = 0; i < 2_000; i++) {
        generated++;
        yield { i, pad: 'x'.repeat(20_000) };
      }
    }
    const ref = await streamResult(fx.worker, pulled(rows()), { bufferSize: 4 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seen = 0;
    const reading = lastValueFrom(
      channelReader(fx.engine.url, ref).values$().pipe(
        consume(async () => {
          seen++;
          await gate;
        }),
      ),
      { defaultValue: undefined },
    );
    const stalledAt = await settled(() => generated);
    // about 20 KB a value: socket buffers and marks hold a few hundred, far from the 2,000
    expect(stalledAt).toBeLessThan(1_000);
    release();
    await reading;
    expect(seen).toBe(2_000);
  }, 60_000);
});
