import type { WorkerPeer } from './WorkerPeer';

/** One function as the engine knows it. */
export interface RegisteredFunction {
  id: string;
  description?: string;
  request_format?: unknown;
  response_format?: unknown;
  metadata?: unknown;
  /** The connection calls are routed to. */
  owner: WorkerPeer;
  registeredAt: number;
}

/** What a worker sends to register a function (the fields the registry keeps). */
export interface FunctionRegistration {
  id: string;
  description?: string | null;
  request_format?: unknown;
  response_format?: unknown;
  metadata?: unknown;
}

/**
 * The engine's global function table: last writer wins, each entry owned by the connection that wrote
 * it last, removed only by that owner (PROTOCOL.md §2.2, §4.5) — so a reconnecting worker that
 * re-registers before its old connection's cleanup keeps its functions.
 *
 * @example
 * ```ts
 * const registry = new FunctionRegistry();
 * registry.register(peer, { id: 'math::add' }); // { previous: undefined }
 * registry.get('math::add')?.owner === peer; // true
 * ```
 */
export class FunctionRegistry {
  private readonly functions = new Map<string, RegisteredFunction>();

  /** Upserts a function owned by `owner`; returns the entry it replaced, if any. */
  register(owner: WorkerPeer, registration: FunctionRegistration): { previous?: RegisteredFunction } {
    const previous = this.functions.get(registration.id);
    const entry: RegisteredFunction = { id: registration.id, owner, registeredAt: Date.now() };
    if (registration.description != null) entry.description = registration.description;
    if (registration.request_format != null) entry.request_format = registration.request_format;
    if (registration.response_format != null) entry.response_format = registration.response_format;
    if (registration.metadata != null) entry.metadata = registration.metadata;
    this.functions.set(registration.id, entry);
    return previous ? { previous } : {};
  }

  /** Removes `id` if `owner` still owns it; true when something was removed. */
  unregister(owner: WorkerPeer, id: string): boolean {
    const entry = this.functions.get(id);
    if (!entry || entry.owner !== owner) return false;
    this.functions.delete(id);
    return true;
  }

  /** Removes every function `owner` still owns; returns their ids. */
  removeOwnedBy(owner: WorkerPeer): string[] {
    const removed: string[] = [];
    for (const [id, entry] of this.functions) {
      if (entry.owner === owner) {
        this.functions.delete(id);
        removed.push(id);
      }
    }
    return removed;
  }

  get(id: string): RegisteredFunction | undefined {
    return this.functions.get(id);
  }

  /** Ids owned by `owner`, in registration order. */
  idsOwnedBy(owner: WorkerPeer): string[] {
    const ids: string[] = [];
    for (const entry of this.functions.values()) if (entry.owner === owner) ids.push(entry.id);
    return ids;
  }

  /** Every registered function, in registration order. */
  list(): RegisteredFunction[] {
    return [...this.functions.values()];
  }

  get size(): number {
    return this.functions.size;
  }
}
