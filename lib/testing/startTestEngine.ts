import { VirtualTimeScheduler } from 'rxjs';
import type { EngineLogDetails, EngineLogger } from '../engine/EngineLogger';
import type { MemoryQueueOptions } from '../engine/queue/MemoryQueue';
import { startEngine } from '../engine/startEngine';
import type { WorkerOptions } from '../worker/Worker';
import { TestEngine, TestEngineLogEntry } from './TestEngine';

/** Options of {@link startTestEngine}. */
export interface TestEngineOptions {
  /**
   * The clock of cron schedules and queue retries: a `VirtualTimeScheduler`, or an RxJS `TestScheduler`
   * (one of those). Default a new `VirtualTimeScheduler` at `startTime`.
   */
  clock?: VirtualTimeScheduler;
  /** Where a default clock starts, Unix ms. Default now, rounded down to the second. */
  startTime?: number;
  /** Settings of the in-memory queue (its clock is the test clock). Default retries: 2, backoff 1000 ms. */
  queue?: Omit<MemoryQueueOptions, 'clock'>;
  /** No http response head within this time ⇒ 504. Default 30 000 ms, as upstream. */
  httpTimeoutMs?: number;
  /** A binding no trigger type serves is reported on the worker's `triggerErrors$` after this. Default 100 ms. */
  unservedTriggerGraceMs?: number;
  /** Also receives the engine's log lines. */
  logger?: EngineLogger;
  /** Defaults for {@link TestEngine.connectWorker}. */
  worker?: WorkerOptions;
}

/**
 * Starts an embedded engine for a test (see {@link TestEngine}): ports 0 on 127.0.0.1, http triggers on,
 * cron and queue retries on a virtual clock, the in-memory queue on, unserved bindings reported.
 *
 * @example
 * ```ts
 * import { startTestEngine } from 'iii-rx/testing';
 *
 * let t: TestEngine;
 * beforeEach(async () => (t = await startTestEngine()));
 * afterEach(() => t.close());
 * ```
 */
export async function startTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  let clock = options.clock;
  if (!clock) {
    clock = new VirtualTimeScheduler();
    clock.frame = options.startTime ?? Math.floor(Date.now() / 1000) * 1000;
  }
  const logs: TestEngineLogEntry[] = [];
  const user = options.logger;
  const record = (level: 'warn' | 'error') => (message: string, details?: EngineLogDetails) => {
    logs.push({ level, message, details });
    user?.[level]?.(message, details);
  };
  const engine = await startEngine({
    port: 0,
    host: '127.0.0.1',
    http: { port: 0, host: '127.0.0.1', timeoutMs: options.httpTimeoutMs },
    cron: { clock },
    queue: { ...options.queue, clock },
    unservedTriggerGraceMs: options.unservedTriggerGraceMs ?? 100,
    reportUnservedTriggers: true,
    logger: { debug: user?.debug?.bind(user), info: user?.info?.bind(user), warn: record('warn'), error: record('error') },
  });
  return new TestEngine(engine, clock, logs, options.worker);
}
