import { map, Observable, Subscription } from 'rxjs';
import { keepDemand } from '../demand/DemandObservable';
import type { Channel } from '../channel/Channel';
import type { ChannelHost } from '../channel/ChannelHost';
import type { ChannelItem } from '../channel/ChannelItem';
import { createChannel, CreateChannelOptions } from '../channel/createChannel';
import { PayloadEncodeError } from '../errors/PayloadEncodeError';
import { wireErrorOf } from '../errors/wireErrorOf';
import { StreamError } from '../errors/StreamError';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import { encodeStreamEnd, isStreamEnd } from '../protocol/streamEnd';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';
import { releaseChannelEnd } from './releaseChannelEnd';

/** Options of {@link streamValues}. */
export interface StreamValuesOptions extends CreateChannelOptions {
  /** Told when the source Observable fails (its error also travels to the reader as the end record). */
  onSourceError?(err: Error): void;
}

/**
 * Streams an Observable's values through a new channel, as a cold Observable of the channel's **reader
 * ref**: subscribing creates the channel, emits the reader ref (put it in a payload or a result), subscribes
 * `values$` and pumps it into the writer with the writer's bounded queue and socket backpressure; it
 * completes once the stream was fully written and the writer closed normally. JSON values travel as NDJSON
 * text frames, `Uint8Array`s as binary frames, and the stream ends with its end record
 * (`protocol/streamEnd`): `end`, or `error` with the source's code and message, so a reader tells a finished
 * stream from a failed or truncated one. A source error is reported to `onSourceError`, not to the
 * subscriber; the subscriber errors when the channel fails (e.g. `ChannelClosedError`: the reader went away).
 *
 * Unsubscribing before the end stops everything: `values$` is unsubscribed, the writer socket is dropped and
 * an untaken reader half is taken and dropped, so the engine frees the channel.
 *
 * @example
 * ```ts
 * streamValues(worker, range(1, 3)).subscribe((ref) => worker.trigger('numbers::sum', { values: ref }).subscribe());
 * ```
 */
export function streamValues(
  host: ChannelHost,
  values$: Observable<unknown>,
  options: StreamValuesOptions = {},
): Observable<StreamChannelRef> {
  return new Observable<StreamChannelRef>((subscriber) => {
    let channel: Channel | undefined;
    let finished = false;
    const pump = new Subscription();
    const creating = createChannel(host, options).subscribe({
      next: (made) => {
        channel = made;
        subscriber.next(made.readerRef);
        if (subscriber.closed) return;
        pump.add(
          made.writer.write(framedValues(values$, options.onSourceError)).subscribe({
            error: (err) => {
              finished = true;
              subscriber.error(err);
            },
            complete: () => {
              finished = true;
              subscriber.complete();
            },
          }),
        );
      },
      error: (err) => subscriber.error(err),
    });
    return () => {
      creating.unsubscribe();
      pump.unsubscribe();
      if (channel && !finished) {
        releaseChannelEnd(host.socketFactory ?? defaultSocketFactory, channel.reader.url);
      }
    };
  });
}

/** Values of one synchronous burst sent one per frame before the rest of the burst is batched. */
const SINGLE_FRAMES_PER_BURST = 64;
/** Most UTF-16 units of NDJSON lines batched into one text frame. */
const BATCH_CHARS = 64 * 1024;

/**
 * The frames of a value stream: each value as one frame (JSON as an NDJSON line, bytes as binary), then the
 * end record (`end`, or `error` when `values$` fails; `onSourceError` is told). Within one synchronous burst
 * (values emitted without yielding to the event loop), the first 64 values get a frame each and the rest of
 * the burst is batched, many NDJSON lines per text frame of up to 64 Ki characters: a million values then
 * cost ~100 frames, not a million. A value that cannot travel (not JSON-serialisable, or a reserved end
 * record) fails the stream with `PayloadEncodeError` and unsubscribes `values$`.
 *
 * @example
 * ```ts
 * channel.writer.write(framedValues(of({ a: 1 }))).subscribe(); // '{"a":1}\n', '{"$iii_rx":"end"}\n'
 * ```
 */
export function framedValues(values$: Observable<unknown>, onSourceError?: (err: Error) => void): Observable<ChannelItem> {
  // a pausable source (e.g. `pulled`, a channel reader) stays pausable: the writer's demand reaches it
  return keepDemand(values$, new Observable<ChannelItem>((subscriber) => {
    let burst = 0;
    let burstEnding = false;
    let batch = '';
    let stopped = false;
    const flushBatch = () => {
      if (batch === '') return;
      const text = batch;
      batch = '';
      subscriber.next(text);
    };
    const endBurst = () => {
      burstEnding = false;
      burst = 0;
      if (!stopped) flushBatch();
    };
    const finish = (err?: unknown) => {
      if (stopped) return;
      stopped = true;
      flushBatch();
      if (err === undefined) {
        subscriber.next(encodeStreamEnd({ kind: 'end' }));
      } else {
        const error = err instanceof Error ? err : new Error(String(err));
        onSourceError?.(error);
        subscriber.next(encodeStreamEnd({ kind: 'error', ...wireErrorOf(error, StreamError.defaultCode) }));
      }
      subscriber.complete();
    };
    // map throws PayloadEncodeError for a value that cannot travel: the operator unsubscribes the source
    const source = values$.pipe(map(toChannelItem)).subscribe({
      next: (item) => {
        if (stopped) return;
        if (!burstEnding) {
          burstEnding = true;
          queueMicrotask(endBurst);
        }
        if (++burst <= SINGLE_FRAMES_PER_BURST || typeof item !== 'string') {
          flushBatch();
          subscriber.next(item);
          return;
        }
        batch += item;
        if (batch.length >= BATCH_CHARS) flushBatch();
      },
      error: (err: unknown) => finish(err ?? new Error('the source failed')),
      complete: () => finish(),
    });
    return () => {
      stopped = true;
      source.unsubscribe();
    };
  }));
}

/** One value → one frame: bytes stay binary, anything else becomes one NDJSON line. */
export function toChannelItem(value: unknown): ChannelItem {
  if (value instanceof Uint8Array) return value;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new PayloadEncodeError(`a stream value is not serialisable as JSON: ${(err as Error).message}`, { cause: err });
  }
  if (json === undefined) return 'null\n';
  if (json.charCodeAt(0) === 123 && isStreamEnd(json)) {
    throw new PayloadEncodeError('a stream value is an object whose first key is "$iii_rx", which is reserved for the end record');
  }
  return `${json}\n`;
}
