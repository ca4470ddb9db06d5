import { MonoTypeOperatorFunction, Observable, SchedulerLike, catchError, retry, throwError, timer } from 'rxjs';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import { ReconnectConfig, backoffDelay } from './backoffDelay';
import type { Logger } from './Logger';
import { SocketDroppedError } from './SocketDroppedError';

/** What {@link reconnectWithBackoff} needs besides its source. */
export interface ReconnectWithBackoffOptions {
  readonly url: string;
  readonly config: ReconnectConfig;
  readonly random: () => number;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Called when a dropped socket is to be reopened, before the delay starts. */
  readonly reconnecting: (delayMs: number) => void;
}

/**
 * The reconnect policy as an operator on a socket session: when the source errors with
 * {@link SocketDroppedError} it is resubscribed after `backoffDelay(attempt)`; the attempt count restarts
 * with every value (a socket that opened). After `maxRetries` attempts it errors with ConnectionClosedError
 * (`cause`: the last drop); any other error passes through at once (nothing to retry).
 *
 * @example
 * ```ts
 * socketSession(options).pipe(reconnectWithBackoff({ url, config: DEFAULT_RECONNECT, random: Math.random, scheduler, logger, reconnecting }));
 * ```
 */
export function reconnectWithBackoff<T>(options: ReconnectWithBackoffOptions): MonoTypeOperatorFunction<T> {
  const { url, config, logger } = options;
  const delay = (err: unknown, attempt: number): Observable<number> => {
    if (!(err instanceof SocketDroppedError)) return throwError(() => err);
    if (attempt === 1 && !err.opened && err.socketError) {
      // a wrong URL or a refused connection: say so at once, not only after the retries
      logger.warn?.(`cannot connect to ${url}: ${err.socketError.message}; retrying with backoff`, err.socketError);
    }
    const ms = backoffDelay(attempt - 1, config, options.random);
    logger.info?.(`${err.message}; reconnecting in ${ms} ms`);
    options.reconnecting(ms);
    return timer(ms, options.scheduler);
  };
  return (source) =>
    source.pipe(
      retry({ count: config.maxRetries < 0 ? Infinity : config.maxRetries, resetOnSuccess: true, delay }),
      catchError((err: unknown) => {
        if (!(err instanceof SocketDroppedError)) return throwError(() => err);
        const message = `gave up reconnecting to ${url} after ${config.maxRetries} attempts (last: ${err.message})`;
        return throwError(() => new ConnectionClosedError(message, { cause: err }));
      }),
    );
}
