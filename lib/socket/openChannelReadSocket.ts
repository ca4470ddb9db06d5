import { isUtf8 } from 'node:buffer';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { ClientRequest, IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { ChannelNotFoundError } from '../errors/ChannelNotFoundError';
import { HandshakeRejectedError } from '../errors/HandshakeRejectedError';
import { SocketError } from '../errors/SocketError';
import { PROTOCOL } from '../protocol/constants';
import type { OpenSocketOptions, SocketHandlers, SocketLike } from './SocketLike';
import { WS_OPCODE } from './wsOpcodes';

const { CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG } = WS_OPCODE;

/** RFC 6455 §1.3: appended to the key to form `Sec-WebSocket-Accept`. */
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** How long a Close we sent waits for the peer's before the connection is dropped (as `ws` does). */
const CLOSE_TIMEOUT_MS = 30_000;

/** A frame the parser is reading: its header fields and what of its payload has arrived. */
interface FrameState {
  fin: boolean;
  opcode: number;
  length: number;
  /** The payload being filled (undefined until it is known whether a slice of the chunk will do). */
  payload?: Buffer;
  filled: number;
}

/**
 * A client WebSocket for the **read end of a channel** on Node, lean on memory for large frames: it does
 * the opening handshake with `http`/`https` and then reads the frames itself, copying each payload into
 * one buffer of the frame's size as the bytes arrive (a frame inside one network chunk is a slice of it,
 * no copy). The generic `ws` client keeps every network chunk of a frame until the frame is complete and
 * then copies them into a new buffer, so an 8 MiB frame costs 16 MiB of short-lived memory and the
 * process's RSS grows far beyond what it holds. On the wire nothing differs: the same handshake, Pong
 * for Ping, Close answered with Close, masked client frames (RFC 6455).
 *
 * `pause()` stops reading the TCP stream and delivering messages (TCP backpressure reaches the engine);
 * text arrives as `string` (invalid UTF-8 fails the socket with 1007), binary as `Buffer`. A message over
 * `maxPayload` (default 100 MiB, as the `ws` client of iii-rx) fails it with 1009. Errors are
 * `ChannelNotFoundError` (HTTP 404), `HandshakeRejectedError` (401/403) or `SocketError`.
 *
 * The Node `defaultSocketFactory` uses it for channel URLs with `dir=read`; everything else goes through `ws`.
 *
 * @example
 * ```ts
 * const socket = openChannelReadSocket(reader.url);
 * socket.setHandlers({ message: (data, isBinary) => console.log(isBinary ? data.length : data) });
 * ```
 */
export function openChannelReadSocket(url: string, options: OpenSocketOptions = {}): SocketLike {
  return new ChannelReadSocket(url, options);
}

class ChannelReadSocket implements SocketLike {
  readonly canPause = true;
  readyState = 0;
  private handlers: SocketHandlers = {};
  private request?: ClientRequest;
  private socket?: Duplex;
  private finished = false;
  private paused = false;
  /** Network chunks (or their rest) that arrived while paused, parsed on resume. */
  private pending: Buffer[] = [];
  private resuming = false;
  private readonly header = Buffer.alloc(14);
  private headerBytes = 0;
  private frame?: FrameState;
  /** Payloads of the data message being reassembled from fragments. */
  private fragments: Buffer[] = [];
  private fragmentsBytes = 0;
  private messageOpcode = 0;
  private readonly maxPayload: number;
  private closeSent = false;
  private closeReceived?: { code: number; reason: string };
  private closeTimer?: NodeJS.Timeout;
  private deadline?: NodeJS.Timeout;
  private reported = false;

  constructor(
    private readonly url: string,
    options: OpenSocketOptions,
  ) {
    this.maxPayload = options.maxPayload ?? 100 * 1024 * 1024;
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      throw new SocketError(`invalid socket URL ${redact(url)}`, { cause: err });
    }
    const secure = target.protocol === 'wss:';
    if (!secure && target.protocol !== 'ws:') throw new SocketError(`unsupported socket URL scheme ${target.protocol}`);
    const key = randomBytes(16).toString('base64');
    const request = (secure ? httpsRequest : httpRequest)({
      hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: target.port || (secure ? 443 : 80),
      path: `${target.pathname}${target.search}`,
      agent: false,
      headers: {
        ...options.headers,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
      },
    });
    this.request = request;
    const deadline = (this.deadline = setTimeout(
      () => this.failHandshake(new SocketError('opening handshake has timed out')),
      options.handshakeTimeoutMs ?? PROTOCOL.handshakeTimeoutMs,
    ));
    request.on('response', (res: IncomingMessage) => {
      clearTimeout(deadline);
      const status = res.statusCode ?? 0;
      res.resume();
      this.failHandshake(
        status === 404
          ? new ChannelNotFoundError(`engine answered 404 for ${redact(url)}`)
          : status === 401 || status === 403
            ? new HandshakeRejectedError(`engine refused the connection with HTTP ${status}`)
            : new SocketError(`unexpected HTTP ${status} from ${redact(url)}`),
      );
    });
    request.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
      clearTimeout(deadline);
      this.request = undefined;
      if (this.finished) {
        socket.destroy();
        return;
      }
      const expected = createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
      if (res.headers['sec-websocket-accept'] !== expected || res.headers['sec-websocket-extensions'] || res.headers['sec-websocket-protocol']) {
        socket.destroy();
        this.failHandshake(new SocketError('invalid WebSocket handshake response (Sec-WebSocket-Accept, extensions or protocol)'));
        return;
      }
      this.attach(socket, head);
    });
    request.on('error', (err) => {
      clearTimeout(deadline);
      this.failHandshake(err instanceof SocketError ? err : new SocketError(err.message, { cause: err }));
    });
    request.end();
  }

  get bufferedAmount(): number {
    return (this.socket as { writableLength?: number } | undefined)?.writableLength ?? 0;
  }

  setHandlers(handlers: SocketHandlers): void {
    this.handlers = handlers;
  }

  send(data: string | Uint8Array, cb?: (err?: Error) => void): void {
    if (this.readyState !== 1 || !this.socket) {
      cb?.(new SocketError('socket is not open'));
      return;
    }
    const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.writeFrame(typeof data === 'string' ? TEXT : BINARY, payload, cb);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.pending.length === 0) {
      if (!this.finished) this.socket?.resume();
      return;
    }
    // parse what arrived while paused outside the caller's stack (it may be delivering a message)
    if (this.resuming) return;
    this.resuming = true;
    queueMicrotask(() => {
      this.resuming = false;
      while (!this.paused && this.pending.length > 0 && !this.finished) this.parse(this.pending.shift()!);
      if (!this.paused && !this.finished) this.socket?.resume();
    });
  }

  close(code?: number, reason?: string): void {
    if (this.finished) return;
    if (this.readyState === 0) {
      this.terminate();
      return;
    }
    this.sendClose(code, reason);
  }

  terminate(): void {
    if (this.finished) return;
    this.request?.destroy();
    this.socket?.destroy();
    this.finish(1006, '');
  }

  ping(): void {
    if (this.readyState === 1) this.writeFrame(PING, Buffer.alloc(0));
  }

  private attach(socket: Duplex, head: Buffer): void {
    this.socket = socket;
    this.readyState = 1;
    (socket as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: Error) => this.report(new SocketError(err.message, { cause: err })));
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      const received = this.closeReceived;
      this.finish(received ? received.code : 1006, received ? received.reason : '');
    });
    this.handlers.open?.();
    if (this.paused) socket.pause();
    if (head.length > 0) this.onData(head);
  }

  private onData(chunk: Buffer): void {
    if (this.finished || this.closeReceived) return;
    if (this.paused || this.pending.length > 0) {
      this.pending.push(chunk);
      return;
    }
    this.parse(chunk);
  }

  /** Reads frames off `chunk`; stops (keeping the rest) when a message handler paused the socket. */
  private parse(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.finished || this.closeReceived) return;
      if (this.paused) {
        this.pending.unshift(chunk.subarray(i));
        return;
      }
      const frame = this.frame;
      if (!frame) {
        i = this.readHeader(chunk, i);
        continue;
      }
      const want = frame.length - frame.filled;
      const available = chunk.length - i;
      if (!frame.payload) {
        if (available >= want) {
          // the whole payload is in this chunk: a view of it, no copy
          frame.payload = chunk.subarray(i, i + want);
          frame.filled = want;
          i += want;
          this.frame = undefined;
          this.onFrame(frame.fin, frame.opcode, frame.payload);
          continue;
        }
        frame.payload = Buffer.allocUnsafe(frame.length);
      }
      const n = Math.min(want, available);
      chunk.copy(frame.payload, frame.filled, i, i + n);
      frame.filled += n;
      i += n;
      if (frame.filled === frame.length) {
        this.frame = undefined;
        this.onFrame(frame.fin, frame.opcode, frame.payload);
      }
    }
  }

  /** Collects header bytes from `chunk` at `i`; starts the frame once its header is complete. Returns the new offset. */
  private readHeader(chunk: Buffer, i: number): number {
    const h = this.header;
    while (i < chunk.length) {
      h[this.headerBytes++] = chunk[i++];
      if (this.headerBytes < 2) continue;
      const len7 = h[1] & 0x7f;
      const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (h[1] & 0x80 ? 4 : 0);
      if (this.headerBytes < need) continue;
      this.headerBytes = 0;
      this.startFrame(h, len7);
      return i;
    }
    return i;
  }

  private startFrame(h: Buffer, len7: number): void {
    const fin = (h[0] & 0x80) !== 0;
    const opcode = h[0] & 0x0f;
    if (h[0] & 0x70) return this.protocolError(1002, 'reserved bits set (no extension was negotiated)');
    if (h[1] & 0x80) return this.protocolError(1002, 'the server sent a masked frame');
    let length = len7;
    if (len7 === 126) length = h.readUInt16BE(2);
    else if (len7 === 127) {
      const high = h.readUInt32BE(2);
      if (high > 0x1fffff) return this.protocolError(1009, 'frame length out of range');
      length = high * 2 ** 32 + h.readUInt32BE(6);
    }
    if (opcode >= CLOSE) {
      if (opcode !== CLOSE && opcode !== PING && opcode !== PONG) return this.protocolError(1002, `invalid opcode ${opcode}`);
      if (!fin || length > 125) return this.protocolError(1002, 'invalid control frame');
    } else if (opcode === CONTINUATION) {
      if (this.messageOpcode === 0) return this.protocolError(1002, 'continuation frame without a message');
    } else if (opcode === TEXT || opcode === BINARY) {
      if (this.messageOpcode !== 0) return this.protocolError(1002, 'new message inside a fragmented one');
    } else {
      return this.protocolError(1002, `invalid opcode ${opcode}`);
    }
    if (opcode < CLOSE && this.fragmentsBytes + length > this.maxPayload) {
      return this.protocolError(1009, `message larger than ${this.maxPayload} bytes`);
    }
    this.frame = { fin, opcode, length, filled: 0 };
    if (length === 0) {
      this.frame = undefined;
      this.onFrame(fin, opcode, Buffer.alloc(0));
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === CLOSE) return this.onClose(payload);
    this.handlers.activity?.();
    if (opcode === PING) {
      this.writeFrame(PONG, payload);
      return;
    }
    if (opcode === PONG) return;
    if (opcode !== CONTINUATION) this.messageOpcode = opcode;
    if (!fin || this.fragments.length > 0) {
      this.fragments.push(payload);
      this.fragmentsBytes += payload.length;
      if (!fin) return;
    }
    const data = this.fragments.length > 0 ? Buffer.concat(this.fragments, this.fragmentsBytes) : payload;
    const type = this.messageOpcode;
    this.fragments = [];
    this.fragmentsBytes = 0;
    this.messageOpcode = 0;
    if (type === BINARY) {
      this.handlers.message?.(data, true);
      return;
    }
    if (!isUtf8(data)) return this.protocolError(1007, 'invalid UTF-8 in a text message');
    this.handlers.message?.(data.toString('utf8'), false);
  }

  private onClose(payload: Buffer): void {
    if (payload.length === 1) return this.protocolError(1002, 'invalid close frame');
    let code = 1005;
    let reason = '';
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      const text = payload.subarray(2);
      if (!isUtf8(text)) return this.protocolError(1007, 'invalid UTF-8 in a close reason');
      reason = text.toString('utf8');
    }
    this.closeReceived = { code, reason };
    this.pending = [];
    // answer with the same code (none for none), then the server ends the TCP connection
    if (!this.closeSent) this.sendClose(code === 1005 ? undefined : code, '');
    this.socket?.end();
  }

  /** The peer broke the protocol: report it, send a Close with `code` and drop the connection. */
  private protocolError(code: number, message: string): void {
    this.report(new SocketError(`channel socket: ${message}`));
    if (!this.closeSent && this.socket) this.sendClose(code, '');
    this.socket?.destroy();
    this.finish(code, '');
  }

  private sendClose(code?: number, reason = ''): void {
    if (this.closeSent || !this.socket) return;
    this.closeSent = true;
    this.readyState = 2;
    let payload = Buffer.alloc(0);
    if (code !== undefined) {
      const text = Buffer.from(reason, 'utf8');
      payload = Buffer.alloc(2 + text.length);
      payload.writeUInt16BE(code, 0);
      text.copy(payload, 2);
    }
    this.writeFrame(CLOSE, payload);
    if (!this.closeReceived) {
      const socket = this.socket;
      this.closeTimer = setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS);
      this.closeTimer.unref?.();
    }
  }

  /** Writes one masked frame (client frames are always masked, RFC 6455 §5.3). */
  private writeFrame(opcode: number, payload: Buffer, cb?: (err?: Error) => void): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) {
      cb?.(new SocketError('socket is not open'));
      return;
    }
    const n = payload.length;
    const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
    const head = Buffer.alloc(2 + lengthBytes + 4);
    head[0] = 0x80 | opcode;
    if (lengthBytes === 0) head[1] = 0x80 | n;
    else if (lengthBytes === 2) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(n, 2);
    } else {
      head[1] = 0x80 | 127;
      head.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
      head.writeUInt32BE(n >>> 0, 6);
    }
    const mask = head.subarray(head.length - 4);
    randomFillSync(mask);
    const masked = Buffer.allocUnsafe(n);
    for (let k = 0; k < n; k++) masked[k] = payload[k] ^ mask[k & 3];
    socket.write(Buffer.concat([head, masked]), (err?: Error | null) =>
      cb?.(err ? new SocketError(err.message, { cause: err }) : undefined),
    );
  }

  private failHandshake(err: Error): void {
    if (this.finished) return;
    this.request?.destroy();
    this.request = undefined;
    this.report(err);
    this.finish(1006, '');
  }

  /** Tells the first error to the owner (the close follows). */
  private report(err: Error): void {
    if (this.reported || this.finished) return;
    this.reported = true;
    this.handlers.error?.(err);
  }

  private finish(code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.readyState = 3;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    if (this.deadline) clearTimeout(this.deadline);
    this.pending = [];
    this.fragments = [];
    this.frame = undefined;
    this.handlers.close?.(code, reason);
  }
}

/** Hides the channel access key when a URL appears in an error message. */
function redact(url: string): string {
  return url.replace(/([?&]key=)[^&]*/, '$1***');
}
