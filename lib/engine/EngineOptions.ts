import type { EngineLogger } from './EngineLogger';
import type { RegistrationLimits } from './RegistrationLimits';
import type { CronTriggerOptions } from './CronTriggerOptions';
import type { HttpTriggerOptions } from './HttpTriggerOptions';
import type { MemoryQueueOptions } from './queue/MemoryQueueOptions';

/**
 * Options of {@link startEngine}. Every limit has a default matching the real engine (PROTOCOL.md §9.1).
 */
export interface EngineOptions extends Partial<RegistrationLimits> {
  /** TCP port; `0` picks a free one. Default 49134. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Receives connections, registrations and every dropped or malformed frame. Default: silent. */
  logger?: EngineLogger;
  /**
   * Largest WebSocket frame accepted on any socket the engine reads (`/`, `/otel`, channel writers). A bigger
   * one drops that socket without a close frame (the peer sees 1006) and runs the usual cleanup, as the real
   * engine does (PROTOCOL.md §10.1); a warning names the socket and the size. Default 16 MiB (16 777 216).
   */
  maxPayloadBytes?: number;
  /**
   * Frames queued by the engine towards one worker once its socket buffer is full; a second bound behind
   * `maxOutboundBytes`, which is what bounds the memory. Default 16 384. (The real engine's queue holds 64
   * messages, PROTOCOL.md §9.1; refusing at 64 failed bursts of small calls to a callee that reads but lags.)
   */
  outboundQueueFrames?: number;
  /** Unsent bytes a worker socket may hold before frames wait in the engine's queue. Default 1 MiB. */
  socketHighWaterBytes?: number;
  /**
   * Bytes waiting towards one worker connection (engine queue plus socket buffer) beyond which a frame is
   * refused: a call to it fails with `channel_send_failed`, a reply it should get closes it with 1008
   * `outbound overflow`. An idle connection always takes one frame. Default 32 MiB.
   */
  maxOutboundBytes?: number;
  /**
   * A worker or channel reader socket whose unsent bytes stay above its high-water mark this long without
   * one write completing is closed with 1008 `outbound stalled` (TCP dropped 1 s later). Default 30 000 ms.
   */
  outboundStallMs?: number;
  /** Age after which a channel with an untaken half is removed; also the tombstone lifetime. Default 300 000 ms. */
  channelTtlMs?: number;
  /** Period of the channel sweep. Default 60 000 ms. */
  channelSweepMs?: number;
  /** Unsent bytes a channel reader socket may hold before the engine stops forwarding. Default 256 KiB. */
  channelReaderHighWaterBytes?: number;
  /**
   * Bytes a channel may hold — queued, plus what its reader socket has not sent yet — before its writer is
   * paused even below `buffer_size` messages (at least one message is always accepted). Default 64 MiB;
   * upstream has no byte cap, only the message count.
   */
  channelMaxQueuedBytes?: number;
  /**
   * Bytes queued engine-side in all channels created by one worker (its identity, kept across a
   * `reattach`); beyond it the writers of those channels are paused. Default 64 MiB.
   */
  channelMaxQueuedBytesPerWorker?: number;
  /** Bytes queued engine-side in all channels; beyond it every channel writer is paused. Default 256 MiB. */
  channelMaxQueuedBytesTotal?: number;
  /** Channels in the engine's table (tombstones included); one more is answered `channel_limit`. Default 16 384. */
  maxChannels?: number;
  /** Sends to a channel reader awaiting their write callback at once. Default 8. */
  channelReaderMaxInFlight?: number;
  /** Calls awaiting a result engine-wide; beyond it calls fail with `engine_overloaded`. Default 100 000. */
  maxPendingInvocations?: number;
  /** Time a client has to send its upgrade request headers. Default 10 000 ms. */
  upgradeTimeoutMs?: number;
  /**
   * Shared secret every worker must present as `Authorization: Bearer <token>` on the upgrade of `/` and
   * `/otel`. A socket without it gets `{"type":"error","error":{"code":"AUTH_ERROR",…}}` and a close
   * without status (PROTOCOL.md §2, §3). Channel sockets stay key-only (§9). Default: none (open engine).
   */
  token?: string;
  /**
   * Channels one worker connection may have open at once (created with `engine::channels::create` and
   * not yet used up or expired); one more is answered with error code `channel_limit`. Default 1024.
   */
  maxChannelsPerWorker?: number;
  /**
   * Calls one worker connection may have awaiting a result at once; one more is answered with error
   * code `pending_limit`. Default 20 000.
   */
  maxPendingPerWorker?: number;
  /**
   * When a channel writer socket ends without a normal close (dropped, 1001, 1009, 1011, …), close the
   * reader with 1011 `writer_lost` instead of the usual status-less close, so a reader that checks close
   * codes (iii-rx) errors instead of taking a truncated stream as complete. Readers that ignore close codes
   * (iii-sdk 0.22.1) still just end. Default false (upstream: a status-less close either way, PROTOCOL.md §10.3).
   * Opt-in extension.
   */
  channelReportWriterLoss?: boolean;
  /**
   * `http` triggers (PROTOCOL.md §11.1) on a second listener: `true` for 127.0.0.1:3111, or its settings
   * (`{ port: 0 }` picks a free port; `engine.httpUrl` tells which). Default off here; the `iii-rx engine`
   * command turns it on unless `--no-http`.
   */
  http?: boolean | HttpTriggerOptions;
  /** `cron` triggers (PROTOCOL.md §11.2); `{ clock }` injects the scheduler. Default on; `false` parks cron bindings. */
  cron?: boolean | CronTriggerOptions;
  /**
   * The in-memory queue (PROTOCOL.md §11.3): `engine::queue::enqueue` (the `enqueue` action),
   * `durable:subscriber` and `iii::durable::publish`, with retries and a dead-letter list. Default off:
   * `enqueue` then fails with `enqueue_error`, as on the real engine without a queue provider.
   */
  queue?: boolean | MemoryQueueOptions;
  /** Time after which a binding whose trigger type nobody provides is logged as a warning. Default 2000 ms. */
  unservedTriggerGraceMs?: number;
  /**
   * Also tell the registering worker about such a binding: `triggerregistrationresult` with code
   * `trigger_type_not_found` (on `worker.triggerErrors$`). Default false (the real engine is silent).
   */
  reportUnservedTriggers?: boolean;
  /**
   * Accept the frames the real engine drops without a word (PROTOCOL.md §10.2): an `invokefunction` without
   * `data`, an `invocationresult` without `function_id` or with a partial `error`, a `registertrigger` without
   * `config`, an `enqueue` without `queue`, … — and treat `unregistertriggertype` as removing the type. Each is
   * still logged as a `real_engine_parity` warning. Default false: dropped (and logged) like upstream.
   * Opt-in extension.
   */
  lenient?: boolean;
  /**
   * Answer a channel reader's Close frame at once and end its half (the WebSocket closing handshake). The
   * real engine never reads a reader socket, so it ignores the Close and keeps forwarding until a send fails
   * (PROTOCOL.md §10.3); that is the default, with a warning. Opt-in extension.
   */
  channelAnswerReaderClose?: boolean;
  /**
   * Binary frames of a channel writer from this many bytes on go straight on to the reader's socket as they
   * arrive, whenever nothing is queued before them, instead of being assembled in the engine first: the
   * same frame on the wire, and a stream of 8 MiB frames no longer costs the engine two fresh 8 MiB buffers
   * per frame (its RSS stays flat). The writer pauses while the reader's socket holds `channelMaxQueuedBytes`.
   * One difference with upstream: a writer that drops inside such a frame drops the reader too (1006, the
   * frame cannot be ended), where the real engine discards the partial frame and closes the reader without
   * status. Default: off (every frame is assembled, as upstream; large ones into the buffers of
   * `channelFramePoolBytes`, which already keeps the engine's RSS bounded). Opt-in extension.
   */
  channelRelayFrameBytes?: number;
  /**
   * A channel writer's binary frames of 1 MiB or more are assembled by the engine into reusable buffers
   * (power-of-two size classes from 1 MiB), each given back once the reader's socket has sent it, instead of
   * a fresh buffer per frame: a stream of 8 MiB frames reuses a few buffers and the engine's RSS stays flat.
   * Nothing a client sees changes: the frame goes to the reader only once complete, and a writer that drops
   * inside a frame has it discarded (the reader gets the earlier frames, then a Close without status, as
   * upstream). Buffers holding frames are counted by `channelMaxQueuedBytes` like any queued message; this
   * bounds the bytes kept idle for reuse, engine-wide. 0: no pool (`ws` assembles every frame). Default 32 MiB.
   */
  channelFramePoolBytes?: number;
}
