import type { Observable, OperatorFunction } from 'rxjs';
import type { ChannelItem } from './ChannelItem';
import type { ChannelProgress } from './ChannelProgress';
import type { ChannelWriter } from './ChannelWriter';
import type { WriteFlowOptions } from './WriteSession';

/**
 * Operator form of `writer.write(source)`: sends the source's items through the channel and emits running
 * `{ bytes, frames }`; completes after the socket closed normally. It is a demand-aware consumer: a
 * pausable source — {@link pulled} over a generator or a Node `Readable`, a channel reader, `consume(...)`'s
 * output, with `map`/`filter`/`tap`/... in between — is held while the socket is above its mark, so the
 * stream stays bounded however large it is. A source that cannot pause fills a queue bounded by
 * `maxQueuedBytes` and then errors with `ChannelOverflowError`.
 *
 * @example
 * ```ts
 * async function* lines() { for (let i = 0; i < 1e7; i++) yield `${i}\n`; }
 * pulled(lines()).pipe(writeChannel(channel.writer)).subscribe({ complete: () => console.log('done') });
 * ```
 */
export function writeChannel(
  writer: ChannelWriter,
  options?: WriteFlowOptions,
): OperatorFunction<ChannelItem, ChannelProgress> {
  return (source: Observable<ChannelItem>) => writer.write(source, options);
}
