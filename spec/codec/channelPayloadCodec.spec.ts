import { firstValueFrom, from, interval, lastValueFrom, map, Observable, of, take, toArray } from 'rxjs';
import { channelPayloadCodec } from '../../lib/codec/channelPayloadCodec';
import { streamResult } from '../../lib/codec/streamResult';
import { ChannelReader, channelReader } from '../../lib/channel/ChannelReader';
import { ChannelWriter } from '../../lib/channel/ChannelWriter';
import type { ChannelHost } from '../../lib/channel/ChannelHost';
import { DecodeError } from '../../lib/errors/DecodeError';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { ChannelFixture, startChannelFixture } from '../channel/support/channelFixture';

// channel ids are UUIDs (the client refuses anything else before opening a socket)
const uuid = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const ref = (direction: string, id = uuid(1)) => ({ channel_id: id, access_key: 'k', direction });

describe('channelPayloadCodec.decode (no sockets opened)', () => {
  const host: ChannelHost = { url: 'ws://127.0.0.1:1/', trigger: () => of(undefined) };
  const codec = channelPayloadCodec(host);

  it('rehydrates refs at any depth, including the root, into live ends', () => {
    const root = codec.decode(ref('read'));
    expect(root).toBeInstanceOf(ChannelReader);
    const out = codec.decode({ a: { b: [1, ref('write', uuid(2)), { c: ref('read', uuid(3)) }] }, n: null, s: 'x' }) as {
      a: { b: [number, ChannelWriter, { c: ChannelReader }] };
    };
    expect(out.a.b[0]).toBe(1);
    expect(out.a.b[1]).toBeInstanceOf(ChannelWriter);
    expect(out.a.b[1].url).toBe(`ws://127.0.0.1:1/ws/channels/${uuid(2)}?key=k&dir=write`);
    expect(out.a.b[2].c.ref).toEqual(ref('read', uuid(3)));
  });

  it('leaves values without refs untouched (same object)', () => {
    const value = { a: [1, { b: 'c' }], d: { channel_id: 'x' } };
    expect(codec.decode(value)).toBe(value);
  });

  it('reports a ref-like object with a bad direction as DecodeError carrying its JSON path', () => {
    let err: unknown;
    try {
      codec.decode({ a: { b: [0, 1, { c: ref('sideways') }] } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).path).toBe('a.b[2].c');
    expect((err as DecodeError).message).toContain('a.b[2].c');
    expect(() => codec.decode(ref('READ'))).toThrow(DecodeError);
  });
});

describe('channelPayloadCodec.encode and streamResult against the embedded engine', () => {
  let fx: ChannelFixture;
  let worker: Worker;
  beforeAll(async () => {
    fx = await startChannelFixture();
    worker = connectWorker(fx.engine.url, { payloadCodec: (w) => channelPayloadCodec(w) });
  });
  afterAll(async () => {
    await worker.close();
    await fx.close();
  });

  it('turns live ends into their refs', async () => {
    const { reader, writer, readerRef, writerRef } = await fx.channel();
    const codec = channelPayloadCodec(fx.worker);
    await expect(codec.encode({ list: [reader], w: writer, n: 1 })).resolves.toEqual({
      list: [readerRef],
      w: writerRef,
      n: 1,
    });
  });

  it('turns an Observable into the reader ref of a channel it is pumped into (NDJSON text + binary frames)', async () => {
    const codec = channelPayloadCodec(fx.worker);
    const values$ = from([{ n: 1 }, 'two', new Uint8Array([3]), null, [4]]);
    const encoded = (await codec.encode({ rows: values$, keep: true })) as { rows: unknown; keep: boolean };
    expect(encoded.keep).toBe(true);
    const back = codec.decode(encoded) as { rows: ChannelReader };
    expect(back.rows).toBeInstanceOf(ChannelReader);
    const values = await lastValueFrom(back.rows.values$().pipe(toArray()));
    expect(values).toEqual([{ n: 1 }, 'two', Buffer.from([3]), null, [4]]);
  });

  it('streamResult: the frames are one NDJSON text frame per value; the reader takes the begin and end records off', async () => {
    const ref = await streamResult(fx.worker, interval(1).pipe(take(3)));
    const frames = await lastValueFrom(channelReader(fx.engine.url, ref).pipe(toArray()));
    expect(frames).toEqual(['0\n', '1\n', '2\n']);
  });

  it('round trip through a Worker: an Observable argument arrives as a reader, a handler result Observable as a reader', async () => {
    worker.registerFunction('codec::sum', (input: unknown) => {
      const { numbers } = input as { numbers: ChannelReader };
      return lastValueFrom(
        numbers.values$().pipe(
          map((v) => v as number),
          toArray(),
          map((xs) => ({ sum: xs.reduce((a, b) => a + b, 0), echo: of(...xs.map((x) => x * 10)) })),
        ),
      );
    });
    const result = (await firstValueFrom(
      worker.trigger('codec::sum', { numbers: from([1, 2, 3, 4]) }),
    )) as { sum: number; echo: ChannelReader };
    expect(result.sum).toBe(10);
    expect(result.echo).toBeInstanceOf(ChannelReader);
    await expect(lastValueFrom(result.echo.values$().pipe(toArray()))).resolves.toEqual([10, 20, 30, 40]);
  });

  it('a stream function with a custom codec factory: its values reach the caller as a reader', async () => {
    const streaming = connectWorker(fx.engine.url, {
      workerName: 'streaming',
      payloadCodec: (host) => channelPayloadCodec(host),
    });
    try {
      streaming.registerFunction(
        'codec::count',
        (input: unknown) => {
          const { n } = input as { n: number };
          return from(Array.from({ length: n }, (_, i) => ({ i })));
        },
        { stream: true },
      );
      await new Promise<void>((resolve) => {
        const check = () => (fx.engine.functionIds().includes('codec::count') ? resolve() : setTimeout(check, 10));
        check();
      });
      const result = await firstValueFrom(worker.trigger('codec::count', { n: 500 }));
      expect(result).toBeInstanceOf(ChannelReader);
      const values = await lastValueFrom((result as ChannelReader).values$().pipe(toArray()));
      expect(values).toHaveLength(500);
      expect(values[499]).toEqual({ i: 499 });
    } finally {
      await streaming.close();
    }
  });

  it('a failing pump is reported through onStreamError with its path', async () => {
    const errors: [Error, string][] = [];
    const codec = channelPayloadCodec(fx.worker, { onStreamError: (e, p) => errors.push([e, p]) });
    const failing = new Observable<unknown>((s) => {
      s.next({ ok: 1 });
      s.error(new Error('boom'));
    });
    const encoded = (await codec.encode({ a: [failing] })) as { a: [unknown] };
    const reader = codec.decode(encoded.a[0]) as ChannelReader;
    // the protocol carries no error: the reader sees what was sent, then an end
    await lastValueFrom(reader.values$().pipe(toArray())).catch(() => undefined);
    expect(errors.map(([e, p]) => [e.message, p])).toEqual([['boom', 'a[0]']]);
  });
});
