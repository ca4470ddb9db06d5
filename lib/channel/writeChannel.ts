import type { Observable, OperatorFunction } from 'rxjs';
import type { ChannelItem } from './ChannelItem';
import type { ChannelProgress } from './ChannelProgress';
import type { ChannelWriter } from './ChannelWriter';
import type { WriteFlowOptions } from './WriteSession';

/**
 * Operator form of `writer.write(source)`: sends the source's items through the channel with backpressure
 * and emits running `{ bytes, frames }`; completes after the socket closed normally.
 *
 * @example
 * ```ts
 * from(fileChunks).pipe(writeChannel(channel.writer)).subscribe({ complete: () => console.log('done') });
 * ```
 */
export function writeChannel(
  writer: ChannelWriter,
  options?: WriteFlowOptions,
): OperatorFunction<ChannelItem, ChannelProgress> {
  return (source: Observable<ChannelItem>) => writer.write(source, options);
}
