import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import { map, Observable } from 'rxjs';
import { DecodeError } from '../errors/DecodeError';
import { ENGINE_FUNCTIONS } from '../protocol/constants';
import { StreamChannelRef, StreamChannelRefCodec } from '../protocol/StreamChannelRef';
import type { Channel } from './Channel';
import type { ChannelHost } from './ChannelHost';
import { ChannelReader, ChannelReaderOptions } from './ChannelReader';
import { ChannelWriter, ChannelWriterOptions } from './ChannelWriter';

/** Options of {@link createChannel}. */
export interface CreateChannelOptions {
  /** Engine-side buffer in messages (engine default 64, clamped to 1..1024). */
  bufferSize?: number;
  /** Options for the reader end. */
  reader?: ChannelReaderOptions;
  /** Options for the writer end. */
  writer?: ChannelWriterOptions;
}

const CreateResult = t.type({ reader: StreamChannelRefCodec, writer: StreamChannelRefCodec }, 'ChannelsCreateResult');

/**
 * Asks the engine for a new channel (`engine::channels::create`) and emits one {@link Channel}, then
 * completes. Nothing connects until an end is used. Errors with the call's `InvocationError`, or
 * `DecodeError` if the engine answered something that is not a pair of refs.
 *
 * @example
 * ```ts
 * createChannel(worker, { bufferSize: 128 }).pipe(
 *   switchMap(({ reader, writerRef }) =>
 *     merge(worker.trigger('media::render', { out: writerRef }).pipe(ignoreElements()), reader.pipe(binaryItems()))),
 * ).subscribe((chunk) => ...);
 * ```
 */
export function createChannel(host: ChannelHost, options: CreateChannelOptions = {}): Observable<Channel> {
  const payload = options.bufferSize === undefined ? {} : { buffer_size: options.bufferSize };
  return host.trigger(ENGINE_FUNCTIONS.channelsCreate, payload).pipe(
    map((result) => {
      const refs = toRefs(result);
      const factory = host.socketFactory;
      const reader = new ChannelReader(host.url, refs.reader, { socketFactory: factory, ...options.reader });
      const writer = new ChannelWriter(host.url, refs.writer, { socketFactory: factory, ...options.writer });
      return { reader, writer, readerRef: reader.ref, writerRef: writer.ref };
    }),
  );
}

/** Accepts the plain refs, or ends a payload codec on the host already rehydrated. */
function toRefs(result: unknown): { reader: StreamChannelRef; writer: StreamChannelRef } {
  const r = result as Record<string, unknown> | null;
  const plain =
    r && typeof r === 'object'
      ? {
          reader: r.reader instanceof ChannelReader ? r.reader.ref : r.reader,
          writer: r.writer instanceof ChannelWriter ? r.writer.ref : r.writer,
        }
      : result;
  const decoded = CreateResult.decode(plain);
  if (isLeft(decoded)) {
    throw new DecodeError(`${ENGINE_FUNCTIONS.channelsCreate} returned no channel refs`, '');
  }
  return decoded.right;
}
