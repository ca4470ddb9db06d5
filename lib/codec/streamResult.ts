import { Observable, Subscription } from 'rxjs';
import { ChannelClosedError } from '../errors/ChannelClosedError';
import type { ChannelHost } from '../channel/ChannelHost';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';
import { streamValues, StreamValuesOptions } from './streamValues';

export { toChannelItem } from './streamValues';

/** Options of {@link streamResult} (and of Observables encoded by the payload codec). */
export interface StreamResultOptions extends StreamValuesOptions {
  /** Told when the stream fails: the source errored (the reader gets its error) or the channel failed. */
  onError?(err: Error): void;
  /** Told when the stream was fully written and the socket closed normally. */
  onComplete?(): void;
  /**
   * Owns the pump: unsubscribing `scope` stops the stream and frees its channel (see `streamValues`).
   * Left out, the pump runs until the stream ends or the channel fails.
   */
  scope?: Subscription;
}

/**
 * The Promise form of {@link streamValues}: creates a channel through `host`, starts pumping `values$` into
 * it and resolves with the **reader ref**. The pump belongs to `options.scope` when given.
 *
 * @example
 * ```ts
 * const scope = new Subscription();
 * worker.registerFunction('events::tail', async () => ({ events: await streamResult(worker, events$, { scope }) }));
 * ```
 */
export function streamResult(
  host: ChannelHost,
  values$: Observable<unknown>,
  options: StreamResultOptions = {},
): Promise<StreamChannelRef> {
  return new Promise<StreamChannelRef>((resolve, reject) => {
    let started = false;
    const onSourceError = (err: Error) => {
      options.onSourceError?.(err);
      options.onError?.(err);
    };
    const sub: Subscription = streamValues(host, values$, { ...options, onSourceError }).subscribe({
      next: (ref) => {
        started = true;
        resolve(ref);
      },
      error: (err: Error) => {
        if (started) options.onError?.(err);
        else reject(err);
      },
      complete: () => {
        options.onComplete?.();
      },
    });
    sub.add(() => {
      if (!started) reject(new ChannelClosedError('the stream was cancelled before its channel was created'));
    });
    if (options.scope && !sub.closed) {
      const scope = options.scope;
      scope.add(sub);
      sub.add(() => scope.remove(sub));
    }
  });
}
