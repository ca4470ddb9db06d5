/**
 * Numbers of the iii wire protocol (PROTOCOL.md §9.1), in one place.
 *
 * @example
 * ```ts
 * import { PROTOCOL } from 'iii-rx';
 * const chunk = buffer.subarray(0, PROTOCOL.channelChunkBytes);
 * ```
 */
export const PROTOCOL = {
  /** Default listener port of an iii engine. */
  workerPort: 49134,
  /** The engine drops a TCP connection that has not sent its upgrade headers in this time. */
  upgradeDeadlineMs: 10_000,
  /** Frames the engine queues towards one worker connection. */
  connectionQueueFrames: 64,
  /** How long a reattach waits for the evicted connection's cleanup. */
  reattachEvictionWaitMs: 5_000,
  /** Default, smallest and largest channel buffer, in messages. */
  channelBufferDefault: 64,
  channelBufferMin: 1,
  channelBufferMax: 1024,
  /** A half-connected channel older than this is swept. */
  channelTtlMs: 300_000,
  /** How often the channel sweep runs. */
  channelSweepMs: 60_000,
  /** Frames arriving this long after a writer's Close are still delivered. */
  writerCloseDrainMs: 10,
  /** Default timeout of a synchronous call. */
  invocationTimeoutMs: 30_000,
  /** Handshake timeout for every socket a client opens. */
  handshakeTimeoutMs: 10_000,
  /** WebSocket ping period on the worker socket. */
  pingIntervalMs: 20_000,
  /** Reconnect when nothing at all arrived for this long. */
  idleTimeoutMs: 60_000,
  /** Reconnect backoff: first delay, factor, cap and jitter (±fraction). */
  reconnectInitialMs: 1_000,
  reconnectFactor: 2,
  reconnectMaxMs: 30_000,
  reconnectJitter: 0.3,
  /** Binary channel data is cut into frames of at most this many bytes. */
  channelChunkBytes: 65_536,
  /** The largest single WebSocket frame a real engine accepts (tungstenite default). */
  maxFrameBytes: 16 * 1024 * 1024,
  /** The largest message a real engine accepts. */
  maxMessageBytes: 64 * 1024 * 1024,
  /** Path prefix of channel sockets. */
  channelPath: '/ws/channels/',
  /** Path of the telemetry socket. */
  otelPath: '/otel',
} as const;

/** Ids of the built-in engine functions iii-rx calls or serves. */
export const ENGINE_FUNCTIONS = {
  channelsCreate: 'engine::channels::create',
  workersRegister: 'engine::workers::register',
  functionsList: 'engine::functions::list',
  workersList: 'engine::workers::list',
} as const;
