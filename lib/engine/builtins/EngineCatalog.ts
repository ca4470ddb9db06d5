import type { FunctionRegistry } from '../FunctionRegistry';
import type { TriggerBinding, TriggerRegistry, TriggerTypeEntry } from '../TriggerRegistry';
import type { WorkerDirectory, WorkerEntry } from '../WorkerDirectory';
import type { WorkerPeer } from '../WorkerPeer';
import { BuiltinFunction, ENGINE_FUNCTIONS_MODULE } from './BuiltinFunction';

/** One entry of `engine::functions::list` (PROTOCOL.md §10.5). */
export interface FunctionListEntry {
  function_id: string;
  worker_name: string;
  description?: string;
  metadata?: unknown;
}

/** `engine::functions::info` for one function. */
export interface FunctionDetail extends FunctionListEntry {
  request_schema?: unknown;
  response_schema?: unknown;
  registered_triggers: Array<{ id: string; trigger_type: string; config: unknown }>;
}

/** One entry of `engine::workers::list`: every key present, `null` when unknown. */
export interface WorkerListEntry {
  id: string;
  name: string | null;
  description: string | null;
  version: string | null;
  runtime: string | null;
  os: string | null;
  status: 'available' | 'connected';
  function_count: number;
  connected_at_ms: number;
  active_invocations: number;
  isolation: string | null;
  ip_address: string | null;
}

/** One entry of `engine::triggers::list`. */
export interface TriggerTypeListEntry {
  id: string;
  worker_name: string;
  description: string;
}

/** `engine::triggers::info`. */
export interface TriggerTypeDetail extends TriggerTypeListEntry {
  configuration_schema?: unknown;
  request_schema?: unknown;
  response_schema?: unknown;
  instance_count: number;
}

/** One entry of `engine::registered-triggers::list`. */
export interface RegisteredTriggerEntry {
  id: string;
  trigger_type: string;
  function_id: string;
  worker_name: string;
  config: unknown;
  config_summary: string;
}

/** A worker as `engine::workers::info` finds it: an in-process module or a connection. */
export type CatalogWorker = { kind: 'module'; name: string } | { kind: 'connection'; entry: WorkerEntry };

/** Where the catalogue reads from (the engine core's tables). */
export interface EngineCatalogSources {
  functions: FunctionRegistry;
  builtins: ReadonlyMap<string, BuiltinFunction>;
  workers: WorkerDirectory;
  triggers: TriggerRegistry;
  /** Calls a connection serves or awaits. */
  activeInvocations(peer: WorkerPeer): number;
  /** `Date.now()` when the engine started (the in-process modules' `connected_at_ms`). */
  startedAt: number;
}

/** Compares strings by their UTF-8 bytes, the order upstream sorts in. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** First `::` segment of an id (the whole id without one). */
export function firstSegment(id: string): string {
  const at = id.indexOf('::');
  return at < 0 ? id : id.slice(0, at);
}

/** Compact JSON cut at 80 characters plus `…` (`config_summary`). */
export function summarizeConfig(config: unknown): string {
  const text = JSON.stringify(config) ?? 'null';
  return [...text].length > 80 ? `${[...text].slice(0, 80).join('')}…` : text;
}

const nullable = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The engine's catalogue as the real engine's `iii-engine-functions` module reports it (PROTOCOL.md §10.5):
 * functions, workers, trigger types and bindings with their `worker_name`, shapes and byte-order sorting.
 * Read-only views over the core's tables; the built-ins apply their filters on top.
 *
 * @example
 * ```ts
 * const catalog = new EngineCatalog({ functions, builtins, workers, triggers, activeInvocations: () => 0, startedAt: Date.now() });
 * catalog.functions().map((f) => f.function_id); // sorted ids, built-ins included
 * ```
 */
export class EngineCatalog {
  constructor(private readonly sources: EngineCatalogSources) {}

  /** `worker_name` of a connection: its registered `name`, else undefined. */
  connectionName(peer: WorkerPeer): string | undefined {
    return this.sources.workers.nameOf(peer);
  }

  /** Every function (built-ins included), sorted by id, as list entries plus the registered schemas. */
  functions(): Array<FunctionListEntry & { request_format?: unknown; response_format?: unknown }> {
    const out: Array<FunctionListEntry & { request_format?: unknown; response_format?: unknown }> = [];
    for (const b of this.sources.builtins.values()) {
      out.push({ function_id: b.id, worker_name: b.module ?? ENGINE_FUNCTIONS_MODULE, description: b.description });
    }
    for (const f of this.sources.functions.list()) {
      const entry: FunctionListEntry & { request_format?: unknown; response_format?: unknown } = {
        function_id: f.id,
        worker_name: this.connectionName(f.owner) ?? firstSegment(f.id),
      };
      if (f.description !== undefined) entry.description = f.description;
      if (f.metadata !== undefined) entry.metadata = f.metadata;
      if (f.request_format !== undefined) entry.request_format = f.request_format;
      if (f.response_format !== undefined) entry.response_format = f.response_format;
      out.push(entry);
    }
    return out.sort((a, b) => byteOrder(a.function_id, b.function_id));
  }

  /** The `engine::functions::info` detail of one function, or undefined when it is not registered. */
  functionDetail(id: string): FunctionDetail | undefined {
    const f = this.functions().find((x) => x.function_id === id);
    if (!f) return undefined;
    const detail: FunctionDetail = { function_id: f.function_id, worker_name: f.worker_name, registered_triggers: [] };
    if (f.description !== undefined) detail.description = f.description;
    if (f.request_format !== undefined) detail.request_schema = f.request_format;
    if (f.response_format !== undefined) detail.response_schema = f.response_format;
    if (f.metadata !== undefined) detail.metadata = f.metadata;
    detail.registered_triggers = this.liveBindings()
      .filter((b) => b.function_id === id)
      .map((b) => ({ id: b.id, trigger_type: b.trigger_type, config: b.config }));
    return detail;
  }

  /** In-process module names (of the built-in functions and trigger types), sorted. */
  modules(): string[] {
    const names = new Set<string>();
    for (const b of this.sources.builtins.values()) names.add(b.module ?? ENGINE_FUNCTIONS_MODULE);
    for (const t of this.sources.triggers.listTypes()) if (t.provider.kind === 'builtin') names.add(this.typeWorkerName(t));
    return [...names].sort(byteOrder);
  }

  /** The `engine::workers::list` entry of a module or connection. */
  workerEntry(worker: CatalogWorker): WorkerListEntry {
    if (worker.kind === 'module') {
      let count = 0;
      for (const b of this.sources.builtins.values()) if ((b.module ?? ENGINE_FUNCTIONS_MODULE) === worker.name) count++;
      return {
        id: worker.name,
        name: worker.name,
        description: null,
        version: null,
        runtime: 'engine',
        os: null,
        status: 'available',
        function_count: count,
        connected_at_ms: this.sources.startedAt,
        active_invocations: 0,
        isolation: 'in-process',
        ip_address: null,
      };
    }
    const { peer, metadata, registered } = worker.entry;
    return {
      id: peer.workerId,
      name: nullable(metadata?.name),
      description: nullable(metadata?.description),
      version: nullable(metadata?.version),
      runtime: nullable(metadata?.runtime),
      os: nullable(metadata?.os),
      status: 'connected',
      function_count: registered.size,
      connected_at_ms: peer.connectedAt,
      active_invocations: this.sources.activeInvocations(peer),
      isolation: nullable(metadata?.isolation),
      ip_address: peer.remoteAddress ? peer.remoteAddress.replace(/^::ffff:/, '') : null,
    };
  }

  /** Modules and connections that reported a `pid`, sorted by name (id when null), then id. */
  listedWorkers(): Array<{ worker: CatalogWorker; entry: WorkerListEntry }> {
    const all: CatalogWorker[] = [
      ...this.modules().map((name): CatalogWorker => ({ kind: 'module', name })),
      ...this.sources.workers
        .list()
        .filter((e) => typeof e.metadata?.pid === 'number')
        .map((entry): CatalogWorker => ({ kind: 'connection', entry })),
    ];
    return all
      .map((worker) => ({ worker, entry: this.workerEntry(worker) }))
      .sort((a, b) => byteOrder(a.entry.name ?? a.entry.id, b.entry.name ?? b.entry.id) || byteOrder(a.entry.id, b.entry.id));
  }

  /** The module of that name, else the first connection (in connection order) that gave itself that name. */
  findWorker(name: string): CatalogWorker | undefined {
    if (this.modules().includes(name)) return { kind: 'module', name };
    const entry = this.sources.workers.list().find((e) => e.metadata?.name === name);
    return entry ? { kind: 'connection', entry } : undefined;
  }

  /** Function ids served by a worker (module built-ins, or the functions a connection owns now). */
  functionsOf(worker: CatalogWorker): string[] {
    if (worker.kind === 'module') {
      return [...this.sources.builtins.values()].filter((b) => (b.module ?? ENGINE_FUNCTIONS_MODULE) === worker.name).map((b) => b.id);
    }
    return this.sources.functions.idsOwnedBy(worker.entry.peer);
  }

  /** Trigger types provided by a worker. */
  triggerTypesOf(worker: CatalogWorker): TriggerTypeEntry[] {
    return this.sources.triggers.listTypes().filter((t) =>
      worker.kind === 'module'
        ? t.provider.kind === 'builtin' && this.typeWorkerName(t) === worker.name
        : t.provider.kind === 'worker' && t.provider.peer === worker.entry.peer,
    );
  }

  /** `worker_name` of a trigger type: its module, else its provider's name, else the id's first segment. */
  typeWorkerName(type: TriggerTypeEntry): string {
    if (type.provider.kind === 'builtin') return type.provider.impl.module ?? ENGINE_FUNCTIONS_MODULE;
    return this.connectionName(type.provider.peer) ?? firstSegment(type.id);
  }

  /** Every trigger type, sorted by id. */
  triggerTypes(): TriggerTypeListEntry[] {
    return this.sources.triggers
      .listTypes()
      .map((t) => ({ id: t.id, worker_name: this.typeWorkerName(t), description: t.description ?? '' }))
      .sort((a, b) => byteOrder(a.id, b.id));
  }

  /** `engine::triggers::info` of a type, or undefined. */
  triggerTypeDetail(id: string): TriggerTypeDetail | undefined {
    const type = this.sources.triggers.listTypes().find((t) => t.id === id);
    if (!type) return undefined;
    const detail: TriggerTypeDetail = {
      id: type.id,
      worker_name: this.typeWorkerName(type),
      description: type.description ?? '',
      instance_count: this.liveBindings().filter((b) => b.trigger_type === id).length,
    };
    if (type.trigger_request_format !== undefined) detail.configuration_schema = type.trigger_request_format;
    if (type.call_request_format !== undefined) detail.request_schema = type.call_request_format;
    return detail;
  }

  /** Bindings handed to a provider (parked ones are not live), sorted by id. */
  liveBindings(): TriggerBinding[] {
    return this.sources.triggers
      .listBindings()
      .filter((b) => b.state === 'active')
      .sort((a, b) => byteOrder(a.id, b.id));
  }

  /** `worker_name` of a binding: the one of its function, else the function id's first segment. */
  bindingWorkerName(binding: TriggerBinding): string {
    const fn = this.sources.functions.get(binding.function_id);
    if (fn) return this.connectionName(fn.owner) ?? firstSegment(fn.id);
    const builtin = this.sources.builtins.get(binding.function_id);
    if (builtin) return builtin.module ?? ENGINE_FUNCTIONS_MODULE;
    return firstSegment(binding.function_id);
  }

  /** The `engine::registered-triggers::list` entry of a binding. */
  registeredTriggerEntry(binding: TriggerBinding): RegisteredTriggerEntry {
    return {
      id: binding.id,
      trigger_type: binding.trigger_type,
      function_id: binding.function_id,
      worker_name: this.bindingWorkerName(binding),
      config: binding.config,
      config_summary: summarizeConfig(binding.config),
    };
  }
}
