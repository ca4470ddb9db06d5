import { asyncScheduler, SchedulerLike, Subscription } from 'rxjs';
import type { BuiltinOutcome } from '../builtins/BuiltinFunction';
import type { EngineCaller } from '../EngineCaller';
import type { EngineLog } from '../EngineLogger';
import { mintTraceparent } from '../traceContext';
import type { BuiltinTriggerProvider, TriggerBinding } from '../TriggerRegistry';
import { CronExpression, CronExpressionError } from './CronExpression';
import type { CronFire, CronFireListener } from './CronFire';
export type { CronFire, CronFireListener };
import type { CronJobInfo } from './CronJobInfo';
export type { CronJobInfo };

/** Id of the cron trigger type. */
export const CRON_TRIGGER_TYPE = 'cron';

interface Job {
  binding: TriggerBinding;
  schedule: CronExpression;
  conditionId?: string;
  action?: Subscription;
  nextFireMs?: number;
  stopped: boolean;
}

/**
 * The in-engine provider of trigger type `cron` (PROTOCOL.md §11.2): config `{expression,
 * condition_function_id?}`; one loop per binding on `clock` (an RxJS scheduler; tests pass a
 * `VirtualTimeScheduler` or `TestScheduler` to move time by hand): wait for the next match, call the
 * function and await it, then wait for the next match after *now* — no overlap, no catch-up, results
 * ignored, errors logged. A live id registered again is refused.
 *
 * @example
 * ```ts
 * const cron = new CronTriggers((id, data, extra) => core.router.call(id, data, extra), log);
 * core.triggers.registerBuiltinType(CRON_TRIGGER_TYPE, 'Cron schedule', cron);
 * ```
 */
export class CronTriggers implements BuiltinTriggerProvider {
  /** The upstream module this stands in for (its `worker_name`). */
  readonly module = 'iii-cron';
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<CronFireListener>();
  private closed = false;

  constructor(
    private readonly call: EngineCaller,
    private readonly log: EngineLog,
    /** The clock the schedule runs on; default real time. */
    readonly clock: SchedulerLike = asyncScheduler,
  ) {}

  register(binding: TriggerBinding): string | undefined {
    const config = (binding.config ?? {}) as Record<string, unknown>;
    const expression = typeof config === 'object' ? config.expression : undefined;
    if (typeof expression !== 'string' || expression.trim() === '') return 'Cron expression is required';
    if (this.jobs.has(binding.id)) return `Cron job '${binding.id}' is already registered`;
    let schedule: CronExpression;
    try {
      schedule = CronExpression.parse(expression);
    } catch (err) {
      return err instanceof CronExpressionError ? err.message : String(err);
    }
    const condition = config.condition_function_id;
    const job: Job = { binding, schedule, stopped: false };
    if (typeof condition === 'string' && condition !== '') job.conditionId = condition;
    this.jobs.set(binding.id, job);
    this.arm(job);
    this.log.info('cron job scheduled', { id: binding.id, function_id: binding.function_id, expression, next: iso(job.nextFireMs) });
    return undefined;
  }

  unregister(binding: TriggerBinding): void {
    const job = this.jobs.get(binding.id);
    if (!job) return;
    this.stop(job);
    this.jobs.delete(binding.id);
    this.log.info('cron job removed', { id: binding.id });
  }

  /** The running jobs, with their next fire time. */
  list(): CronJobInfo[] {
    return [...this.jobs.values()].map((job) => {
      const info: CronJobInfo = { id: job.binding.id, functionId: job.binding.function_id, expression: job.schedule.source };
      if (job.nextFireMs !== undefined) info.nextFireMs = job.nextFireMs;
      return info;
    });
  }

  /** Tells `listener` about every finished fire; returns the function that stops it. */
  onFire(listener: CronFireListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every job (engine shutdown). Idempotent. */
  close(): void {
    this.closed = true;
    for (const job of this.jobs.values()) this.stop(job);
    this.jobs.clear();
    this.listeners.clear();
  }

  private stop(job: Job): void {
    job.stopped = true;
    job.action?.unsubscribe();
    job.action = undefined;
    job.nextFireMs = undefined;
  }

  private arm(job: Job): void {
    if (job.stopped || this.closed) return;
    const now = this.clock.now();
    const next = job.schedule.nextAfter(now);
    if (next === undefined) {
      this.log.warn('cron job has no future fire time', { id: job.binding.id, expression: job.schedule.source });
      return;
    }
    job.nextFireMs = next;
    job.action = this.clock.schedule(() => {
      job.action = undefined;
      job.nextFireMs = undefined;
      this.fire(job, next).catch((err) => {
        this.log.error('cron fire failed inside the engine', { id: job.binding.id, error: err instanceof Error ? err.stack : String(err) });
        if (!job.stopped && job.action === undefined) this.arm(job);
      });
    }, next - now);
  }

  private async fire(job: Job, scheduledMs: number): Promise<void> {
    const { binding } = job;
    const input = {
      trigger: 'cron',
      job_id: binding.id,
      scheduled_time: rfc3339(scheduledMs, false),
      actual_time: rfc3339(this.clock.now(), true),
    };
    let outcome: BuiltinOutcome | 'skipped';
    if (job.conditionId !== undefined && !(await this.conditionAllows(job, input))) {
      outcome = 'skipped';
    } else {
      outcome = await this.call(binding.function_id, input, { metadata: binding.metadata, traceparent: mintTraceparent() });
      if ('error' in outcome) {
        this.log.warn('cron job failed', { id: binding.id, function_id: binding.function_id, error: outcome.error });
      }
    }
    if (job.stopped) return;
    // the next fire is scheduled before anyone hears of this one, so a listener may move the clock at once
    this.arm(job);
    const fire: CronFire = { jobId: binding.id, functionId: binding.function_id, scheduledMs, outcome };
    for (const listener of this.listeners) {
      try {
        listener(fire);
      } catch (err) {
        this.log.error('cron fire listener threw', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private async conditionAllows(job: Job, input: unknown): Promise<boolean> {
    const outcome = await this.call(job.conditionId as string, input, {
      metadata: job.binding.metadata,
      traceparent: mintTraceparent(),
    });
    if ('error' in outcome) {
      this.log.warn('cron condition failed: fire skipped', { id: job.binding.id, condition_function_id: job.conditionId, error: outcome.error });
      return false;
    }
    return outcome.result !== false;
  }
}

/** `2026-12-01T14:58:18+00:00`, or with nine fraction digits as the real engine prints `actual_time`. */
function rfc3339(ms: number, fraction: boolean): string {
  const iso = new Date(ms).toISOString(); // 2026-12-01T14:58:18.001Z
  const base = iso.slice(0, 19);
  return fraction ? `${base}.${iso.slice(20, 23)}000000+00:00` : `${base}+00:00`;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
