// The public API of `iii-rx/engine`: the embedded iii-compatible engine. Node only (it listens on a TCP port
// through `ws`). Explicit re-exports only; nothing else is public.
export { startEngine } from './startEngine';
export { EmbeddedEngine } from './EmbeddedEngine';
export type { EngineOptions } from './EngineOptions';
export type { EngineLogger, EngineLogDetails } from './EngineLogger';
export type { EngineStats } from './EngineStats';
export type { EngineTriggerModules, EngineCronModule, EngineQueueModule } from './EngineTriggerModules';
export type { ForwardedCall, ForwardedCallListener } from './ForwardedCall';
export type { ConnectedWorker } from './ConnectedWorker';
export type { CronJobInfo } from './cron/CronJobInfo';
export type { CronFire, CronFireListener } from './cron/CronFire';
export type { QueueDelivery, QueueDeliveryListener } from './queue/QueueDelivery';
export type { HttpTriggerOptions } from './HttpTriggerOptions';
export type { CronTriggerOptions } from './CronTriggerOptions';
export type { MemoryQueueOptions, QueueRetryConfig } from './queue/MemoryQueueOptions';
export type { FunctionListEntry } from './builtins/functionsList';
export type { WorkerListEntry } from './builtins/workersList';
export { WORKERS_AVAILABLE_TRIGGER } from './workersAvailableTrigger';
