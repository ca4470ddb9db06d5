import { registrationBytes } from './RegistrationLimits';
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
  /** Count and bytes of the functions each connection owns, and the bytes of each entry. */
  private readonly usage = new Map<WorkerPeer, { count: number; bytes: number }>();
  private readonly sizes = new WeakMap<RegisteredFunction, number>();
  private bytes = 0;

  /** Functions and registration bytes `owner` holds (for the per-connection limits). */
  usageOf(owner: WorkerPeer): { count: number; bytes: number } {
    return this.usage.get(owner) ?? { count: 0, bytes: 0 };
  }

  /** Registration bytes of every function. */
  get totalBytes(): number {
    return this.bytes;
  }

  private account(entry: RegisteredFunction, sign: 1 | -1): void {
    const size = this.sizes.get(entry) ?? 0;
    const mine = this.usage.get(entry.owner) ?? { count: 0, bytes: 0 };
    mine.count += sign;
    mine.bytes += sign * size;
    if (mine.count > 0) this.usage.set(entry.owner, mine);
    else this.usage.delete(entry.owner);
    this.bytes += sign * size;
  }

  /** Upserts a function owned by `owner`; returns the entry it replaced, if any. */
  register(owner: WorkerPeer, registration: FunctionRegistration): { previous?: RegisteredFunction } {
    const previous = this.functions.get(registration.id);
    const entry: RegisteredFunction = { id: registration.id, owner, registeredAt: Date.now() };
    if (registration.description != null) entry.description = registration.description;
    if (registration.request_format != null) entry.request_format = registration.request_format;
    if (registration.response_format != null) entry.response_format = registration.response_format;
    if (registration.metadata != null) entry.metadata = registration.metadata;
    if (previous) this.account(previous, -1);
    this.sizes.set(entry, registrationBytes(registration));
    this.functions.set(registration.id, entry);
    this.account(entry, 1);
    return previous ? { previous } : {};
  }

  /** Removes `id` if `owner` still owns it; true when something was removed. */
  unregister(owner: WorkerPeer, id: string): boolean {
    const entry = this.functions.get(id);
    if (!entry || entry.owner !== owner) return false;
    this.functions.delete(id);
    this.account(entry, -1);
    return true;
  }

  /** Removes every function `owner` still owns; returns their ids. */
  removeOwnedBy(owner: WorkerPeer): string[] {
    const removed: string[] = [];
    for (const [id, entry] of this.functions) {
      if (entry.owner === owner) {
        this.functions.delete(id);
        this.account(entry, -1);
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
