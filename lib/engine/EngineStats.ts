/**
 * A read-only snapshot of the embedded engine, for tests, the CLI and benchmarks.
 *
 * @example
 * ```ts
 * const { workers, functions, channels } = engine.stats();
 * ```
 */
export interface EngineStats {
  /** Open worker sockets (`/`). */
  workers: number;
  /** Open telemetry sockets (`/otel`). */
  telemetrySockets: number;
  /** Open channel sockets (readers and writers). */
  channelSockets: number;
  /** Telemetry frames received and discarded. */
  telemetryFrames: number;
  /** Worker and telemetry sockets refused for a missing or wrong token. */
  refusedSockets: number;
  /** Registered worker functions (built-ins not counted). */
  functions: number;
  /** Calls forwarded to workers and not answered yet. */
  pendingInvocations: number;
  /** Registered trigger types, including built-in ones. */
  triggerTypes: number;
  /** Trigger bindings, active and parked. */
  triggers: number;
  /** Channels in the table, including tombstones of used-up ones. */
  channels: number;
  /** Used-up channels kept so that late connects get 101 + close. */
  channelTombstones: number;
  /** Channel messages queued in the engine. */
  channelQueuedMessages: number;
  /** Channel bytes queued in the engine. */
  channelQueuedBytes: number;
  /** Bytes of reusable large-frame buffers waiting idle (bounded by `channelFramePoolBytes`). */
  framePoolIdleBytes: number;
  /** Bytes of large-frame buffers holding a writer's frame (being assembled, queued, or being sent to a reader). */
  framePoolLentBytes: number;
  /** Large writer frames assembled into a reused buffer, and into a freshly allocated one. */
  framePoolReused: number;
  framePoolAllocated: number;
}
