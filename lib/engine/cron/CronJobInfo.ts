/** One cron binding as the engine runs it. */
export interface CronJobInfo {
  /** The binding's trigger id (`job_id` in the input). */
  id: string;
  functionId: string;
  expression: string;
  /** Unix ms of the next fire by the engine's clock; undefined while a fire is running or none is left. */
  nextFireMs?: number;
}
