/**
 * The stream records of iii-rx channels (an extension of PROTOCOL.md §6, not part of the iii protocol).
 *
 * The engine forwards only a status-less close to readers, whatever happened to the writer (§6.3, §10.3),
 * so a close alone cannot tell a finished stream from one whose producer failed or died. An iii-rx writer
 * (a raw `ChannelWriter` as well as a value stream) therefore frames its stream with text records:
 *
 * - first frame `{"$iii_rx":"begin","v":1}` — "this stream ends with a record";
 * - last frame `{"$iii_rx":"end"}` — the producer finished;
 * - or last frame `{"$iii_rx":"error","code":"…","message":"…"}` — the producer's source failed.
 *
 * An iii-rx reader takes these records off every view (they never arrive as data): after a begin record, a
 * close (or a dropped socket) without an end record is a truncation (`StreamTruncatedError`), an error
 * record errors with `StreamError`. A stream without a begin record (an iii-sdk or other writer) ends
 * normally at a bare close, as before. A text frame starting with `{"$iii_rx":` is reserved: a value stream
 * refuses such a value. An iii-sdk peer sees the records as ordinary text messages (its binary byte stream
 * is unchanged).
 */
export type StreamEnd = { kind: 'end' } | { kind: 'error'; code: string; message: string };

/** A stream record: the begin record, or an end record. */
export type StreamRecord = { kind: 'begin' } | StreamEnd;

/** The version the begin record announces. */
export const STREAM_RECORDS_VERSION = 1;

/** The key that marks a stream record. */
export const STREAM_END_KEY = '$iii_rx';

const PREFIX = `{"${STREAM_END_KEY}":`;

/**
 * Encodes an end record as the text of its frame.
 *
 * @example
 * ```ts
 * encodeStreamEnd({ kind: 'end' }); // '{"$iii_rx":"end"}\n'
 * ```
 */
export function encodeStreamEnd(end: StreamEnd): string {
  if (end.kind === 'end') return `${PREFIX}"end"}\n`;
  return `${JSON.stringify({ [STREAM_END_KEY]: 'error', code: end.code, message: end.message })}\n`;
}

/**
 * The begin record's frame text, sent first by an iii-rx writer.
 *
 * @example
 * ```ts
 * encodeStreamBegin(); // '{"$iii_rx":"begin","v":1}\n'
 * ```
 */
export function encodeStreamBegin(): string {
  return `${PREFIX}"begin","v":${STREAM_RECORDS_VERSION}}\n`;
}

/**
 * Decodes a stream record's frame text (one that passed {@link isStreamEnd}): the begin record, or an end
 * record as {@link decodeStreamEnd} reads it.
 *
 * @example
 * ```ts
 * decodeStreamRecord('{"$iii_rx":"begin","v":1}'); // { kind: 'begin' }
 * ```
 */
export function decodeStreamRecord(text: string): StreamRecord {
  if (text.startsWith(`${PREFIX}"begin"`)) return { kind: 'begin' };
  return decodeStreamEnd(text);
}

/**
 * Whether a text frame is a stream record — begin or end (cheap prefix test; see {@link decodeStreamRecord}).
 *
 * @example
 * ```ts
 * isStreamEnd('{"$iii_rx":"end"}\n'); // true
 * ```
 */
export function isStreamEnd(text: string): boolean {
  return text.startsWith(PREFIX);
}

/**
 * Decodes an end record's frame text; a malformed record decodes as an error record (code `stream_failed`).
 *
 * @example
 * ```ts
 * decodeStreamEnd('{"$iii_rx":"error","code":"E","message":"m"}'); // { kind: 'error', code: 'E', message: 'm' }
 * ```
 */
export function decodeStreamEnd(text: string): StreamEnd {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'error', code: 'stream_failed', message: `malformed stream end record: ${text.slice(0, 200)}` };
  }
  const record = parsed as Record<string, unknown>;
  if (record[STREAM_END_KEY] === 'end') return { kind: 'end' };
  return {
    kind: 'error',
    code: typeof record.code === 'string' && record.code !== '' ? record.code : 'stream_failed',
    message: typeof record.message === 'string' ? record.message : 'the producer failed',
  };
}
