import { isLeft } from 'fp-ts/lib/Either';
import { isObservable, Observable, Subscription } from 'rxjs';
import type { ChannelHost } from '../channel/ChannelHost';
import { ChannelReader, ChannelReaderOptions } from '../channel/ChannelReader';
import { ChannelWriter, ChannelWriterOptions } from '../channel/ChannelWriter';
import { DecodeError } from '../errors/DecodeError';
import { looksLikeStreamChannelRef, StreamChannelRefCodec } from '../protocol/StreamChannelRef';
import { isChannelEnd } from './isChannelEnd';
import type { PayloadCodec } from './PayloadCodec';
import { streamResult, StreamResultOptions } from './streamResult';

/** Options of {@link channelPayloadCodec}. */
export interface ChannelPayloadCodecOptions {
  /** Options for readers made from incoming refs. */
  reader?: ChannelReaderOptions;
  /** Options for writers made from incoming refs. */
  writer?: ChannelWriterOptions;
  /** Engine buffer (messages) of channels made for outgoing Observables. */
  bufferSize?: number;
  /** Told when pumping an outgoing Observable fails; `path` is where it sat in the payload. */
  onStreamError?(err: Error, path: string): void;
}

/**
 * The payload codec that makes channels first-class in payloads.
 *
 * `decode` (incoming call data, trigger results) walks the value at any depth — the root, arrays, plain
 * objects — and replaces each channel ref (the SDK's exact test, PROTOCOL.md §7) with a live
 * `ChannelReader` or `ChannelWriter`. An object with string `channel_id` and `access_key` whose `direction`
 * is neither `read` nor `write` throws `DecodeError` with its JSON path (`a.b[2].c`).
 *
 * `encode` (outgoing payloads, handler results) replaces live ends with their refs and every Observable
 * with the reader ref of a new channel into which it is pumped with backpressure, ending with the stream's
 * end record (see `streamValues`). The pumps belong to the `scope` passed to `encode`: the worker
 * unsubscribes it when the call is unsubscribed, times out or fails, which stops the Observables and frees
 * their channels.
 *
 * @example
 * ```ts
 * const worker = connectWorker(url, { payloadCodec: (w) => channelPayloadCodec(w) });
 * worker.trigger('report::build', { rows: rows$ }).subscribe(...);            // rows$ travels as a channel
 * worker.registerFunction('report::build', ({ rows }) => rows.values$().pipe(count()));
 * ```
 */
export function channelPayloadCodec(host: ChannelHost, options: ChannelPayloadCodecOptions = {}): PayloadCodec {
  const readerOptions: ChannelReaderOptions = { socketFactory: host.socketFactory, ...options.reader };
  const writerOptions: ChannelWriterOptions = { socketFactory: host.socketFactory, ...options.writer };

  const decodeAt = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v = decodeAt(value[i], `${path}[${i}]`);
        if (v !== value[i]) (out ??= value.slice())[i] = v;
      }
      return out ?? value;
    }
    if (!isPlainObject(value)) return value;
    if (looksLikeStreamChannelRef(value)) {
      const ref = StreamChannelRefCodec.decode(value);
      if (isLeft(ref)) {
        const direction = JSON.stringify((value as Record<string, unknown>).direction);
        throw new DecodeError(
          `channel ref at ${path || '(root)'} has direction ${direction}; expected "read" or "write"`,
          path,
        );
      }
      return ref.right.direction === 'read'
        ? new ChannelReader(host.url, ref.right, readerOptions)
        : new ChannelWriter(host.url, ref.right, writerOptions);
    }
    let out: Record<string, unknown> | undefined;
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const v = decodeAt(obj[key], path ? `${path}.${key}` : key);
      if (v !== obj[key]) (out ??= { ...obj })[key] = v;
    }
    return out ?? value;
  };

  const encodeAt = async (value: unknown, path: string, scope: Subscription | undefined): Promise<unknown> => {
    if (value === null || typeof value !== 'object') return value;
    if (isChannelEnd(value)) return value.ref;
    if (isObservable(value)) {
      const streamOptions: StreamResultOptions = {
        bufferSize: options.bufferSize,
        onError: (err) => options.onStreamError?.(err, path),
        scope,
      };
      return streamResult(host, value as Observable<unknown>, streamOptions);
    }
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v = await encodeAt(value[i], `${path}[${i}]`, scope);
        if (v !== value[i]) (out ??= value.slice())[i] = v;
      }
      return out ?? value;
    }
    if (!isPlainObject(value)) return value;
    let out: Record<string, unknown> | undefined;
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const v = await encodeAt(obj[key], path ? `${path}.${key}` : key, scope);
      if (v !== obj[key]) (out ??= { ...obj })[key] = v;
    }
    return out ?? value;
  };

  const needsEncoding = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return false;
    if (isChannelEnd(value) || isObservable(value)) return true;
    if (Array.isArray(value)) return value.some(needsEncoding);
    if (!isPlainObject(value)) return false;
    for (const key of Object.keys(value)) if (needsEncoding((value as Record<string, unknown>)[key])) return true;
    return false;
  };

  return {
    decode: (value) => decodeAt(value, ''),
    encode: (value, scope) => encodeAt(value, '', scope),
    needsEncoding,
  };
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
