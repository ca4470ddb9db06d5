import type { SchedulerLike } from 'rxjs';
import type { ErrorBody } from '../protocol/ErrorBody';
import type { CronFireListener } from './cron/CronFire';
import type { CronJobInfo } from './cron/CronJobInfo';
import type { QueueDeliveryListener } from './queue/QueueDelivery';

/**
 * What {@link EmbeddedEngine.triggerModules} shows of the engine's own trigger types (for the testing
 * entry and tools): the http listener's address, the cron jobs and the in-memory queue, each `undefined`
 * when that module is off. A narrow view: the modules themselves stay internal.
 *
 * @example
 * ```ts
 * const engine = await startEngine({ port: 0, http: { port: 0 }, cron: true });
 * engine.triggerModules?.http?.url; // 'http://127.0.0.1:40211'
 * engine.triggerModules?.cron?.list(); // [{ id, functionId, expression, nextFireMs }]
 * ```
 */
export interface EngineTriggerModules {
  /** The http trigger listener, when http is on. */
  readonly http: { readonly url: string; readonly port: number } | undefined;
  /** The cron provider, when cron is on. */
  readonly cron: EngineCronModule | undefined;
  /** The in-memory queue, when the queue option is on. */
  readonly queue: EngineQueueModule | undefined;
}

/** The cron trigger type as {@link EngineTriggerModules.cron} shows it. */
export interface EngineCronModule {
  /** The clock the schedules run on. */
  readonly clock: SchedulerLike;
  /** The running jobs, with their next fire time. */
  list(): CronJobInfo[];
  /** Tells `listener` about every finished fire; returns the function that stops it. */
  onFire(listener: CronFireListener): () => void;
}

/** The in-memory queue as {@link EngineTriggerModules.queue} shows it. */
export interface EngineQueueModule {
  /** Bytes held (waiting, retrying and dead-lettered messages). */
  readonly heldBytes: number;
  /** Tells `listener` about every finished delivery attempt; returns the function that stops it. */
  onDelivery(listener: QueueDeliveryListener): () => void;
  /** Publishes `data` to every subscriber of `topic`: the ids of the messages made, or `queue_full`. */
  publishMessages(topic: string, data: unknown): { messageIds: string[] } | { error: ErrorBody };
}
