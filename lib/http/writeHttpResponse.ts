import { concat, from, isObservable, map, Observable, of } from 'rxjs';
import type { ChannelItem } from '../channel/ChannelItem';
import type { ChannelProgress } from '../channel/ChannelProgress';
import type { ChannelWriter } from '../channel/ChannelWriter';

/** A streamed HTTP reply: head, then a body of text or bytes. */
export interface StreamedHttpResponse {
  /** Sent as `{"type":"set_status","status_code":…}`; default 200. */
  status_code?: number;
  /** Sent as `{"type":"set_headers","headers":…}`. */
  headers?: Record<string, string>;
  /** The body, chunk by chunk; strings are sent as UTF-8 bytes. */
  body: Observable<string | Uint8Array> | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
}

const encoder = new TextEncoder();

/**
 * Streams an HTTP reply through the `response` channel of an http trigger's input (PROTOCOL.md §11.1,
 * reply mode 2): the status and headers as text control messages, then every body chunk as a binary
 * frame (the HTTP head goes out with the first one), then a normal close, which ends the HTTP body. A cold
 * Observable of write progress, completing when the channel closed normally; the handler should return
 * nothing (or this Observable with `ignoreElements()`) so that the channel decides the reply.
 *
 * @example
 * ```ts
 * worker.registerFunction('ticks::stream', (req: HttpRequest) =>
 *   writeHttpResponse(req.response, {
 *     headers: { 'content-type': 'text/plain' },
 *     body: interval(100).pipe(take(3), map((i) => `tick ${i}\n`)),
 *   }).pipe(ignoreElements()),
 * );
 * ```
 */
export function writeHttpResponse(writer: ChannelWriter, response: StreamedHttpResponse): Observable<ChannelProgress> {
  const head: ChannelItem[] = [];
  if (response.status_code !== undefined) head.push(JSON.stringify({ type: 'set_status', status_code: response.status_code }));
  if (response.headers !== undefined) head.push(JSON.stringify({ type: 'set_headers', headers: response.headers }));
  const body$ = (isObservable(response.body) ? response.body : from(response.body as AsyncIterable<string | Uint8Array>)).pipe(
    map((chunk): ChannelItem => (typeof chunk === 'string' ? encoder.encode(chunk) : chunk)),
  );
  // no stream records: the engine reads this channel's text frames as control messages
  return writer.write(concat(of(...head), body$), { records: false });
}
