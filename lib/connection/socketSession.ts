import { Observable, SchedulerLike, Subject, Subscription } from 'rxjs';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import type { Frame } from '../protocol/Frame';
import { pingFrame } from '../protocol/OutboundFrame';
import type { OpenSocketOptions, SocketFactory, SocketLike } from '../socket/SocketLike';
import { decodeInbound } from './decodeInbound';
import { HeartbeatConfig, heartbeat } from './heartbeat';
import type { Logger } from './Logger';
import { SocketDroppedError } from './SocketDroppedError';

/** A socket that has opened, with the decoded frames that arrive on it (hot; completes when it closes). */
export interface OpenSocket {
  readonly socket: SocketLike;
  readonly frames: Observable<Frame>;
}

/** What {@link socketSession} needs. */
export interface SocketSessionOptions {
  readonly factory: SocketFactory;
  readonly url: string;
  readonly open: OpenSocketOptions;
  readonly heartbeat: HeartbeatConfig;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** A socket still open at unsubscription is closed, and terminated if its closing handshake takes longer. */
  readonly closeTimeoutMs: number;
  /** Told of each socket closed by unsubscription, with a promise that resolves once it is closed. */
  readonly closing: (closed: Promise<void>) => void;
}

/**
 * One engine socket as an Observable: each subscription opens one socket, emits it once it is open (with
 * its frames), and errors with {@link SocketDroppedError} when it closes. While open, a WebSocket ping (a
 * JSON ping where the platform has none) goes out every `pingIntervalMs`, and the socket is terminated
 * after `idleTimeoutMs` without any inbound frame. Unsubscribing closes the socket (terminating it after
 * `closeTimeoutMs`). A URL the factory refuses errors with ConnectionClosedError on the next turn.
 *
 * @example
 * ```ts
 * socketSession(options).pipe(retry({ delay: () => timer(1000) })).subscribe(({ socket }) => socket.send('{"type":"ping"}'));
 * ```
 */
export function socketSession(options: SocketSessionOptions): Observable<OpenSocket> {
  const { logger, scheduler } = options;
  return new Observable<OpenSocket>((subscriber) => {
    let socket: SocketLike;
    try {
      socket = options.factory(options.url, options.open);
    } catch (err) {
      // e.g. a malformed URL: retrying cannot help. On the next turn, so that the owner sees it happen.
      const failure = new ConnectionClosedError(`cannot open a socket to ${options.url}: ${(err as Error).message}`, { cause: err });
      return scheduler.schedule(() => subscriber.error(failure));
    }
    const frames = new Subject<Frame>();
    const activity = new Subject<void>();
    let beat: Subscription | undefined;
    let opened = false;
    let ended = false;
    let socketError: Error | undefined;
    socket.setHandlers({
      open: () => {
        opened = true;
        beat = heartbeat(activity, options.heartbeat, scheduler).subscribe((signal) => {
          if (signal === 'idle') {
            logger.warn?.('no inbound frame for the idle timeout; terminating the socket to reconnect');
            socket.terminate();
          } else if (socket.ping) socket.ping();
          // browsers cannot send WebSocket pings: a JSON ping makes the engine answer with a pong frame instead
          else socket.send(JSON.stringify(pingFrame()), (err) => err && logger.debug?.(`a ping could not be sent: ${err.message}`, err));
        });
        subscriber.next({ socket, frames });
      },
      message: (data) => {
        const result = decodeInbound(data);
        if (result.ok) frames.next(result.frame);
        else if (result.code !== 'EMPTY') logger.warn?.(`dropped an inbound frame: ${result.message}`, result);
      },
      activity: () => activity.next(),
      error: (err) => {
        socketError = err;
        logger.debug?.(`worker socket error: ${err.message}`, err);
      },
      close: (code, reason) => {
        ended = true;
        beat?.unsubscribe();
        frames.complete();
        subscriber.error(new SocketDroppedError(code, reason, opened, socketError));
      },
    });
    return () => {
      beat?.unsubscribe();
      frames.complete();
      if (!ended) options.closing(closeSocket(socket, options.closeTimeoutMs, scheduler));
    };
  });
}

/** Starts the closing handshake; terminates the socket if it does not finish within `timeoutMs`. */
function closeSocket(socket: SocketLike, timeoutMs: number, scheduler: SchedulerLike): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = scheduler.schedule(() => socket.terminate(), timeoutMs);
    socket.setHandlers({
      close: () => {
        timer.unsubscribe();
        resolve();
      },
    });
    try {
      socket.close();
    } catch {
      socket.terminate();
    }
  });
}
