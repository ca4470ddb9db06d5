/**
 * The end record of an iii-rx value stream (an extension of PROTOCOL.md §6, not part of the iii protocol).
 *
 * A value stream carries one JSON value per text frame (an NDJSON line) and each `Uint8Array` value as
 * binary frames. Its last frame is one more text frame, the end record:
 *
 * - `{"$iii_rx":"end"}` — the producer finished;
 * - `{"$iii_rx":"error","code":"…","message":"…"}` — the producer failed.
 *
 * The engine forwards only a status-less close to readers (§6.3, §10.3), so without this record a reader
 * cannot tell a finished stream from one whose producer died. A plain object value whose first key is
 * `$iii_rx` is reserved and refused by the writer. An iii-sdk peer sees the record as one last text message.
 */
export type StreamEnd = { kind: 'end' } | { kind: 'error'; code: string; message: string };

/** The key that marks an end record. */
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
 * Whether a text frame is an end record (cheap prefix test; see {@link decodeStreamEnd}).
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
