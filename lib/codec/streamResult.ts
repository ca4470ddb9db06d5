import { firstValueFrom, map, Observable } from 'rxjs';
import type { ChannelHost } from '../channel/ChannelHost';
import type { ChannelItem } from '../channel/ChannelItem';
import { createChannel, CreateChannelOptions } from '../channel/createChannel';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';

/** Options of {@link streamResult} (and of Observables encoded by the payload codec). */
export interface StreamResultOptions extends CreateChannelOptions {
  /** Told when pumping the Observable into the channel fails (the receiving reader then sees an early end). */
  onError?(err: Error): void;
  /** Told when the stream was fully written and the socket closed normally. */
  onComplete?(): void;
}

/**
 * Streams an Observable to whoever holds the returned reader ref: creates a channel through `host`, starts
 * pumping the Observable into its writer with backpressure, and resolves with the **reader ref** (put it in
 * a payload or return it from a handler). JSON values travel as NDJSON text frames (one value per frame),
 * `Uint8Array`s as binary frames; `observeValues()` / `reader.values$()` turn them back into values, and an
 * iii-sdk peer sees an ordinary channel. The Observable is subscribed at once; it cannot be slowed down, so
 * its values wait in the writer's bounded queue (`writer.maxQueuedBytes`, default 16 MiB), past which the
 * pump fails with `ChannelOverflowError` (reported to `onError`).
 *
 * @example
 * ```ts
 * worker.registerFunction('events::tail', async () => ({ events: await streamResult(worker, events$) }));
 * ```
 */
export async function streamResult(
  host: ChannelHost,
  values$: Observable<unknown>,
  options: StreamResultOptions = {},
): Promise<StreamChannelRef> {
  const channel = await firstValueFrom(createChannel(host, options));
  channel.writer.write(values$.pipe(map(toChannelItem))).subscribe({
    error: (err: Error) => options.onError?.(err),
    complete: () => options.onComplete?.(),
  });
  return channel.readerRef;
}

/** One value → one frame: bytes stay binary, anything else becomes one NDJSON line. */
export function toChannelItem(value: unknown): ChannelItem {
  if (value instanceof Uint8Array) return value;
  const json = JSON.stringify(value);
  return `${json === undefined ? 'null' : json}\n`;
}
