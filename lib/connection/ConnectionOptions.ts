import type { OutboundFrame } from '../protocol/OutboundFrame';
import type { SchedulerLike } from 'rxjs';
import type { SocketFactory } from '../socket/SocketLike';
import type { ReconnectConfig } from './backoffDelay';
import type { Logger } from './Logger';

/** Options of {@link Connection}. Every field is optional. */
export interface ConnectionOptions {
  /** Opens the socket; default `defaultSocketFactory` (`ws` on Node). Swap in a browser adapter here. */
  socketFactory?: SocketFactory;
  /** Headers for the upgrade request (RBAC). */
  headers?: Record<string, string>;
  /**
   * Engine auth token, sent as `Authorization: Bearer <token>` on the upgrade (it takes precedence over an
   * `Authorization` entry in `headers`). Default: env `III_TOKEN` when set (Node). An engine that refuses it
   * answers `AUTH_ERROR`: a worker then closes for good with an {@link AuthError} (`closeError`) instead of
   * reconnecting. Browser WebSockets cannot send headers, so there it needs a socket factory that can.
   */
  token?: string;
  /** Runs backoff, heartbeat and close timers; default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Reconnect policy; unspecified numbers keep the SDK defaults. */
  reconnect?: Partial<ReconnectConfig>;
  /** Source of jitter, in [0, 1); default `Math.random`. */
  random?: () => number;
  /** WebSocket ping period; default 20 000 ms. */
  pingIntervalMs?: number;
  /** Reconnect after this long without any inbound frame; default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Handshake timeout of each socket; default 10 000 ms. */
  handshakeTimeoutMs?: number;
  /** Frames held while disconnected; default 1024. A send beyond it fails with SendQueueFullError. */
  maxQueuedFrames?: number;
  /** UTF-8 bytes held while disconnected; default 64 MiB. A send beyond it fails with SendQueueFullError. */
  maxQueuedBytes?: number;
  /** Largest outbound JSON message in UTF-8 bytes; default 16 MiB (`PROTOCOL.maxFrameBytes`). */
  maxFrameBytes?: number;
  /**
   * Bytes the open socket may hold unsent (`bufferedAmount`) before a send fails with SendQueueFullError
   * instead of growing the buffer further; default 64 MiB.
   */
  maxBufferedBytes?: number;
  /** After `close()`, terminate the socket if the closing handshake takes longer than this; default 1000 ms. */
  closeTimeoutMs?: number;
  /** Receives malformed inbound frames, reconnects and other things nobody else can be told. */
  logger?: Logger;
  /**
   * Frames sent first on every open, before the queued frames: a worker's `reattach` and its registrations
   * (the connection itself reads no application frame, so it knows neither).
   */
  replay?: () => Iterable<OutboundFrame>;
  /** Frames sent on every open after the queued frames (the worker metadata call). */
  afterFlush?: () => Iterable<OutboundFrame>;
}
