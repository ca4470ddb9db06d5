import type { SchedulerLike } from 'rxjs';

/** Retry policy of one queue or subscription (upstream `queue_config`). */
export interface QueueRetryConfig {
  /** Retries after the first attempt; default 2 (3 attempts in all). */
  maxRetries?: number;
  /** Delay before the first retry; each further retry doubles it. Default 1000 ms. */
  backoffDelayMs?: number;
  /** Deliveries of one queue (or one subscription) running at once. Default 10. */
  concurrency?: number;
}

/** Options of the built-in queue (`startEngine({ queue: … })`, CLI `--queue`). */
export interface MemoryQueueOptions extends QueueRetryConfig {
  /** Per-queue settings for the `enqueue` action, by queue name; the top-level values are the defaults. */
  queues?: Record<string, QueueRetryConfig>;
  /**
   * Bytes (JSON size of `data`) the queue may hold, waiting and dead-lettered together. A message that
   * would go past it is refused (`queue_full`); the dead-letter list drops its oldest entry instead.
   * Default 64 MiB.
   */
  maxBytes?: number;
  /** The clock of retries; default real time. Tests pass a virtual one. */
  clock?: SchedulerLike;
}
