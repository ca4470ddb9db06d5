import type { ChannelHost } from '../channel/ChannelHost';
import type { PayloadCodec } from '../codec/PayloadCodec';
import type { ConnectionOptions } from '../connection/Connection';
import type { WorkerMetadataOptions } from './workerMetadata';

/** Options of {@link connectWorker}. */
export interface WorkerOptions extends Omit<ConnectionOptions, 'replay' | 'afterFlush'>, WorkerMetadataOptions {
  /** Default timeout of `trigger`; default 30 000 ms. */
  invocationTimeoutMs?: number;
  /** Most calls waiting for a result at once; default 10 000 (one more fails with code `PENDING_LIMIT`). */
  maxPendingCalls?: number;
  /**
   * Payload hook (channel refs ⇄ live ends, Observables ⇄ channels); a factory gets the worker's channel
   * host (what opening a channel needs). Default: `channelPayloadCodec(host)`, logging a failed payload
   * Observable through `logger`. Pass `identityCodec` to see payloads exactly as they travel.
   */
  payloadCodec?: PayloadCodec | ((host: ChannelHost) => PayloadCodec);
  /**
   * Handlers running at once; a call beyond it is answered at once with error code `worker_overloaded`
   * rather than piling up. Default 10 000.
   */
  maxConcurrentInvocations?: number;
  /**
   * When the socket drops, fail the calls already sent on it with InvocationError `CONNECTION_LOST` (their
   * results can never arrive: the engine halts a dropped connection's calls) instead of letting them run
   * into their timeout as the official SDK does. Calls still queued are sent after the reconnect. Default true.
   */
  failInFlightOnDisconnect?: boolean;
}
