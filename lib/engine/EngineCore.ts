import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeFrame } from '../protocol/decodeFrame';
import type { Frame, FrameOf } from '../protocol/Frame';
import { normalizeUuid } from '../protocol/uuid';
import type { BuiltinFunction } from './builtins/BuiltinFunction';
import { channelsCreate } from './builtins/channelsCreate';
import { EngineCatalog } from './builtins/EngineCatalog';
import { engineBaggage } from './builtins/engineBaggage';
import { engineLog } from './builtins/engineLog';
import { functionsInfo } from './builtins/functionsInfo';
import { functionsList } from './builtins/functionsList';
import { registeredTriggersInfo } from './builtins/registeredTriggersInfo';
import { registeredTriggersList } from './builtins/registeredTriggersList';
import { registerTrigger } from './builtins/registerTrigger';
import { triggersInfo } from './builtins/triggersInfo';
import { triggersList } from './builtins/triggersList';
import { unregisterTrigger } from './builtins/unregisterTrigger';
import { workersInfo } from './builtins/workersInfo';
import { workersList } from './builtins/workersList';
import { workersRegister } from './builtins/workersRegister';
import type { ConnectedWorker } from './ConnectedWorker';
import { upstreamModuleOf } from './upstreamOnlyFunctions';
import type { ChannelBroker } from './ChannelBroker';
import type { EngineLog } from './EngineLogger';
import { FunctionRegistry } from './FunctionRegistry';
import { InvocationRouter } from './InvocationRouter';
import { jsonNestingExceeds } from './jsonNestingExceeds';
import { realEngineDropEffect, realEngineFrameDrop } from './realEngineFrameDrop';
import { warnParity } from './warnParity';
import { TriggerRegistry } from './TriggerRegistry';
import { inspectNumbers } from './exactJson';
import { DEFAULT_REGISTRATION_LIMITS, idTooLong, preview, registrationBytes, RegistrationLimits } from './RegistrationLimits';
import { QuotaIdentities } from './QuotaIdentities';
import { WorkerDirectory } from './WorkerDirectory';
import type { WorkerPeer } from './WorkerPeer';

import { WORKERS_AVAILABLE_TRIGGER } from './workersAvailableTrigger';

export { WORKERS_AVAILABLE_TRIGGER };

const TELEMETRY_PREFIXES = ['OTLP', 'MTRC', 'LOGS'];

/** Deepest array/object nesting accepted in a frame (serde_json's default recursion limit upstream). */
export const MAX_FRAME_NESTING = 128;

/** Compares a presented token with the issued one in constant time (as strings, like upstream). */
function sameSecret(presented: string | undefined, issued: string): boolean {
  if (typeof presented !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(issued));
}

/** Limits the core needs. */
export interface EngineCoreOptions {
  maxPendingInvocations: number;
  /** Calls one connection may have awaiting a result; default no limit beyond the engine-wide one. */
  maxPendingPerWorker?: number;
  /** Open channels one connection may have created; default no limit. */
  maxChannelsPerWorker?: number;
  /** Channels in the engine's table (tombstones included); default no limit. */
  maxChannels?: number;
  /** Caps on registrations and id lengths; defaults {@link DEFAULT_REGISTRATION_LIMITS}. */
  registrationLimits?: Partial<RegistrationLimits>;
  /** Accept (still warning) the frames the real engine drops (PROTOCOL.md §10.2). Default false. */
  lenient?: boolean;
}

/** Counts for `engine.stats()` that the core owns. */
export interface EngineCoreStats {
  workers: number;
  functions: number;
  pendingInvocations: number;
  triggerTypes: number;
  triggers: number;
}

/**
 * The socket-free heart of the embedded engine: it takes decoded worker frames from connections
 * ({@link WorkerPeer}s), keeps the function, trigger and worker tables, routes calls, and runs
 * disconnect cleanup. Frames of one connection are handled synchronously, so each is finished (a
 * registration stored, a reattach eviction cleaned up) before the next one is read.
 *
 * @example
 * ```ts
 * const core = new EngineCore(log, broker, { maxPendingInvocations: 100_000 });
 * core.attach(peer); // sends workerregistered
 * core.receive(peer, '{"type":"registerfunction","id":"math::add"}');
 * core.detach(peer);
 * ```
 */
export class EngineCore {
  readonly functions = new FunctionRegistry();
  readonly workers = new WorkerDirectory();
  readonly triggers: TriggerRegistry;
  readonly router: InvocationRouter;
  /** Quota identities of workers, kept across `reattach` (trigger bindings count against them). */
  readonly identities = new QuotaIdentities();
  /** The catalogue the `engine::functions|workers|triggers::*` built-ins report. */
  readonly catalog: EngineCatalog;
  /** `Date.now()` at construction. */
  readonly startedAt = Date.now();
  private readonly builtins = new Map<string, BuiltinFunction>();
  private readonly detached = new WeakSet<WorkerPeer>();
  /** Built-in ids a worker took over (PROTOCOL.md §10.4): once its function goes, the id stays gone. */
  private readonly shadowedBuiltins = new Set<string>();
  private readonly registrationLimits: RegistrationLimits;
  private readonly lenient: boolean;

  constructor(
    private readonly log: EngineLog,
    readonly channels: ChannelBroker,
    options: EngineCoreOptions,
  ) {
    this.lenient = options.lenient === true;
    this.registrationLimits = { ...DEFAULT_REGISTRATION_LIMITS, ...options.registrationLimits };
    this.triggers = new TriggerRegistry(log);
    this.triggers.limits = this.registrationLimits;
    this.triggers.identityOf = (workerId) => this.identities.identityOf(workerId);
    this.triggers.onIdentityFree = (identity) => this.identities.release(identity);
    this.catalog = new EngineCatalog({
      functions: this.functions,
      builtins: this.builtins,
      workers: this.workers,
      triggers: this.triggers,
      activeInvocations: (peer) => this.router.activeFor(peer),
      startedAt: this.startedAt,
    });
    // the built-ins of the real engine's mandatory modules (PROTOCOL.md §10.5)
    for (const b of [
      channelsCreate(channels, { maxChannelsPerWorker: options.maxChannelsPerWorker, maxChannels: options.maxChannels }),
      functionsList(this.catalog),
      functionsInfo(this.catalog),
      workersList(this.catalog),
      workersInfo(this.catalog),
      workersRegister(this.workers, (workerId) => this.fireWorkersAvailable('worker_metadata_updated', workerId)),
      triggersList(this.catalog),
      triggersInfo(this.catalog),
      registeredTriggersList(this.catalog),
      registeredTriggersInfo(this.catalog),
      registerTrigger(this.triggers),
      unregisterTrigger(this.triggers),
      ...engineLog(log),
      ...engineBaggage(),
    ]) {
      this.builtins.set(b.id, b);
    }
    this.triggers.registerBuiltinType(WORKERS_AVAILABLE_TRIGGER, 'Fires when a worker connects, disconnects or describes itself', {
      register: () => undefined,
      unregister: () => undefined,
    });
    this.router = new InvocationRouter(this.functions, this.builtins, log, { ...options, maxIdLength: this.registrationLimits.maxIdLength });
  }

  /** A new worker connection: registers it and sends `workerregistered` before anything is read. */
  attach(peer: WorkerPeer): void {
    this.workers.add(peer);
    peer.send({ type: 'workerregistered', worker_id: peer.workerId, reattach_token: peer.reattachToken });
    this.log.info('worker connected', { worker_id: peer.workerId, remote_address: peer.remoteAddress });
    this.fireWorkersAvailable('worker_connected', peer.workerId);
  }

  /** One inbound message of a worker socket. Bad input is logged and dropped; it never throws. */
  receive(peer: WorkerPeer, raw: string | Buffer, isBinary = false): void {
    if (this.detached.has(peer)) return;
    if (isBinary && typeof raw !== 'string' && raw.length >= 4 && TELEMETRY_PREFIXES.includes(raw.toString('latin1', 0, 4))) {
      this.log.debug('discarded telemetry frame on a worker socket', { worker_id: peer.workerId });
      return;
    }
    if (jsonNestingExceeds(raw, MAX_FRAME_NESTING)) {
      this.log.warn('dropped frame', {
        worker_id: peer.workerId,
        reason: 'TOO_DEEP',
        message: `JSON nested deeper than ${MAX_FRAME_NESTING} levels`,
      });
      return;
    }
    const decoded = decodeFrame(raw);
    if (!decoded.ok) {
      if (decoded.code === 'EMPTY') return;
      warnParity(this.log, 'dropped frame', {
        worker_id: peer.workerId,
        reason: decoded.code,
        path: decoded.path,
        message: decoded.message,
        type: decoded.type,
        frame: decoded.type,
        field: decoded.path,
        problem: decoded.message,
        real: realEngineDropEffect(decoded.type),
      });
      return;
    }
    if (inspectNumbers(raw, decoded.frame) === 'non-finite') {
      warnParity(this.log, 'dropped frame', {
        worker_id: peer.workerId,
        reason: 'NUMBER_OUT_OF_RANGE',
        frame: decoded.frame.type,
        field: '',
        problem: 'a number outside the f64 range (such as 1e400)',
        real: realEngineDropEffect(decoded.frame.type),
      });
      return;
    }
    const drop = realEngineFrameDrop(decoded.frame);
    if (drop) {
      if (!this.lenient) {
        warnParity(this.log, 'dropped frame', { ...drop, worker_id: peer.workerId, reason: 'REAL_ENGINE_DROP' });
        return;
      }
      warnParity(this.log, 'accepted a frame the real engine drops (lenient)', { ...drop, worker_id: peer.workerId });
    }
    try {
      this.dispatch(peer, decoded.frame);
    } catch (err) {
      this.log.error('frame handling failed', {
        worker_id: peer.workerId,
        type: decoded.frame.type,
        error: err instanceof Error ? err.stack : String(err),
      });
    }
  }

  /**
   * Disconnect cleanup (PROTOCOL.md §4.5). Idempotent; functions re-registered by a newer connection
   * are left alone.
   */
  detach(peer: WorkerPeer): void {
    if (this.detached.has(peer)) return;
    this.detached.add(peer);
    this.workers.remove(peer);
    const removed = this.functions.removeOwnedBy(peer);
    this.router.connectionClosed(peer);
    this.triggers.connectionClosed(peer);
    // bindings made through engine::register_trigger outlive the connection and keep counting for its worker
    const identity = this.identities.identityOf(peer.workerId);
    this.identities.depart(peer.workerId, peer.reattachToken, this.triggers.bindingsHeldBy(identity) > 0);
    this.channels.removeOwnedBy(peer.workerId);
    this.channels.forgetCreator(peer.workerId, peer.reattachToken);
    this.warnShadowRemoved(removed, peer);
    this.log.info('worker disconnected', { worker_id: peer.workerId, functions_removed: removed.length });
    this.fireWorkersAvailable('worker_disconnected', peer.workerId);
  }

  /** Every live worker connection (with or without a `pid`), in connection order. */
  listWorkers(): ConnectedWorker[] {
    return this.workers.list().map(({ peer, metadata }) => {
      const str = (k: string) => (typeof metadata?.[k] === 'string' ? (metadata[k] as string) : undefined);
      return {
        id: peer.workerId,
        name: str('name'),
        runtime: str('runtime'),
        version: str('version'),
        os: str('os'),
        pid: typeof metadata?.pid === 'number' ? metadata.pid : undefined,
        description: str('description'),
        metadata,
        remote_address: peer.remoteAddress,
        connected_at: new Date(peer.connectedAt).toISOString(),
        functions: this.functions.idsOwnedBy(peer),
      };
    });
  }

  /** Installs one more built-in function (engine modules: queue, dead letters). */
  addBuiltin(fn: BuiltinFunction): void {
    this.builtins.set(fn.id, fn);
  }

  /** Built-in function ids. */
  builtinIds(): string[] {
    return [...this.builtins.keys()];
  }

  stats(): EngineCoreStats {
    return {
      workers: this.workers.size,
      functions: this.functions.size,
      pendingInvocations: this.router.pendingCount,
      triggerTypes: this.triggers.listTypes().length,
      triggers: this.triggers.listBindings().length,
    };
  }

  private dispatch(peer: WorkerPeer, frame: Frame): void {
    switch (frame.type) {
      case 'registerfunction': {
        if (this.refuseRegistration(peer, frame)) return;
        if (frame.invocation != null) {
          // HTTP-invoked functions are never routed to the worker; the embedded engine has no HTTP module
          this.log.warn('ignored HTTP-invoked function (no HTTP module in the embedded engine)', {
            worker_id: peer.workerId,
            function_id: frame.id,
          });
          return;
        }
        if (this.builtins.delete(frame.id)) {
          this.shadowedBuiltins.add(frame.id);
          warnParity(this.log, 'worker took over a built-in function', {
            frame: 'registerfunction',
            field: 'id',
            problem: `${frame.id} is a built-in`,
            real: 'the worker takes the id over and gets its calls; once it unregisters or disconnects the id is gone (function_not_found) until the engine restarts',
            worker_id: peer.workerId,
            function_id: frame.id,
          });
        }
        this.workers.noteRegistered(peer, frame.id);
        const { previous } = this.functions.register(peer, frame);
        if (previous && previous.owner !== peer) {
          this.log.warn('function re-registered by another connection; last writer wins', {
            function_id: frame.id,
            worker_id: peer.workerId,
            previous_worker_id: previous.owner.workerId,
          });
        }
        this.log.info('function registered', { worker_id: peer.workerId, function_id: frame.id });
        return;
      }
      case 'unregisterfunction':
        if (this.functions.unregister(peer, frame.id)) {
          this.log.info('function unregistered', { worker_id: peer.workerId, function_id: frame.id });
          this.warnShadowRemoved([frame.id], peer);
        }
        return;
      case 'invokefunction':
        this.warnUpstreamOnly(peer, frame.function_id);
        this.router.invoke(peer, frame);
        return;
      case 'invocationresult':
        this.router.result(peer, frame);
        return;
      case 'registertriggertype':
        this.triggers.registerType(peer, frame);
        return;
      case 'unregistertriggertype':
        // only reached with `lenient` (the real engine cannot decode this frame, PROTOCOL.md §10.2)
        this.triggers.unregisterType(peer, frame.id);
        return;
      case 'registertrigger':
        this.triggers.registerTrigger(peer, frame);
        return;
      case 'unregistertrigger':
        this.triggers.unregisterTrigger(frame);
        return;
      case 'triggerregistrationresult':
        this.triggers.registrationResult(peer, frame);
        return;
      case 'reattach':
        this.reattach(peer, frame.previous_worker_id, frame.reattach_token ?? undefined);
        return;
      case 'ping':
        peer.send({ type: 'pong' });
        return;
      case 'pong':
        return;
      case 'registerservice':
        this.log.debug('service declared', { worker_id: peer.workerId, service_id: frame.id });
        return;
      default:
        this.log.warn('dropped frame the engine does not accept from a worker', { worker_id: peer.workerId, type: frame.type });
    }
  }

  /** PROTOCOL.md §10.5: a call to an optional upstream module's function the embedded engine lacks. */
  private warnUpstreamOnly(peer: WorkerPeer, functionId: string): void {
    if (this.builtins.has(functionId) || this.functions.get(functionId)) return;
    const module = upstreamModuleOf(functionId);
    if (!module) return;
    this.log.warn('called a function of an upstream module the embedded engine does not have', {
      worker_id: peer.workerId,
      function_id: functionId,
      module,
      answer: 'function_not_found',
    });
  }

  /** PROTOCOL.md §10.4: a taken-over built-in whose worker function is removed stays gone until restart. */
  private warnShadowRemoved(ids: readonly string[], peer: WorkerPeer): void {
    for (const id of ids) {
      if (!this.shadowedBuiltins.has(id) || this.functions.get(id)) continue;
      warnParity(this.log, 'taken-over built-in function removed', {
        frame: 'unregisterfunction',
        field: 'id',
        problem: `${id} was a built-in taken over by a worker`,
        real: 'the id is deleted: calls get function_not_found until the engine restarts',
        worker_id: peer.workerId,
        function_id: id,
      });
    }
  }

  /**
   * Applies the registration limits to a `registerfunction`: an id over `maxIdLength`, or one function
   * too many (per connection or engine-wide, in count or bytes), is refused with a `registrationrejected`
   * frame (code `ID_TOO_LONG` or `REGISTRATION_LIMIT`; 0.22.1 SDKs ignore it) and a warning. True when refused.
   */
  private refuseRegistration(peer: WorkerPeer, frame: FrameOf<'registerfunction'>): boolean {
    const limits = this.registrationLimits;
    const tooLong = idTooLong('function', frame.id, limits.maxIdLength);
    let code = tooLong ? 'ID_TOO_LONG' : undefined;
    let message = tooLong;
    if (!code) {
      const existing = this.functions.get(frame.id);
      const replacing = existing?.owner === peer ? existing : undefined;
      const mine = this.functions.usageOf(peer);
      const bytes = registrationBytes(frame);
      const freed = replacing ? registrationBytes(replacing) : 0;
      const count = replacing ? 0 : 1;
      if (mine.count + count > limits.maxFunctionsPerWorker) message = `this connection already owns ${mine.count} functions (maxFunctionsPerWorker ${limits.maxFunctionsPerWorker})`;
      else if (this.functions.size + (existing ? 0 : 1) > limits.maxFunctions) message = `the engine already holds ${this.functions.size} functions (maxFunctions ${limits.maxFunctions})`;
      else if (mine.bytes - freed + bytes > limits.maxRegistrationBytesPerWorker) message = `this connection's registrations would take ${mine.bytes - freed + bytes} bytes (maxRegistrationBytesPerWorker ${limits.maxRegistrationBytesPerWorker})`;
      else if (this.functions.totalBytes - freed + bytes > limits.maxRegistrationBytes) message = `the engine's registrations would take ${this.functions.totalBytes - freed + bytes} bytes (maxRegistrationBytes ${limits.maxRegistrationBytes})`;
      if (message) code = 'REGISTRATION_LIMIT';
    }
    if (!code) return false;
    this.log.warn('registerfunction refused', { worker_id: peer.workerId, function_id: preview(frame.id), code, message });
    peer.send({ type: 'registrationrejected', code, function_id: preview(frame.id), message });
    return true;
  }

  /** Evicts the previous connection of a reconnecting worker and runs its cleanup before the next frame. */
  private reattach(peer: WorkerPeer, previousId: string, token: string | undefined): void {
    const id = normalizeUuid(previousId);
    if (!id || id === peer.workerId) return;
    const previous = this.workers.get(id);
    if (!previous) {
      // already gone: its channel and trigger quotas still follow the worker when the token matches
      const keptBindings = this.identities.inheritDeparted(peer.workerId, id, token);
      if (this.channels.inheritDeparted(peer.workerId, id, token) || keptBindings) return;
      this.log.debug('reattach for an unknown worker ignored', { worker_id: peer.workerId, previous_worker_id: id });
      return;
    }
    if (!sameSecret(token, previous.peer.reattachToken)) {
      this.log.warn('reattach with a wrong token ignored', { worker_id: peer.workerId, previous_worker_id: id });
      return;
    }
    this.log.info('reattach: evicting previous connection', { worker_id: peer.workerId, previous_worker_id: id });
    previous.peer.terminate();
    this.identities.inherit(peer.workerId, id);
    this.detach(previous.peer);
    // quotas follow the worker: channels its previous connection created still count for this one
    this.channels.inheritCreator(peer.workerId, id);
  }

  private fireWorkersAvailable(event: 'worker_connected' | 'worker_disconnected' | 'worker_metadata_updated', workerId: string): void {
    for (const binding of this.triggers.activeBindings(WORKERS_AVAILABLE_TRIGGER)) {
      this.router.invokeInternal(binding.function_id, { event, worker_id: workerId }, binding.metadata);
    }
  }
}
