import { ChannelReader } from '../channel/ChannelReader';
import { DecodeError } from '../errors/DecodeError';
import { isStreamChannelRef } from '../protocol/StreamChannelRef';
import type { SocketFactory } from '../socket/SocketLike';

/**
 * The reader of a streaming function's result: the live reader the payload codec made, or one made from a
 * plain read ref (e.g. with `identityCodec`). Anything else throws `DecodeError`: the function did not
 * answer with a stream.
 *
 * @example
 * ```ts
 * toValueReader(result, worker.url, worker.socketFactory, 'numbers::squares').values$().subscribe(console.log);
 * ```
 */
export function toValueReader(result: unknown, url: string, socketFactory: SocketFactory, functionId: string): ChannelReader {
  if (result instanceof ChannelReader) return result;
  if (isStreamChannelRef(result) && result.direction === 'read') return new ChannelReader(url, result, { socketFactory });
  throw new DecodeError(`${functionId} did not answer with a stream (a channel reader ref); register it with { stream: true }`, '');
}
