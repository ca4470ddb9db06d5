import type { ChannelReader, ChannelWriter } from 'iii-sdk/channel';
import { interleave, PlacedMessage, ReadReport, ReadTally, sha256, WriteReport } from './channelData';

/**
 * Reads an official-SDK `ChannelReader` to its end: binary chunks from `stream` (flowing mode, so
 * every chunk is counted before a later text message arrives), text messages from `onMessage`.
 */
export function readOfficial(reader: ChannelReader): Promise<ReadReport> {
  const tally = new ReadTally();
  reader.onMessage((message) => tally.text(message));
  return new Promise((done, fail) => {
    reader.stream.on('data', (chunk: Buffer) => tally.binary(chunk));
    reader.stream.once('end', () => done(tally.report()));
    reader.stream.once('error', fail);
  });
}

/**
 * Writes `data` through an official-SDK `ChannelWriter` with text messages at their offsets, then
 * ends the stream. Each binary slice is awaited (its write callback) before a message is sent, so
 * the order on the wire is the order given.
 */
export async function writeOfficial(writer: ChannelWriter, data: Uint8Array, messages: PlacedMessage[]): Promise<WriteReport> {
  await interleave(
    data,
    messages,
    (slice) => new Promise<void>((done, fail) => writer.stream.write(slice, (err) => (err ? fail(err) : done()))),
    async (text) => writer.sendMessage(text),
  );
  await new Promise<void>((done, fail) => {
    writer.stream.once('error', fail);
    writer.stream.end(() => done());
  });
  return { sha256: sha256(data), bytes: data.byteLength };
}
