import { OperatorFunction, scan } from 'rxjs';
import { ChannelItem, channelItemBytes } from './ChannelItem';
import type { ChannelProgress } from './ChannelProgress';

/**
 * Running totals of a channel stream: after each item, the bytes (UTF-8 for text) and frames so far.
 *
 * @example
 * ```ts
 * reader.pipe(progress(), throttleTime(1000)).subscribe(({ bytes }) => console.log(bytes));
 * ```
 */
export function progress(): OperatorFunction<ChannelItem, ChannelProgress> {
  return scan<ChannelItem, ChannelProgress>(
    (acc, item) => ({ bytes: acc.bytes + channelItemBytes(item), frames: acc.frames + 1 }),
    { bytes: 0, frames: 0 },
  );
}
