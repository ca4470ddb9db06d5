import { lastValueFrom, Observable } from 'rxjs';
import type { ChannelItem, ChannelWriter } from '../../../../lib';
import { interleave, PlacedMessage, ReadReport, ReadTally, sha256, WriteReport } from './channelData';

/** Reads an iii-rx reader (an Observable of channel items) to its end. */
export function readRx(reader: Observable<ChannelItem>): Promise<ReadReport> {
  const tally = new ReadTally();
  return new Promise((done, fail) =>
    reader.subscribe({
      next: (item) => (typeof item === 'string' ? tally.text(item) : tally.binary(item)),
      error: fail,
      complete: () => done(tally.report()),
    }),
  );
}

/** Writes `data` with messages at their offsets through an iii-rx writer (an iterable source: pulled, never read ahead), then completes it. */
export async function writeRx(writer: ChannelWriter, data: Uint8Array, messages: PlacedMessage[]): Promise<WriteReport> {
  const items: ChannelItem[] = [];
  await interleave(
    data,
    messages,
    async (slice) => void items.push(slice),
    async (text) => void items.push(text),
  );
  await lastValueFrom(writer.write(items), { defaultValue: undefined });
  return { sha256: sha256(data), bytes: data.byteLength };
}

