import { createHash, timingSafeEqual } from 'node:crypto';
import { ENGINE_FUNCTIONS } from '../protocol/constants';
import { decodeFrame } from '../protocol/decodeFrame';
import type { Frame } from '../protocol/Frame';
import { normalizeUuid } from '../protocol/uuid';
import type { BuiltinFunction } from './builtins/BuiltinFunction';
import { channelsCreate } from './builtins/channelsCreate';
import { functionsList } from './builtins/functionsList';
import { WorkerListEntry, workersList } from './builtins/workersList';
import { workersRegister } from './builtins/workersRegister';
import type { ChannelBroker } from './ChannelBroker';
import type { EngineLog } from './EngineLogger';
import { FunctionRegistry } from './FunctionRegistry';
import { InvocationRouter } from './InvocationRouter';
import { jsonNestingExceeds } from './jsonNestingExceeds';
import { TriggerRegistry } from './TriggerRegistry';
import { WorkerDirectory } from './WorkerDirectory';
import type { WorkerPeer } from './WorkerPeer';

/** Id of the built-in trigger type fired when workers connect and disconnect. */
export const WORKERS_AVAILABLE_TRIGGER = 'engine::workers-available';

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
  private readonly builtins = new Map<string, BuiltinFunction>();
  private readonly detached = new WeakSet<WorkerPeer>();

  constructor(
    private readonly log: EngineLog,
    readonly channels: ChannelBroker,
    options: EngineCoreOptions,
  ) {
    for (const b of [
      channelsCreate(channels, { maxChannelsPerWorker: options.maxChannelsPerWorker, maxChannels: options.maxChannels }),
      workersRegister(this.workers),
      functionsList(this.functions, () => [...this.builtins.values()]),
      workersList(this.workers, this.functions),
    ]) {
      this.builtins.set(b.id, b);
    }
    this.triggers = new TriggerRegistry(log);
    this.triggers.registerBuiltinType(WORKERS_AVAILABLE_TRIGGER, 'Fires when a worker connects or disconnects', {
      register: () => undefined,
      unregister: () => undefined,
    });
    this.router = new InvocationRouter(this.functions, this.builtins, log, options);
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
      this.log.warn('dropped frame', {
        worker_id: peer.workerId,
        reason: decoded.code,
        path: decoded.path,
        message: decoded.message,
        type: decoded.type,
      });
      return;
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
    this.channels.removeOwnedBy(peer.workerId);
    this.channels.forgetCreator(peer.workerId);
    this.log.info('worker disconnected', { worker_id: peer.workerId, functions_removed: removed.length });
    this.fireWorkersAvailable('worker_disconnected', peer.workerId);
  }

  /** The connected workers, as `engine::workers::list` returns them. */
  listWorkers(): WorkerListEntry[] {
    const outcome = this.builtins.get(ENGINE_FUNCTIONS.workersList)?.invoke({}, {});
    return outcome && 'result' in outcome ? (outcome.result as { workers: WorkerListEntry[] }).workers : [];
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
        if (this.builtins.has(frame.id)) {
          this.log.warn('ignored registerfunction for a built-in id', { worker_id: peer.workerId, function_id: frame.id });
          return;
        }
        if (frame.invocation != null) {
          // HTTP-invoked functions are never routed to the worker; the embedded engine has no HTTP module
          this.log.warn('ignored HTTP-invoked function (no HTTP module in the embedded engine)', {
            worker_id: peer.workerId,
            function_id: frame.id,
          });
          return;
        }
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
        }
        return;
      case 'invokefunction':
        this.router.invoke(peer, frame);
        return;
      case 'invocationresult':
        this.router.result(peer, frame);
        return;
      case 'registertriggertype':
        this.triggers.registerType(peer, frame);
        return;
      case 'unregistertriggertype':
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

  /** Evicts the previous connection of a reconnecting worker and runs its cleanup before the next frame. */
  private reattach(peer: WorkerPeer, previousId: string, token: string | undefined): void {
    const id = normalizeUuid(previousId);
    if (!id || id === peer.workerId) return;
    const previous = this.workers.get(id);
    if (!previous) {
      this.log.debug('reattach for an unknown worker ignored', { worker_id: peer.workerId, previous_worker_id: id });
      return;
    }
    if (!sameSecret(token, previous.peer.reattachToken)) {
      this.log.warn('reattach with a wrong token ignored', { worker_id: peer.workerId, previous_worker_id: id });
      return;
    }
    this.log.info('reattach: evicting previous connection', { worker_id: peer.workerId, previous_worker_id: id });
    previous.peer.terminate();
    this.detach(previous.peer);
    // quotas follow the worker: channels its previous connection created still count for this one
    this.channels.inheritCreator(peer.workerId, id);
  }

  private fireWorkersAvailable(event: 'worker_connected' | 'worker_disconnected', workerId: string): void {
    for (const binding of this.triggers.activeBindings(WORKERS_AVAILABLE_TRIGGER)) {
      this.router.invokeInternal(binding.function_id, { event, worker_id: workerId }, binding.metadata);
    }
  }
}
