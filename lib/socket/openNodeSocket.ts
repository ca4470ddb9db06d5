import WebSocket from 'ws';
import { PROTOCOL } from '../protocol/constants';
import { SocketError } from '../errors/SocketError';
import { ChannelNotFoundError } from '../errors/ChannelNotFoundError';
import { HandshakeRejectedError } from '../errors/HandshakeRejectedError';
import { OpenSocketOptions, SocketHandlers, SocketLike } from './SocketLike';
import { TickBatcher } from './TickBatcher';

const TEXT = { binary: false };
const BINARY = { binary: true };

/**
 * Wraps a `ws` client socket as a {@link SocketLike}. Inbound text becomes `string`, binary stays a `Buffer`
 * (a `Uint8Array`); `pause()` stops reading the TCP stream, so the peer feels backpressure. With
 * `batchWrites`, the messages sent during one event-loop turn leave in one system call ({@link TickBatcher}).
 */
export function wrapNodeSocket(ws: WebSocket, options: { batchWrites?: boolean } = {}): SocketLike {
  let handlers: SocketHandlers = {};
  let closed = false;
  // a failed write (EPIPE, ECONNRESET, ...) is reported as a SocketError, like the socket's own errors; the
  // wrapper of the last callback is kept, since a connection passes the same one with every frame
  let lastCallback: ((err?: Error) => void) | undefined;
  let lastReporting: ((err?: Error) => void) | undefined;
  const reporting = (cb: (err?: Error) => void) => {
    if (cb !== lastCallback) {
      lastCallback = cb;
      lastReporting = (err) => cb(err && !(err instanceof SocketError) ? new SocketError(err.message, { cause: err }) : err);
    }
    return lastReporting;
  };
  // with batchWrites, the messages sent in one tick leave in one system call (the TCP socket is known from the upgrade)
  let batch: TickBatcher | undefined;
  if (options.batchWrites) {
    ws.on('upgrade', (res) => {
      batch = new TickBatcher(res.socket);
    });
  }
  ws.on('open', () => handlers.open?.());
  ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
    handlers.activity?.();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    handlers.message?.(isBinary ? buf : buf.toString('utf8'), isBinary);
  });
  ws.on('ping', () => handlers.activity?.());
  ws.on('pong', () => handlers.activity?.());
  ws.on('unexpected-response', (req, res) => {
    const status = res.statusCode ?? 0;
    res.resume();
    const err =
      status === 404
        ? new ChannelNotFoundError(`engine answered 404 for ${redact(ws.url)}`)
        : status === 401 || status === 403
          ? new HandshakeRejectedError(`engine refused the connection with HTTP ${status}`)
          : new SocketError(`unexpected HTTP ${status} from ${redact(ws.url)}`);
    req.destroy();
    handlers.error?.(err);
    finish(1006, '');
  });
  ws.on('error', (err: Error) => {
    handlers.error?.(err instanceof SocketError ? err : new SocketError(err.message, { cause: err }));
  });
  ws.on('close', (code: number, reason: Buffer) => finish(code, reason.toString('utf8')));
  function finish(code: number, reason: string): void {
    if (closed) return;
    closed = true;
    handlers.close?.(code, reason);
  }
  return {
    get readyState() {
      return ws.readyState;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    canPause: true,
    setHandlers(h) {
      handlers = h;
    },
    send(data, cb) {
      if (ws.readyState !== WebSocket.OPEN) {
        cb?.(new SocketError('socket is not open'));
        return;
      }
      batch?.hold();
      ws.send(data, typeof data === 'string' ? TEXT : BINARY, cb && reporting(cb));
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close(code, reason) {
      batch?.flush();
      try {
        ws.close(code, reason);
      } catch {
        ws.terminate();
      }
    },
    terminate: () => {
      batch?.flush();
      ws.terminate();
    },
    ping() {
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    },
  };
}

/** Hides the channel access key when a URL appears in an error message. */
function redact(url: string): string {
  return url.replace(/([?&]key=)[^&]*/, '$1***');
}

/**
 * Opens a client socket with `ws` (Node). No compression, handshake timeout from PROTOCOL.md §9.1.
 *
 * @example
 * ```ts
 * const socket = openNodeSocket('ws://127.0.0.1:49134');
 * socket.setHandlers({ open: () => socket.send('{"type":"ping"}') });
 * ```
 */
export function openNodeSocket(url: string, options: OpenSocketOptions = {}): SocketLike {
  const ws = new WebSocket(url, {
    perMessageDeflate: false,
    handshakeTimeout: options.handshakeTimeoutMs ?? PROTOCOL.handshakeTimeoutMs,
    headers: options.headers,
    maxPayload: options.maxPayload ?? 100 * 1024 * 1024,
  });
  return wrapNodeSocket(ws, { batchWrites: options.batchWrites });
}
