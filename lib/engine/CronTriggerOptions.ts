import type { SchedulerLike } from 'rxjs';

/** Settings of the cron trigger type (`startEngine({ cron: … })`). */
export interface CronTriggerOptions {
  /** The clock schedules run on (a `VirtualTimeScheduler` or `TestScheduler` in tests). Default real time. */
  clock?: SchedulerLike;
}
