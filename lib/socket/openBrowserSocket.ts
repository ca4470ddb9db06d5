import { PROTOCOL } from '../protocol/constants';
import { SocketError } from '../errors/SocketError';
import { PayloadTooLargeError } from '../errors/PayloadTooLargeError';
import { OpenSocketOptions, SocketHandlers, SocketLike } from './SocketLike';

/**
 * The part of the DOM `WebSocket` this adapter uses. The browser's own class fits, and so does the `ws`
 * package's `WebSocket` (which the Node tests use to drive this adapter against a real server).
 */
export interface DomWebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  /** (`ArrayBufferView<ArrayBuffer>`: TypeScript ≥ 5.7's DOM types accept no views of shared memory.) */
  send(data: string | ArrayBufferView<ArrayBuffer> | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code?: number; reason?: string }) => void): void;
}

/** A constructor of DOM-like WebSockets, e.g. `globalThis.WebSocket`. */
export type DomWebSocketConstructor = new (url: string) => DomWebSocketLike;

/** Options of {@link openBrowserSocket}, beyond the common {@link OpenSocketOptions}. */
export interface BrowserSocketOptions extends OpenSocketOptions {
  /** The WebSocket class to use; `globalThis.WebSocket` when left out. */
  WebSocket?: DomWebSocketConstructor;
  /**
   * A send callback runs once the bytes queued before and including its message, minus this many, have left
   * the browser's buffer (`bufferedAmount`). So at most about this many bytes wait in the browser per socket
   * while a writer waits for its callbacks. Default 1 MiB.
   */
  sendBufferBytes?: number;
  /** How often (ms) `bufferedAmount` is polled while send callbacks are waiting. Default 4. */
  drainPollMs?: number;
}

const OPEN = 1;
const DEFAULT_SEND_BUFFER_BYTES = 1024 * 1024;

/** A send waiting for the browser to hand its bytes to the network. */
interface PendingSend {
  /** Total bytes enqueued on this socket once this message was enqueued. */
  readonly endOffset: number;
  readonly cb: (err?: Error) => void;
}

/**
 * Opens a client socket over the DOM `WebSocket` (browsers, Deno, Node ≥ 22): binary frames arrive as
 * `Uint8Array` (`binaryType = 'arraybuffer'`), text frames as `string`.
 *
 * What a browser cannot do, and what this adapter does instead:
 * - it cannot stop reading from the network, so `canPause` is `false` and `pause()`/`resume()` change nothing:
 *   messages keep being delivered and the reader decides what to do with an overfull buffer;
 * - it has no send callbacks, so `send(data, cb)` polls `bufferedAmount` and calls `cb` once that message has
 *   left the browser's buffer (within `sendBufferBytes`), which gives writers backpressure;
 * - it cannot set request headers or see the HTTP status of a refused upgrade (a 404 for an unknown channel is a
 *   plain `SocketError` followed by close 1006), nor send pings (`ping` is absent).
 *
 * @example
 * ```ts
 * const socket = openBrowserSocket('ws://127.0.0.1:49134');
 * socket.setHandlers({
 *   open: () => socket.send('{"type":"ping"}'),
 *   message: (data) => console.log(data),
 * });
 * ```
 * @throws {SocketError} when there is no WebSocket class to use or the URL is invalid.
 */
export function openBrowserSocket(url: string, options: BrowserSocketOptions = {}): SocketLike {
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: DomWebSocketConstructor }).WebSocket;
  if (!Ctor) throw new SocketError('no WebSocket implementation: pass options.WebSocket');
  let ws: DomWebSocketLike;
  try {
    ws = new Ctor(url);
  } catch (err) {
    throw new SocketError(`cannot open a WebSocket to ${redact(url)}: ${(err as Error)?.message ?? err}`, {
      cause: err,
    });
  }
  ws.binaryType = 'arraybuffer';
  const maxPayload = options.maxPayload ?? 100 * 1024 * 1024;
  const sendBufferBytes = options.sendBufferBytes ?? DEFAULT_SEND_BUFFER_BYTES;
  const drainPollMs = options.drainPollMs ?? 4;

  let handlers: SocketHandlers = {};
  let finished = false;
  let enqueued = 0;
  const pending: PendingSend[] = [];
  let pollTimer: ReturnType<typeof setTimeout> | undefined;

  const handshakeTimer = setTimeout(() => {
    if (ws.readyState === OPEN || finished) return;
    fail(new SocketError(`handshake with ${redact(url)} timed out`));
  }, options.handshakeTimeoutMs ?? PROTOCOL.handshakeTimeoutMs);

  ws.addEventListener('open', () => {
    clearTimeout(handshakeTimer);
    if (!finished) handlers.open?.();
  });
  ws.addEventListener('message', (event: { data: unknown }) => {
    if (finished) return;
    handlers.activity?.();
    const data = event.data;
    if (typeof data === 'string') {
      if (data.length * 3 > maxPayload && utf8Length(data) > maxPayload) return tooLarge(utf8Length(data));
      handlers.message?.(data, false);
      return;
    }
    const bytes = toBytes(data);
    if (!bytes) {
      fail(new SocketError('received a binary message of an unsupported type'));
      return;
    }
    if (bytes.byteLength > maxPayload) return tooLarge(bytes.byteLength);
    handlers.message?.(bytes, true);
  });
  ws.addEventListener('error', () => {
    if (finished) return;
    // the DOM error event carries no detail on purpose (no status code, no reason)
    handlers.error?.(new SocketError(`WebSocket to ${redact(url)} failed`));
  });
  ws.addEventListener('close', (event: { code?: number; reason?: string }) => {
    finish(event.code ?? 1005, event.reason ?? '');
  });

  function tooLarge(size: number): void {
    fail(new PayloadTooLargeError(`inbound message of ${size} bytes exceeds maxPayload ${maxPayload}`), 1009);
  }

  /** Reports `err`, closes the socket and ends it locally at once (later events are ignored). */
  function fail(err: Error, code = 1006): void {
    if (finished) return;
    handlers.error?.(err);
    safeClose(ws);
    finish(code, '');
  }

  function finish(code: number, reason: string): void {
    if (finished) return;
    finished = true;
    clearTimeout(handshakeTimer);
    if (pollTimer !== undefined) clearTimeout(pollTimer);
    pollTimer = undefined;
    const waiting = pending.splice(0);
    for (const p of waiting) p.cb(new SocketError('socket closed before the data was sent'));
    handlers.close?.(code, reason);
  }

  /** Calls every send callback whose message has left the browser's buffer (give or take `sendBufferBytes`). */
  function drain(): void {
    pollTimer = undefined;
    if (finished) return;
    const sent = enqueued - ws.bufferedAmount;
    while (pending.length > 0 && pending[0].endOffset - sendBufferBytes <= sent) pending.shift()!.cb();
    if (pending.length > 0) pollTimer = setTimeout(drain, drainPollMs);
  }

  return {
    get readyState() {
      return finished ? 3 : ws.readyState;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    canPause: false,
    setHandlers(h) {
      handlers = h;
    },
    send(data, cb) {
      if (finished || ws.readyState !== OPEN) {
        if (cb) queueMicrotask(() => cb(new SocketError('socket is not open')));
        return;
      }
      try {
        ws.send(data as string | Uint8Array<ArrayBuffer>);
      } catch (err) {
        if (cb) queueMicrotask(() => cb(new SocketError(`send failed: ${(err as Error)?.message}`, { cause: err })));
        return;
      }
      enqueued += typeof data === 'string' ? utf8Length(data) : data.byteLength;
      if (!cb) return;
      pending.push({ endOffset: enqueued, cb });
      if (pending.length === 1 && pollTimer === undefined) {
        // the common case (buffer below the mark) answers on the next microtask, the rest waits for a poll
        queueMicrotask(() => {
          if (pollTimer === undefined) drain();
        });
      }
    },
    pause() {
      // a DOM WebSocket cannot stop reading: see canPause
    },
    resume() {
      // nothing was paused
    },
    close(code, reason) {
      if (finished) return;
      safeClose(ws, code, reason);
    },
    terminate() {
      if (finished) return;
      safeClose(ws);
      finish(1006, '');
    },
  };
}

/** DOM `close()` only takes 1000 or 3000–4999 and a reason of at most 123 bytes; anything else closes plainly. */
function safeClose(ws: DomWebSocketLike, code?: number, reason?: string): void {
  try {
    if (code === undefined || !(code === 1000 || (code >= 3000 && code <= 4999))) ws.close();
    else ws.close(code, reason !== undefined && utf8Length(reason) <= 123 ? reason : undefined);
  } catch {
    try {
      ws.close();
    } catch {
      // already closed
    }
  }
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** The UTF-8 length of a string, without encoding it. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Hides the channel access key when a URL appears in an error message. */
function redact(url: string): string {
  return url.replace(/([?&]key=)[^&]*/, '$1***');
}
