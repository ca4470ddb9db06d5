import { SocketHandlers, SocketLike } from '../../lib/socket/SocketLike';

/**
 * A scripted SocketLike for marble tests: the test decides when it opens, what arrives and when it drops,
 * and reads back what was sent. Not a mock engine: it only stands in for the network under virtual time.
 */
export class FakeSocket implements SocketLike {
  readyState = 0;
  bufferedAmount = 0;
  readonly canPause = false;
  readonly sent: string[] = [];
  pings = 0;
  terminated = false;
  closedByClient = false;
  private handlers: SocketHandlers = {};

  constructor(readonly url: string) {}

  setHandlers(handlers: SocketHandlers): void {
    this.handlers = handlers;
  }
  send(data: string | Uint8Array, cb?: (err?: Error) => void): void {
    if (this.readyState !== 1) {
      cb?.(new Error('not open'));
      return;
    }
    this.sent.push(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
    cb?.();
  }
  pause(): void {}
  resume(): void {}
  close(): void {
    this.closedByClient = true;
    this.drop(1005);
  }
  terminate(): void {
    this.terminated = true;
    this.drop(1006);
  }
  ping(): void {
    this.pings++;
  }

  /** The peer accepted the connection. */
  open(): void {
    this.readyState = 1;
    this.handlers.open?.();
  }
  /** A frame arrives from the peer. */
  receive(frame: object | string): void {
    this.handlers.activity?.();
    this.handlers.message?.(typeof frame === 'string' ? frame : JSON.stringify(frame), false);
  }
  /** A pong (or any control frame) arrives. */
  activity(): void {
    this.handlers.activity?.();
  }
  /** A socket error (e.g. the connection was refused) is reported. */
  emitError(err: Error): void {
    this.handlers.error?.(err);
  }
  /** The connection is lost (or refused). */
  drop(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.handlers.close?.(code, '');
  }
  /** Sent frames, parsed. */
  frames(): Array<Record<string, unknown>> {
    return this.sent.map((text) => JSON.parse(text));
  }
}

/** A socket factory that records every socket it makes. */
export function fakeSocketFactory(): { sockets: FakeSocket[]; factory: (url: string) => FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    factory: (url: string) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
  };
}
