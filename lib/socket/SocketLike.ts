/** What a socket tells its owner. Each callback may be left out. */
export interface SocketHandlers {
  open?(): void;
  /** A text message arrives as a string, a binary one as bytes; the frame type is never guessed. */
  message?(data: string | Uint8Array, isBinary: boolean): void;
  /** Always called exactly once, after `error` if there was one. 1005 = no status, 1006 = dropped. */
  close?(code: number, reason: string): void;
  error?(err: Error): void;
  /** Any inbound frame at all, including control frames (ping/pong): used by idle detection. */
  activity?(): void;
}

/**
 * The few things iii-rx needs from a WebSocket, so that Node (`ws`) and browsers (DOM WebSocket) can both
 * carry connections and channels.
 */
export interface SocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed (the WebSocket constants). */
  readonly readyState: number;
  /** Bytes handed to `send` that have not yet been written to the network. */
  readonly bufferedAmount: number;
  /** Whether `pause()` really stops reading from the network (TCP backpressure). */
  readonly canPause: boolean;
  /** Installs the event handlers (replacing earlier ones). */
  setHandlers(handlers: SocketHandlers): void;
  /**
   * Sends one message; `isBinary` is implied by the type (string = text frame). `cb` runs once the data has
   * been handed to the network (or failed).
   */
  send(data: string | Uint8Array, cb?: (err?: Error) => void): void;
  /** Stops delivering messages (and, where possible, reading from the network). */
  pause(): void;
  /** Resumes after `pause()`. */
  resume(): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Drops the connection at once, no closing handshake. */
  terminate(): void;
  /** Sends a WebSocket ping where the platform allows it (no-op in browsers). */
  ping?(): void;
}

/** Options for opening a socket. */
export interface OpenSocketOptions {
  headers?: Record<string, string>;
  handshakeTimeoutMs?: number;
  /** Largest inbound message accepted. */
  maxPayload?: number;
  /**
   * Send the messages of one event-loop turn in one system call (Node sockets; at most 64 KiB held, never
   * past the turn). For sockets carrying many small frames, such as the worker connection; default false.
   */
  batchWrites?: boolean;
}

/** Opens a client socket to `url`. */
export type SocketFactory = (url: string, options?: OpenSocketOptions) => SocketLike;

export const READY_STATE = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
