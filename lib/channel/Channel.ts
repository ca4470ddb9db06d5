import type { StreamChannelRef } from '../protocol/StreamChannelRef';
import type { ChannelReader } from './ChannelReader';
import type { ChannelWriter } from './ChannelWriter';

/**
 * A channel made by `createChannel`: its two live ends and their refs (to hand to another worker).
 *
 * @example
 * ```ts
 * createChannel(worker).subscribe(({ reader, writerRef }) => worker.trigger('producer::run', { out: writerRef }));
 * ```
 */
export interface Channel {
  readonly reader: ChannelReader;
  readonly writer: ChannelWriter;
  readonly readerRef: StreamChannelRef;
  readonly writerRef: StreamChannelRef;
}
