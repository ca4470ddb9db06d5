import type { ErrorBody } from '../protocol/ErrorBody';
import { toErrorBody } from '../protocol/ErrorBody';
import type {
  RegisterTriggerFrame,
  RegisterTriggerTypeFrame,
  TriggerRegistrationResultFrame,
  UnregisterTriggerFrame,
} from '../protocol/Frame';
import type { EngineLog } from './EngineLogger';
import { exactFieldOf, RawJson } from './exactJson';
import { idTooLong, preview, RegistrationLimits } from './RegistrationLimits';
import type { WorkerPeer } from './WorkerPeer';

/** A binding of a function to a trigger type with a config. */
export interface TriggerBinding {
  id: string;
  trigger_type: string;
  function_id: string;
  config: unknown;
  metadata?: unknown;
  /** The connection that registered it; undefined for engine-internal bindings. */
  origin?: WorkerPeer;
  /**
   * The quota identity the binding counts against (the origin's, or for `engine::register_trigger` the
   * caller's); undefined for engine-internal bindings.
   */
  chargedTo?: string;
  /** The exact text of `config` when `JSON.parse` rounded a number in it; relayed verbatim to worker providers. */
  exactConfig?: RawJson;
  /** `active` once handed to a provider; `parked` while the type has no provider or the provider refused. */
  state: 'parked' | 'active';
}

/** A trigger type served inside the engine (e.g. `engine::workers-available`). */
export interface BuiltinTriggerProvider {
  /** Upstream module that provides the type (its `worker_name`); default `iii-engine-functions`. */
  module?: string;
  /** Accepts a binding, or refuses it with an error message. */
  register(binding: TriggerBinding): string | undefined;
  unregister(binding: TriggerBinding): void;
}

type Provider = { kind: 'worker'; peer: WorkerPeer } | { kind: 'builtin'; impl: BuiltinTriggerProvider };

/** A registered trigger type and who provides it. */
export interface TriggerTypeEntry {
  id: string;
  description?: string;
  trigger_request_format?: unknown;
  call_request_format?: unknown;
  provider: Provider;
}

/**
 * Trigger types and bindings (PROTOCOL.md §2.2, §4.5): a binding whose type has no provider is parked
 * silently and handed over when a provider registers the type; bindings are forwarded to worker
 * providers fire-and-forget; only failures travel back to the originator; a connection's bindings and
 * types are cleaned up when it goes (other workers' bindings of its types are parked, not deleted).
 *
 * @example
 * ```ts
 * const triggers = new TriggerRegistry(log);
 * triggers.registerType(provider, { type: 'registertriggertype', id: 'cron', description: 'Cron' });
 * triggers.registerTrigger(worker, { type: 'registertrigger', id: t, trigger_type: 'cron', function_id: 'job', config: {} });
 * ```
 */
export class TriggerRegistry {
  private readonly types = new Map<string, TriggerTypeEntry>();
  private readonly bindings = new Map<string, TriggerBinding>();
  /** Told when a binding is parked at registration because nothing provides its type. */
  onUnserved?: (binding: TriggerBinding) => void;
  /**
   * Told the outcome of every hand-over a provider answered: refused (with the error) or, for a worker
   * provider's `triggerregistrationresult` without error, accepted. Used by `engine::register_trigger`.
   */
  onOutcome?: (bindingId: string, error?: ErrorBody) => void;
  /** Caps on ids and counts (set by the engine core); none when undefined. */
  limits?: Pick<RegistrationLimits, 'maxIdLength' | 'maxTriggersPerWorker' | 'maxTriggers' | 'maxTriggerTypesPerWorker'>;
  /**
   * The quota identity of a worker id (set by the engine core so that quotas follow a worker across
   * `reattach`); by default the worker id itself.
   */
  identityOf: (workerId: string) => string = (workerId) => workerId;
  /** Told when an identity's last binding goes (it holds nothing any more). */
  onIdentityFree?: (identity: string) => void;
  /** Bindings per quota identity, for `maxTriggersPerWorker`. */
  private readonly bindingsOf = new Map<string, number>();

  /** Bindings counted against `identity` (those of its connections and its `engine::register_trigger` calls). */
  bindingsHeldBy(identity: string): number {
    return this.bindingsOf.get(identity) ?? 0;
  }

  private countBinding(identity: string | undefined, delta: 1 | -1): void {
    if (identity === undefined) return;
    const n = (this.bindingsOf.get(identity) ?? 0) + delta;
    if (n > 0) this.bindingsOf.set(identity, n);
    else if (this.bindingsOf.delete(identity)) this.onIdentityFree?.(identity);
  }

  /** Why a binding may not be stored (id too long, too many bindings), or undefined. */
  private triggerRefusal(chargedTo: string | undefined, frame: RegisterTriggerFrame): ErrorBody | undefined {
    const limits = this.limits;
    if (!limits) return undefined;
    const tooLong =
      idTooLong('trigger', frame.id, limits.maxIdLength) ??
      idTooLong('trigger type', frame.trigger_type, limits.maxIdLength) ??
      idTooLong('function', frame.function_id, limits.maxIdLength);
    if (tooLong) return { code: 'id_too_long', message: tooLong };
    if (this.bindings.has(frame.id)) return undefined;
    const mine = chargedTo === undefined ? 0 : this.bindingsHeldBy(chargedTo);
    if (chargedTo !== undefined && mine >= limits.maxTriggersPerWorker) {
      return { code: 'trigger_limit', message: `this worker already has ${mine} trigger bindings (maxTriggersPerWorker ${limits.maxTriggersPerWorker})` };
    }
    if (this.bindings.size >= limits.maxTriggers) {
      return { code: 'trigger_limit', message: `the engine already holds ${this.bindings.size} trigger bindings (maxTriggers ${limits.maxTriggers})` };
    }
    return undefined;
  }

  /** Why a trigger type may not be registered, or undefined. */
  private typeRefusal(peer: WorkerPeer, frame: RegisterTriggerTypeFrame): { code: string; message: string } | undefined {
    const limits = this.limits;
    if (!limits) return undefined;
    const tooLong = idTooLong('trigger type', frame.id, limits.maxIdLength);
    if (tooLong) return { code: 'ID_TOO_LONG', message: tooLong };
    if (this.types.get(frame.id)?.provider.kind === 'worker') return undefined;
    let mine = 0;
    for (const type of this.types.values()) if (type.provider.kind === 'worker' && type.provider.peer === peer) mine++;
    if (mine >= limits.maxTriggerTypesPerWorker) {
      return { code: 'REGISTRATION_LIMIT', message: `this connection already provides ${mine} trigger types (maxTriggerTypesPerWorker ${limits.maxTriggerTypesPerWorker})` };
    }
    return undefined;
  }

  constructor(private readonly log: EngineLog) {}

  /** Installs an in-engine trigger type. */
  registerBuiltinType(id: string, description: string, impl: BuiltinTriggerProvider): void {
    this.types.set(id, { id, description, provider: { kind: 'builtin', impl } });
    this.activateParked(id);
  }

  /** `registertriggertype`: `peer` becomes (or stays) the provider; stored and parked bindings are sent to it. */
  registerType(peer: WorkerPeer, frame: RegisterTriggerTypeFrame): void {
    const refusal = this.typeRefusal(peer, frame);
    if (refusal) {
      this.log.warn('registertriggertype refused', { worker_id: peer.workerId, trigger_type: preview(frame.id), ...refusal });
      peer.send({ type: 'registrationrejected', ...refusal, trigger_type: preview(frame.id) });
      return;
    }
    const existing = this.types.get(frame.id);
    if (existing?.provider.kind === 'builtin') {
      this.log.warn('ignored registertriggertype for a built-in trigger type', { worker_id: peer.workerId, id: frame.id });
      return;
    }
    const entry: TriggerTypeEntry = { id: frame.id, provider: { kind: 'worker', peer } };
    if (frame.description != null) entry.description = frame.description;
    if (frame.trigger_request_format != null) entry.trigger_request_format = frame.trigger_request_format;
    if (frame.call_request_format != null) entry.call_request_format = frame.call_request_format;
    this.types.set(frame.id, entry);
    this.log.info('trigger type registered', { worker_id: peer.workerId, trigger_type: frame.id });
    for (const binding of this.bindings.values()) {
      if (binding.trigger_type === frame.id) this.handOver(binding, entry);
    }
  }

  /** `unregistertriggertype` (sent by the SDK, unknown upstream): removes the type if `peer` provides it. */
  unregisterType(peer: WorkerPeer, id: string): void {
    const entry = this.types.get(id);
    if (entry?.provider.kind !== 'worker' || entry.provider.peer !== peer) return;
    this.types.delete(id);
    this.parkType(id);
  }

  /**
   * `registertrigger`: stores (replacing an equal id) and forwards to the provider, or parks. The binding
   * counts against the quota identity of `origin`, or of `chargeTo` for a binding owned by nobody
   * (`engine::register_trigger` passes its caller).
   */
  registerTrigger(origin: WorkerPeer | undefined, frame: RegisterTriggerFrame, chargeTo: WorkerPeer | undefined = origin): void {
    const chargedTo = chargeTo ? this.identityOf(chargeTo.workerId) : undefined;
    const refusal = this.triggerRefusal(chargedTo, frame);
    if (refusal) {
      const shown = { ...frame, id: preview(frame.id), trigger_type: preview(frame.trigger_type), function_id: preview(frame.function_id) };
      this.reportFailure({ ...shown, config: null, origin, state: 'parked' }, refusal);
      return;
    }
    const binding: TriggerBinding = {
      id: frame.id,
      trigger_type: frame.trigger_type,
      function_id: frame.function_id,
      config: frame.config === undefined ? null : frame.config,
      origin,
      chargedTo,
      state: 'parked',
    };
    if (frame.metadata != null) binding.metadata = frame.metadata;
    const exactConfig = exactFieldOf(frame);
    if (exactConfig) binding.exactConfig = exactConfig;
    const replaced = this.bindings.get(binding.id);
    this.bindings.set(binding.id, binding);
    this.countBinding(chargedTo, 1);
    this.countBinding(replaced?.chargedTo, -1);
    this.log.info('trigger registered', {
      worker_id: origin?.workerId,
      id: binding.id,
      trigger_type: binding.trigger_type,
      function_id: binding.function_id,
    });
    const type = this.types.get(binding.trigger_type);
    if (type) this.handOver(binding, type);
    else this.onUnserved?.(binding);
  }

  /** `triggerregistrationresult` from a provider: a failure parks the binding and is passed to its originator. */
  registrationResult(from: WorkerPeer, frame: TriggerRegistrationResultFrame): void {
    const binding = this.bindings.get(frame.id);
    if (!binding) return;
    const type = this.types.get(binding.trigger_type);
    if (type?.provider.kind !== 'worker' || type.provider.peer !== from) {
      this.log.warn('ignored triggerregistrationresult from a connection that does not provide the type', {
        worker_id: from.workerId,
        id: frame.id,
      });
      return;
    }
    if (frame.error == null) {
      this.onOutcome?.(binding.id);
      return;
    }
    binding.state = 'parked';
    this.reportFailure(binding, toErrorBody(frame.error));
  }

  /** `unregistertrigger`: any connection may remove any binding; a worker provider is told. */
  unregisterTrigger(frame: UnregisterTriggerFrame): void {
    const binding = this.bindings.get(frame.id);
    if (!binding) return;
    this.bindings.delete(frame.id);
    this.countBinding(binding.chargedTo, -1);
    this.release(binding);
  }

  /** Disconnect cleanup: the connection's bindings go; its types go and their other bindings are parked. */
  connectionClosed(peer: WorkerPeer): void {
    for (const [id, binding] of this.bindings) {
      if (binding.origin === peer) {
        this.bindings.delete(id);
        this.countBinding(binding.chargedTo, -1);
        this.release(binding);
      }
    }
    for (const [id, type] of this.types) {
      if (type.provider.kind === 'worker' && type.provider.peer === peer) {
        this.types.delete(id);
        this.parkType(id);
      }
    }
  }

  /** Active bindings of a type (used to fire built-in trigger types). */
  activeBindings(typeId: string): TriggerBinding[] {
    return [...this.bindings.values()].filter((b) => b.trigger_type === typeId && b.state === 'active');
  }

  /** Every binding (for stats and tests). */
  listBindings(): TriggerBinding[] {
    return [...this.bindings.values()];
  }

  /** Every trigger type (for stats and tests). */
  listTypes(): TriggerTypeEntry[] {
    return [...this.types.values()];
  }

  private activateParked(typeId: string): void {
    const type = this.types.get(typeId);
    if (!type) return;
    for (const binding of this.bindings.values()) {
      if (binding.trigger_type === typeId && binding.state === 'parked') this.handOver(binding, type);
    }
  }

  private handOver(binding: TriggerBinding, type: TriggerTypeEntry): void {
    if (type.provider.kind === 'builtin') {
      const refusal = type.provider.impl.register(binding);
      if (refusal === undefined) {
        binding.state = 'active';
      } else {
        binding.state = 'parked';
        this.reportFailure(binding, { code: 'trigger_registration_failed', message: refusal });
      }
      return;
    }
    const frame: Record<string, unknown> = {
      type: 'registertrigger',
      id: binding.id,
      trigger_type: binding.trigger_type,
      function_id: binding.function_id,
      // integers beyond 2^53 reach the provider as they were sent
      config: binding.exactConfig ?? binding.config,
    };
    if (binding.metadata !== undefined) frame.metadata = binding.metadata;
    // fire-and-forget; a provider that cannot take the frame leaves the binding parked
    binding.state = type.provider.peer.send(frame) ? 'active' : 'parked';
  }

  private release(binding: TriggerBinding): void {
    const type = this.types.get(binding.trigger_type);
    if (!type) return;
    // an in-engine provider is always told (a refused duplicate id may still hold a job under that id)
    if (type.provider.kind === 'builtin') type.provider.impl.unregister(binding);
    if (binding.state !== 'active') return;
    if (type.provider.kind === 'builtin') {
      return;
    } else if (type.provider.peer !== binding.origin || type.provider.peer.isOpen) {
      type.provider.peer.send({ type: 'unregistertrigger', id: binding.id, trigger_type: binding.trigger_type });
    }
  }

  private parkType(typeId: string): void {
    for (const binding of this.bindings.values()) if (binding.trigger_type === typeId) binding.state = 'parked';
  }

  private reportFailure(binding: TriggerBinding, error: ErrorBody): void {
    this.log.warn('trigger registration failed', { id: binding.id, trigger_type: binding.trigger_type, error: error.message });
    this.onOutcome?.(binding.id, error);
    binding.origin?.send({
      type: 'triggerregistrationresult',
      id: binding.id,
      trigger_type: binding.trigger_type,
      function_id: binding.function_id,
      error,
    });
  }
}
