import { randomUUID } from 'node:crypto';
import type { ErrorBody } from '../protocol/ErrorBody';
import { toErrorBody } from '../protocol/ErrorBody';
import type { InvocationResultFrame, InvokeFunctionFrame } from '../protocol/Frame';
import { engineUuid } from './engineUuid';
import type { BuiltinFunction, BuiltinOutcome } from './builtins/BuiltinFunction';
import type { EngineLog } from './EngineLogger';
import { preview } from './RegistrationLimits';
import { exactFieldOf, RawJson, withRawMember } from './exactJson';
import type { FunctionRegistry } from './FunctionRegistry';
import { routeEnqueue } from './queue/routeEnqueue';
import type { WorkerPeer } from './WorkerPeer';
import { CallerTrace, calleeBaggage, echoCallerTrace, isW3cTraceparent, mintTraceparent } from './traceContext';
import type { ForwardedCall, ForwardedCallListener } from './ForwardedCall';
export type { ForwardedCall, ForwardedCallListener };

/** A call forwarded to a worker and not answered yet. */
interface PendingCall {
  functionId: string;
  /** Who waits for the result; undefined when nobody does (void, trigger fires). */
  caller?: WorkerPeer;
  /** The id the caller used (the callee may see another one when two callers picked the same id). */
  callerInvocationId?: string;
  callee: WorkerPeer;
  /** The caller's own `traceparent`/`baggage`, echoed on its result (PROTOCOL.md §10.6). */
  trace?: CallerTrace;
}

/** Limits of the router. */
export interface InvocationRouterOptions {
  /** Calls that may await a result at once, engine-wide; beyond it new calls fail with `engine_overloaded`. */
  maxPendingInvocations: number;
  /** Calls one caller connection may have awaiting a result; beyond it its calls fail with `pending_limit`. */
  maxPendingPerWorker?: number;
  /**
   * The last `pendingReserve` slots of the engine-wide table are kept for connections holding fewer than
   * `pendingReserveBelow` pending calls, so a few busy connections cannot lock everyone else out.
   * Defaults: a tenth of `maxPendingInvocations`, and a twentieth of `maxPendingPerWorker` (at least 1).
   */
  pendingReserve?: number;
  pendingReserveBelow?: number;
  /**
   * Longest function id that can be registered: a reply to a call naming a longer one (never found) echoes
   * only a preview of it, so an 8 MiB id is not sent back in full. Default: echo every id whole.
   */
  maxIdLength?: number;
}

/** Extra fields an invocation may carry. */
export type TraceFields = { metadata?: unknown; traceparent?: string | null; baggage?: string | null };

/**
 * Routes `invokefunction` frames to built-ins or to the owning worker, keeps the table of pending calls
 * keyed by caller and (normalised) `invocation_id`, and relays `invocationresult` frames back
 * (PROTOCOL.md §4). Void calls and calls without an id never get a reply; a worker always receives an id.
 * A result is accepted only from the connection the call was routed to; when two callers pick the same
 * id, the second call reaches its callee under a fresh id, so neither caller can take the other's result.
 *
 * A frame that must reach a connection whose bounded outbound queue is full (a result, an error) cannot
 * wait: that connection is treated as a stalled consumer and terminated, which runs its normal cleanup.
 *
 * @example
 * ```ts
 * const router = new InvocationRouter(registry, builtins, log, { maxPendingInvocations: 100_000 });
 * router.invoke(callerPeer, { type: 'invokefunction', function_id: 'math::add', invocation_id: id, data: { a: 1 } });
 * ```
 */
export class InvocationRouter {
  /** Pending calls by the id their callee was given. */
  private readonly pending = new Map<string, PendingCall>();
  /** Per caller connection: the caller's invocation id → the id its callee was given. */
  private readonly perCaller = new Map<WorkerPeer, Map<string, string>>();
  private readonly callListeners = new Set<ForwardedCallListener>();

  constructor(
    private readonly registry: FunctionRegistry,
    private readonly builtins: ReadonlyMap<string, BuiltinFunction>,
    private readonly log: EngineLog,
    private readonly options: InvocationRouterOptions,
  ) {}

  /** Calls waiting for a result. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Handles an `invokefunction` from `caller`. */
  invoke(caller: WorkerPeer, frame: InvokeFunctionFrame): void {
    const action = frame.action ?? undefined;
    const wantsReply = action?.type !== 'void' && frame.invocation_id != null;
    let invocationId: string | undefined;
    if (wantsReply) {
      invocationId = engineUuid(frame.invocation_id);
      if (!invocationId) {
        this.log.warn('dropped invokefunction: invocation_id is not a UUID', {
          worker_id: caller.workerId,
          invocation_id: frame.invocation_id,
          function_id: frame.function_id,
        });
        return;
      }
    }
    const trace = callerTrace(frame);
    const maxId = this.options.maxIdLength;
    const echoedId = maxId !== undefined && frame.function_id.length > maxId ? preview(frame.function_id) : frame.function_id;
    const reply = (body: { result?: unknown; error?: ErrorBody }, keepNullResult = false) => {
      if (!invocationId) return;
      this.deliver(caller, echoCallerTrace(resultFrame(invocationId, echoedId, body, keepNullResult), trace), 'invocationresult');
    };

    if (action?.type === 'enqueue') {
      const exists = (id: string) => this.builtins.has(id) || this.registry.get(id) !== undefined;
      const request = { queue: action.queue ?? '', functionId: frame.function_id, data: frame.data === undefined ? null : frame.data };
      routeEnqueue({ exists, call: (id, d, x) => this.call(id, d, x) }, { ...request, traceparent: frame.traceparent, baggage: frame.baggage }, reply);
      return;
    }

    const data = withCallerId(frame.data === undefined ? null : frame.data, caller.workerId);
    const builtin = this.builtins.get(frame.function_id);
    // integers beyond 2^53 travel as their exact text, with the caller id spliced in
    const exact = exactFieldOf(frame);
    const relayed = exact ? (withRawMember(exact, '_caller_worker_id', caller.workerId) ?? exact) : data;
    if (builtin) {
      const answer = (outcome: BuiltinOutcome) => {
        if ('error' in outcome) reply({ error: outcome.error });
        else reply({ result: outcome.result }, true);
      };
      const outcome = safeInvoke(builtin, data, caller, exact);
      if (outcome instanceof Promise) void outcome.then(answer, (err) => answer(failure(err)));
      else answer(outcome);
      return;
    }
    this.forward(frame.function_id, relayed, calleeTrace(frame, trace), invocationId, invocationId ? caller : undefined, reply, trace);
  }

  /**
   * Calls a function on behalf of the engine (trigger fires): nobody waits, results are discarded.
   * Returns false when the function does not exist or its worker cannot take the frame.
   */
  invokeInternal(functionId: string, data: unknown, metadata?: unknown): boolean {
    const builtin = this.builtins.get(functionId);
    if (builtin) {
      const outcome = safeInvoke(builtin, data, undefined);
      if (outcome instanceof Promise) void outcome.catch(() => undefined);
      return true;
    }
    let ok = true;
    // an engine-originated call gets a fresh trace and no baggage (PROTOCOL.md §10.6)
    this.forward(functionId, data, { metadata, traceparent: mintTraceparent() }, undefined, undefined, () => {
      ok = false;
    });
    return ok;
  }

  /**
   * Calls a function on behalf of the engine and resolves with its outcome (http, cron and queue fires
   * need the result): the callee gets a fresh invocation id and no `_caller_worker_id`; a callee that
   * disconnects first gives `invocation_stopped`. Never rejects.
   */
  call(functionId: string, data: unknown, extra: TraceFields = {}): Promise<BuiltinOutcome> {
    const builtin = this.builtins.get(functionId);
    if (builtin) return Promise.resolve(safeInvoke(builtin, data, undefined)).catch(failure);
    return new Promise<BuiltinOutcome>((resolve) => {
      this.forward(functionId, data, extra, randomUUID(), engineCaller(resolve), resolve);
    });
  }

  /** Tells `listener` about every call forwarded to a worker (the testing entry awaits invocations with it). */
  observeCalls(listener: ForwardedCallListener): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  /**
   * Handles an `invocationresult`. Only the connection the call was routed to may answer it (upstream
   * accepts it from anyone who knows the id; no SDK flow answers from another connection, since a
   * callee's disconnect already ends its calls with `invocation_stopped`).
   */
  result(from: WorkerPeer, frame: InvocationResultFrame): void {
    const invocationId = engineUuid(frame.invocation_id);
    if (!invocationId) {
      this.log.warn('dropped invocationresult: invocation_id is not a UUID', {
        worker_id: from.workerId,
        invocation_id: frame.invocation_id,
      });
      return;
    }
    const call = this.pending.get(invocationId);
    if (!call) {
      this.log.debug('discarded invocationresult nobody waits for', { worker_id: from.workerId, invocation_id: invocationId });
      return;
    }
    if (call.callee !== from) {
      this.log.warn('dropped invocationresult from a connection the call was not routed to', {
        worker_id: from.workerId,
        invocation_id: invocationId,
        callee_worker_id: call.callee.workerId,
      });
      return;
    }
    this.removePending(invocationId, call);
    if (!call.caller) return;
    const body =
      frame.error != null
        ? { error: toErrorBody(frame.error) }
        : { result: exactFieldOf(frame) ?? (frame.result === null ? undefined : frame.result) };
    // the caller gets its own trace strings back; the callee's are discarded (PROTOCOL.md §10.6)
    const out = echoCallerTrace(resultFrame(call.callerInvocationId ?? invocationId, call.functionId, body, false), call.trace);
    this.deliver(call.caller, out, 'invocationresult');
  }

  /**
   * Cleanup for a connection that is gone: calls it was serving end with `invocation_stopped` for their
   * callers; calls it had issued are dropped (nobody is left to tell).
   */
  connectionClosed(peer: WorkerPeer): void {
    const stopped: Array<[string, PendingCall]> = [];
    for (const [id, call] of this.pending) {
      if (call.callee === peer) {
        this.removePending(id, call);
        if (call.caller && call.caller !== peer) stopped.push([id, call]);
      } else if (call.caller === peer) {
        this.removePending(id, call);
      }
    }
    this.perCaller.delete(peer);
    for (const [id, call] of stopped) {
      this.deliver(
        call.caller as WorkerPeer,
        echoCallerTrace(resultFrame(call.callerInvocationId ?? id, call.functionId, { error: { code: 'invocation_stopped', message: 'Invocation stopped' } }, false), call.trace),
        'invocationresult',
      );
    }
  }

  private forward(
    functionId: string,
    data: unknown,
    extra: TraceFields,
    invocationId: string | undefined,
    caller: WorkerPeer | undefined,
    fail: (body: { error: ErrorBody }) => void,
    trace?: CallerTrace,
  ): void {
    const fn = this.registry.get(functionId);
    if (!fn) {
      this.log.debug('function not found', { function_id: functionId });
      fail({ error: { code: 'function_not_found', message: `Function ${preview(functionId)} not found` } });
      return;
    }
    const replacing = invocationId !== undefined && caller !== undefined && this.perCaller.get(caller)?.has(invocationId) === true;
    if (invocationId && caller && !replacing && this.tableFullFor(caller)) {
      this.log.warn('refused call: too many pending invocations', { function_id: functionId, pending: this.pending.size });
      fail({ error: { code: 'engine_overloaded', message: `Too many pending invocations (${this.pending.size})` } });
      return;
    }
    const perWorker = this.options.maxPendingPerWorker;
    if (invocationId && caller && perWorker !== undefined && !replacing) {
      const mine = this.perCaller.get(caller)?.size ?? 0;
      if (mine >= perWorker) {
        this.log.warn('refused call: too many pending invocations on this connection', {
          function_id: functionId,
          worker_id: caller.workerId,
          pending: mine,
        });
        fail({
          error: {
            code: 'pending_limit',
            message: `this connection already has ${mine} calls awaiting a result (maxPendingPerWorker ${perWorker})`,
          },
        });
        return;
      }
    }
    const previousId = invocationId && caller ? this.perCaller.get(caller)?.get(invocationId) : undefined;
    const previous = previousId === undefined ? undefined : this.pending.get(previousId);
    if (previousId !== undefined && previous) this.removePending(previousId, previous);
    // the callee sees the caller's id unless another live call already uses it (then a fresh one)
    const id = invocationId !== undefined && !this.pending.has(invocationId) ? invocationId : randomUUID();
    const out: Record<string, unknown> = { type: 'invokefunction', invocation_id: id, function_id: functionId, data };
    if (extra.metadata != null) out.metadata = extra.metadata;
    if (extra.traceparent != null) out.traceparent = extra.traceparent;
    if (extra.baggage != null) out.baggage = extra.baggage;

    if (caller) {
      if (previous?.caller && invocationId) {
        // a second live call of the same caller with the same id replaces the first, which is told (PROTOCOL.md §4.1)
        this.deliver(
          previous.caller,
          echoCallerTrace(resultFrame(invocationId, previous.functionId, { error: { code: 'invocation_error', message: 'channel closed' } }, false), previous.trace),
          'invocationresult',
        );
      }
      this.addPending(id, { functionId, caller, callerInvocationId: invocationId, callee: fn.owner, trace });
    }
    for (const listener of this.callListeners) {
      try {
        listener({ functionId, invocationId: id, data: data instanceof RawJson ? data.toJSON() : data, metadata: extra.metadata });
      } catch (err) {
        this.log.error('call listener threw', { function_id: functionId, error: (err as Error).message });
      }
    }
    let queued: boolean;
    try {
      queued = fn.owner.send(out);
    } catch (err) {
      // not serialisable (cannot happen for decoded JSON within the nesting limit): fail the call, leak nothing
      if (caller) this.forgetPending(id);
      this.log.error('could not serialise invokefunction', { function_id: functionId, error: (err as Error).message });
      fail({ error: { code: 'invocation_failed', message: `the call could not be forwarded: ${(err as Error).message}` } });
      return;
    }
    if (!queued) {
      if (caller) this.forgetPending(id);
      this.log.warn('could not queue invokefunction to the owning worker', {
        function_id: functionId,
        worker_id: fn.owner.workerId,
      });
      fail({ error: { code: 'channel_send_failed', message: 'channel closed' } });
    }
  }

  /** Calls `peer` serves or awaits right now (`active_invocations` of `engine::workers::list`). */
  activeFor(peer: WorkerPeer): number {
    let n = 0;
    for (const call of this.pending.values()) if (call.caller === peer || call.callee === peer) n++;
    return n;
  }

  private addPending(id: string, call: PendingCall): void {
    this.pending.set(id, call);
    if (!call.caller || call.callerInvocationId === undefined) return;
    let mine = this.perCaller.get(call.caller);
    if (!mine) this.perCaller.set(call.caller, (mine = new Map()));
    mine.set(call.callerInvocationId, id);
  }

  /**
   * True when `caller` may not add a pending call: the table is full, or only the reserve is left and
   * `caller` already holds `pendingReserveBelow` calls or more.
   */
  private tableFullFor(caller: WorkerPeer): boolean {
    const max = this.options.maxPendingInvocations;
    if (this.pending.size >= max) return true;
    const reserve = this.options.pendingReserve ?? Math.floor(max / 10);
    if (this.pending.size < max - reserve) return false;
    const below = this.options.pendingReserveBelow ?? Math.max(1, Math.floor((this.options.maxPendingPerWorker ?? max) / 20));
    return (this.perCaller.get(caller)?.size ?? 0) >= below;
  }

  private forgetPending(id: string): void {
    const call = this.pending.get(id);
    if (call) this.removePending(id, call);
  }

  private removePending(id: string, call: PendingCall): void {
    if (this.pending.get(id) !== call) return;
    this.pending.delete(id);
    if (!call.caller || call.callerInvocationId === undefined) return;
    const mine = this.perCaller.get(call.caller);
    if (mine?.get(call.callerInvocationId) === id) mine.delete(call.callerInvocationId);
    if (mine?.size === 0) this.perCaller.delete(call.caller);
  }

  /** Sends a frame that must not be lost; a connection that cannot take it is terminated. */
  private deliver(peer: WorkerPeer, frame: object, what: string): void {
    if (peer.send(frame)) return;
    if (!peer.isOpen) {
      this.log.debug(`dropped ${what} for a closed connection`, { worker_id: peer.workerId });
      return;
    }
    this.log.error(`outbound queue full: terminating stalled connection with 1008 outbound overflow (could not deliver ${what})`, {
      worker_id: peer.workerId,
    });
    if (peer.closeWith) peer.closeWith({ code: 1008, reason: 'outbound overflow' });
    else peer.terminate();
  }
}

/** Builds an E→W `invocationresult`; `result` is omitted when undefined (or null unless kept). */
function resultFrame(
  invocationId: string,
  functionId: string,
  body: { result?: unknown; error?: ErrorBody },
  keepNullResult: boolean,
): Record<string, unknown> {
  const frame: Record<string, unknown> = { type: 'invocationresult', invocation_id: invocationId, function_id: functionId };
  if (body.error) frame.error = body.error;
  else if (body.result !== undefined && (body.result !== null || keepNullResult)) frame.result = body.result;
  return frame;
}

/** Adds `_caller_worker_id` at the top level of an object payload (PROTOCOL.md §4.2). */
function withCallerId(data: unknown, workerId: string): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  return { ...(data as Record<string, unknown>), _caller_worker_id: workerId };
}

function safeInvoke(builtin: BuiltinFunction, data: unknown, caller: WorkerPeer | undefined, exactData?: RawJson): BuiltinOutcome | Promise<BuiltinOutcome> {
  try {
    return builtin.invoke(data, exactData ? { caller, exactData } : { caller });
  } catch (err) {
    return failure(err);
  }
}

/** The in-memory "connection" of an engine-originated call: the result frame it is sent settles the call. */
function engineCaller(settle: (outcome: BuiltinOutcome) => void): WorkerPeer {
  let done = false;
  return {
    workerId: 'engine',
    reattachToken: '',
    connectedAt: Date.now(),
    get isOpen() {
      return !done;
    },
    send(frame: object) {
      if (done) return false;
      done = true;
      const f = frame as { result?: unknown; error?: ErrorBody };
      settle(f.error ? { error: f.error } : { result: f.result });
      return true;
    },
    terminate() {
      done = true;
    },
  };
}

function failure(err: unknown): { error: ErrorBody } {
  return { error: { code: 'invocation_failed', message: err instanceof Error ? err.message : String(err) } };
}

/** The caller's trace strings, as sent. */
function callerTrace(frame: InvokeFunctionFrame): CallerTrace | undefined {
  const trace: CallerTrace = {};
  if (typeof frame.traceparent === 'string') trace.traceparent = frame.traceparent;
  if (typeof frame.baggage === 'string') trace.baggage = frame.baggage;
  return trace.traceparent === undefined && trace.baggage === undefined ? undefined : trace;
}

/**
 * What the callee gets (PROTOCOL.md §10.6): the caller's `traceparent` if it is valid W3C, and — whenever the
 * caller sent any trace field — its baggage with `iii.function.id` set to the called id.
 */
function calleeTrace(frame: InvokeFunctionFrame, trace: CallerTrace | undefined): TraceFields {
  const out: TraceFields = { metadata: frame.metadata };
  if (!trace) return out;
  if (isW3cTraceparent(trace.traceparent)) out.traceparent = trace.traceparent;
  out.baggage = calleeBaggage(trace.baggage, frame.function_id);
  return out;
}
