// The public API of `iii-rx/engine`: the embedded iii-compatible engine. Node only (it listens on a TCP port
// through `ws`). Explicit re-exports only; nothing else is public.
export { startEngine } from './startEngine';
export { EmbeddedEngine } from './EmbeddedEngine';
export type { EngineOptions } from './EngineOptions';
export type { EngineLogger, EngineLogDetails } from './EngineLogger';
export type { EngineStats } from './EngineStats';
export type { FunctionListEntry } from './builtins/functionsList';
export type { WorkerListEntry } from './builtins/workersList';
export { WORKERS_AVAILABLE_TRIGGER } from './workersAvailableTrigger';
