import { createHash, randomBytes } from 'node:crypto';
import { registerWorker } from 'iii-sdk';
import { createChannel as sdkCreateChannel } from 'iii-sdk/helpers';
import { ChannelReader as SdkChannelReader, ChannelWriter as SdkChannelWriter } from 'iii-sdk/channel';
import { firstValueFrom, from, lastValueFrom, map, toArray } from 'rxjs';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { channelPayloadCodec } from '../../lib/codec/channelPayloadCodec';
import { createChannel } from '../../lib/channel/createChannel';
import { channelReader, ChannelReader } from '../../lib/channel/ChannelReader';
import { ChannelWriter } from '../../lib/channel/ChannelWriter';
import { binaryItems } from '../../lib/channel/binaryItems';
import { textItems } from '../../lib/channel/textItems';
import { collectBytes } from '../../lib/channel/collectBytes';
import type { ChannelItem } from '../../lib/channel/ChannelItem';
import { encodeStreamBegin, encodeStreamEnd } from '../../lib/protocol/streamEnd';

type Sdk = ReturnType<typeof registerWorker>;
const BEGIN = encodeStreamBegin();
const END = encodeStreamEnd({ kind: 'end' });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const waitFor = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 10));
};

/** iii-rx channel ends paired with the official iii-sdk 0.22.1 ends, through the embedded engine. */
describe('channels: iii-rx ⇄ iii-sdk 0.22.1', () => {
  let engine: EmbeddedEngine;
  let sdk: Sdk;
  let rx: Worker;
  const quiet: jest.SpyInstance[] = [];

  beforeAll(async () => {
    quiet.push(jest.spyOn(console, 'debug').mockImplementation(() => undefined));
    engine = await startEngine({ port: 0 });
    sdk = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false, workerName: 'sdk' });
    rx = connectWorker(engine.url, { workerName: 'rx', payloadCodec: (w) => channelPayloadCodec(w) });
  });

  afterAll(async () => {
    await rx.close();
    await sdk.shutdown();
    await engine.close();
    quiet.forEach((s) => s.mockRestore());
  });

  it('iii-sdk writer → iii-rx reader: text and binary mixed, in order, bytes intact', async () => {
    const channel = await sdkCreateChannel(sdk, 8);
    const reader = channelReader(engine.url, channel.readerRef);
    const items = lastValueFrom(reader.pipe(toArray()));
    const data = randomBytes(3 * 1024 * 1024 + 17);
    channel.writer.sendMessage('{"type":"start"}');
    await new Promise<void>((res, rej) => channel.writer.stream.write(data, (e) => (e ? rej(e) : res())));
    channel.writer.sendMessage('{"type":"end"}');
    channel.writer.stream.end();
    const got: ChannelItem[] = await items;
    expect(got[0]).toBe('{"type":"start"}');
    expect(got[got.length - 1]).toBe('{"type":"end"}');
    const body = Buffer.concat(got.slice(1, -1).map((i) => Buffer.from(i as Uint8Array)));
    expect(got.slice(1, -1).every((i) => typeof i !== 'string')).toBe(true);
    expect(sha(body)).toBe(sha(data));
  });

  it('iii-rx writer → iii-sdk reader: binary via readAll, text via onMessage', async () => {
    const { writer, readerRef } = await firstValueFrom(createChannel(rx, { bufferSize: 8 }));
    const sdkReader = new SdkChannelReader(engine.url, readerRef);
    const texts: string[] = [];
    sdkReader.onMessage((m) => texts.push(m));
    const all = sdkReader.readAll();
    const data = randomBytes(4 * 1024 * 1024 + 5);
    const items: ChannelItem[] = ['hello'];
    for (let o = 0; o < data.length; o += 1_000_000) items.push(data.subarray(o, Math.min(o + 1_000_000, data.length)));
    items.push('bye');
    await lastValueFrom(writer.write(from(items)));
    expect(sha(await all)).toBe(sha(data));
    // the stream records (protocol/streamEnd) reach an SDK reader as text messages; its byte stream is unchanged
    expect(texts).toEqual([BEGIN, 'hello', 'bye', END]);
  });

  it('an iii-rx writer feeding an iii-sdk ChannelWriter-made ref works the same (refs are symmetric)', async () => {
    const channel = await sdkCreateChannel(sdk);
    const rxWriter = new ChannelWriter(engine.url, channel.writerRef);
    const sdkReader = channel.reader;
    const all = sdkReader.readAll();
    rxWriter.next(Buffer.from('abc'));
    rxWriter.complete();
    await lastValueFrom(rxWriter.done$);
    expect((await all).toString()).toBe('abc');
    expect(SdkChannelWriter).toBeDefined();
  });

  it('iii-rx caller passes an Observable; the iii-sdk handler receives an ordinary reader', async () => {
    sdk.registerFunction('sdk::consume', async (input: { rows: SdkChannelReader; tag: string }) => {
      const lines: string[] = [];
      input.rows.onMessage((m) => lines.push(m));
      const bytes = await input.rows.readAll();
      return { tag: input.tag, values: lines.map((l) => JSON.parse(l)), bytes: bytes.length };
    });
    await waitFor(() => engine.functionIds().includes('sdk::consume'));
    const rows$ = from<unknown[]>([{ id: 1 }, 'two', new Uint8Array([9, 9, 9]), [3]]);
    const result = await firstValueFrom(rx.trigger('sdk::consume', { rows: rows$, tag: 'x' }));
    // the first and last text messages are the stream's begin and end records (README: Observables in payloads and results)
    expect(result).toEqual({ tag: 'x', values: [{ $iii_rx: 'begin', v: 1 }, { id: 1 }, 'two', [3], { $iii_rx: 'end' }], bytes: 3 });
  });

  it('iii-sdk caller passes refs; the iii-rx handler gets live ends, and a returned live end reaches the SDK as a ref', async () => {
    rx.registerFunction('rx::upper', (input: unknown) => {
      const { src, out } = input as { src: ChannelReader; out: ChannelWriter };
      expect(src).toBeInstanceOf(ChannelReader);
      expect(out).toBeInstanceOf(ChannelWriter);
      return lastValueFrom(
        out.write(src.pipe(map((item) => (typeof item === 'string' ? item.toUpperCase() : Buffer.from(item).reverse())))),
      ).then((p) => ({ frames: p.frames }));
    });
    rx.registerFunction('rx::give', async () => {
      const channel = await firstValueFrom(createChannel(rx));
      channel.writer.write(from(['from rx'])).subscribe();
      return { stream: channel.reader };
    });
    await waitFor(() => engine.functionIds().includes('rx::give'));

    const input = await sdkCreateChannel(sdk);
    const output = await sdkCreateChannel(sdk);
    const call = sdk.trigger({ function_id: 'rx::upper', payload: { src: input.readerRef, out: output.writerRef } });
    const texts: string[] = [];
    output.reader.onMessage((m) => texts.push(m));
    const bytes = output.reader.readAll();
    input.writer.sendMessage('shout');
    await new Promise<void>((res, rej) => input.writer.stream.write(Buffer.from([1, 2, 3]), (e) => (e ? rej(e) : res())));
    input.writer.stream.end();
    await expect(call).resolves.toEqual({ frames: 2 });
    expect(texts).toEqual([BEGIN, 'SHOUT', END]);
    expect([...(await bytes)]).toEqual([3, 2, 1]);

    const given = (await sdk.trigger({ function_id: 'rx::give', payload: {} })) as { stream: unknown };
    expect(given.stream).toEqual(expect.objectContaining({ direction: 'read', channel_id: expect.any(String) }));
    const sdkReader = new SdkChannelReader(engine.url, given.stream as never);
    const texts2: string[] = [];
    sdkReader.onMessage((m) => texts2.push(m));
    await sdkReader.readAll();
    expect(texts2).toEqual([BEGIN, 'from rx', END]);
  });

  it('an iii-sdk writer of NDJSON (no stream records): values$() of an iii-rx reader completes at its close', async () => {
    const channel = await sdkCreateChannel(sdk);
    const values = lastValueFrom(channelReader(engine.url, channel.readerRef).values$().pipe(toArray()));
    channel.writer.sendMessage('{"n":1}\n');
    channel.writer.sendMessage('"two"\n');
    await new Promise<void>((res, rej) => channel.writer.stream.write(Buffer.from([7]), (e) => (e ? rej(e) : res())));
    channel.writer.stream.end();
    await expect(values).resolves.toEqual([{ n: 1 }, 'two', Buffer.from([7])]);
  });

  it('iii-rx reader reads only text or only bytes with the filtered views', async () => {
    const channel = await sdkCreateChannel(sdk);
    const reader = channelReader(engine.url, channel.readerRef);
    const result = lastValueFrom(reader.pipe(binaryItems(), collectBytes({ maxBytes: 1024 })));
    channel.writer.sendMessage('ignored by bytes view');
    await new Promise<void>((res, rej) => channel.writer.stream.write(Buffer.from('xyz'), (e) => (e ? rej(e) : res())));
    channel.writer.stream.end();
    expect(Buffer.from(await result).toString()).toBe('xyz');
    const c2 = await sdkCreateChannel(sdk);
    const texts = lastValueFrom(channelReader(engine.url, c2.readerRef).pipe(textItems(), toArray()));
    c2.writer.sendMessage('t1');
    await new Promise<void>((res, rej) => c2.writer.stream.write(Buffer.from('b'), (e) => (e ? rej(e) : res())));
    c2.writer.sendMessage('t2');
    c2.writer.stream.end();
    await expect(texts).resolves.toEqual(['t1', 't2']);
  });
});
