import { createHash, randomBytes } from 'node:crypto';
import { encodeStreamBegin, encodeStreamEnd } from '../../../../lib/protocol/streamEnd';

/** A text message seen on (or to be sent through) a channel, with the binary byte offset it follows. */
export interface PlacedMessage {
  text: string;
  at: number;
}

/** What a reader saw: sha256 of the binary bytes, their count and the text messages in order. */
export interface ReadReport {
  sha256: string;
  bytes: number;
  messages: PlacedMessage[];
}

/** What a writer sent. */
export interface WriteReport {
  sha256: string;
  bytes: number;
}

export const MiB = 1024 * 1024;

/** sha256 hex digest. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Random bytes of the given size (the writer reports their sha256, the reader recomputes it). */
export function makeBytes(size: number): Buffer {
  return randomBytes(size);
}

/**
 * Text messages placed through a stream of `size` bytes: at the start, unaligned inside a chunk,
 * a long one (more than one 64 KiB binary chunk) in the middle, non-ASCII, JSON, and one at the end.
 */
export function mixedMessages(size: number): PlacedMessage[] {
  return [
    { at: 0, text: 'start ✓ — ünïcödé' },
    { at: Math.min(size, 3 * 65_536 + 17), text: JSON.stringify({ type: 'progress', n: 1, nested: { ok: true } }) },
    { at: Math.floor(size / 2), text: 'x'.repeat(70_000) },
    { at: size, text: 'end' },
  ];
}

/**
 * What a peer reads from an iii-rx writer that sent `messages` with `size` bytes: the same messages, framed
 * by the stream records (protocol/streamEnd) — the begin record first, the end record after the last byte.
 */
export function framedByRx(messages: PlacedMessage[], size: number): PlacedMessage[] {
  return [{ at: 0, text: encodeStreamBegin() }, ...messages, { at: size, text: encodeStreamEnd({ kind: 'end' }) }];
}

/** Splits `data` at the message offsets: calls `bytes` for each slice and `text` when a message is due. */
export async function interleave(
  data: Uint8Array,
  messages: PlacedMessage[],
  bytes: (slice: Uint8Array) => Promise<void>,
  text: (message: string) => Promise<void>,
  sliceSize = MiB,
): Promise<void> {
  const pending = [...messages].sort((a, b) => a.at - b.at);
  let offset = 0;
  const flushDue = async (): Promise<void> => {
    while (pending.length > 0 && Math.min(pending[0].at, data.length) <= offset) await text(pending.shift()!.text);
  };
  await flushDue();
  while (offset < data.length) {
    const nextCut = pending.length > 0 ? Math.min(pending[0].at, data.length) : data.length;
    const end = Math.min(nextCut, offset + sliceSize);
    await bytes(data.subarray(offset, end));
    offset = end;
    await flushDue();
  }
  await flushDue();
}

/** Incremental reader bookkeeping: feed binary chunks and text messages in arrival order. */
export class ReadTally {
  private readonly hash = createHash('sha256');
  private count = 0;
  private readonly seen: PlacedMessage[] = [];

  binary(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.count += chunk.byteLength;
  }

  text(message: string): void {
    this.seen.push({ text: message, at: this.count });
  }

  get bytes(): number {
    return this.count;
  }

  report(): ReadReport {
    return { sha256: this.hash.digest('hex'), bytes: this.count, messages: this.seen };
  }
}

/** Shortens long texts in reports so a failing assertion stays readable. */
export function summarize(messages: PlacedMessage[]): PlacedMessage[] {
  return messages.map((m) => ({ at: m.at, text: m.text.length > 80 ? `${m.text.slice(0, 20)}…(${m.text.length} chars, sha ${sha256(m.text).slice(0, 12)})` : m.text }));
}
