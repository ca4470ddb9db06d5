import type { Frame } from '../protocol/Frame';
import { engineUuid } from './engineUuid';

/** Why the real engine would drop a frame that the embedded engine's decoder accepts. */
export interface RealEngineDrop {
  /** Frame `type`. */
  frame: string;
  /** The offending field, as a path (`data`, `error.code`, `action.queue`, …). */
  field: string;
  /** What is wrong with it. */
  problem: string;
  /** What the real engine does and what the peer experiences (PROTOCOL.md §10.2). */
  real: string;
}

/** What the peer of a dropped frame experiences, per frame type (PROTOCOL.md §10.2). */
export const REAL_ENGINE_DROP_EFFECT: Readonly<Record<string, string>> = {
  invokefunction: 'frame dropped, no reply: the caller times out',
  invocationresult: 'frame dropped: the result is lost and the call stays pending until a side disconnects',
  registertriggertype: 'frame dropped: the type never exists and its bindings stay parked',
  registertrigger: 'frame dropped: no binding and no triggerregistrationresult',
  registerfunction: 'frame dropped: no function is registered',
  unregistertriggertype: 'frame not understood (unknown to the engine): the trigger type and its provider stay',
  triggerregistrationresult: 'frame dropped: the outcome is lost',
};

/** What the real engine does with an undecodable frame of `type` (a generic text for other types). */
export function realEngineDropEffect(type: string | undefined): string {
  return (type && REAL_ENGINE_DROP_EFFECT[type]) ?? 'frame dropped, nothing sent back; the connection stays open';
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

const has = (o: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(o, key);
/** Present and neither `null` nor a string (an `Option<String>` upstream cannot take it). */
const badOptionalString = (v: unknown) => v !== undefined && v !== null && typeof v !== 'string';
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks a frame the decoder accepted against the stricter decoding of the real engine v0.22.1
 * (PROTOCOL.md §10.2): a required key missing or a known field of the wrong JSON type makes upstream drop
 * the whole frame without a word. Returns why, or undefined when upstream accepts the frame.
 *
 * @example
 * ```ts
 * realEngineFrameDrop({ type: 'invokefunction', function_id: 'a::b' } as Frame);
 * // { frame: 'invokefunction', field: 'data', problem: 'missing', real: 'frame dropped, no reply: …' }
 * ```
 */
export function realEngineFrameDrop(frame: Frame): RealEngineDrop | undefined {
  const f = frame as unknown as Record<string, unknown>;
  const drop = (field: string, problem: string): RealEngineDrop => ({
    frame: frame.type,
    field,
    problem,
    real: realEngineDropEffect(frame.type),
  });
  switch (frame.type) {
    case 'invokefunction': {
      if (!has(f, 'data') || f.data === undefined) return drop('data', 'missing (the key must exist; null is fine)');
      if (f.invocation_id != null && !engineUuid(f.invocation_id)) return drop('invocation_id', 'not a UUID');
      if (f.action != null) {
        const action = f.action as Record<string, unknown>;
        if (action.type === 'enqueue' && typeof action.queue !== 'string') return drop('action.queue', 'missing or not a string');
      }
      return undefined;
    }
    case 'invocationresult': {
      if (!engineUuid(f.invocation_id)) return drop('invocation_id', 'not a UUID');
      if (typeof f.function_id !== 'string') return drop('function_id', f.function_id == null ? 'missing' : 'not a string');
      if (f.error != null) {
        if (!isObject(f.error)) return drop('error', 'not an object {code, message, stacktrace?}');
        if (typeof f.error.code !== 'string') return drop('error.code', f.error.code === undefined ? 'missing' : 'not a string');
        if (typeof f.error.message !== 'string') return drop('error.message', f.error.message === undefined ? 'missing' : 'not a string');
        if (badOptionalString(f.error.stacktrace)) return drop('error.stacktrace', 'not a string');
      }
      return undefined;
    }
    case 'registertriggertype':
      if (typeof f.description !== 'string') return drop('description', f.description == null ? 'missing' : 'not a string');
      return undefined;
    case 'registertrigger':
      if (!has(f, 'config') || f.config === undefined) return drop('config', 'missing (the key must exist; null is fine)');
      return undefined;
    case 'registerfunction':
      if (f.invocation != null) {
        const problem = invocationProblem(f.invocation);
        if (problem) return drop(`invocation.${problem.field}`, problem.problem);
      }
      return undefined;
    case 'triggerregistrationresult':
      if (typeof f.trigger_type !== 'string') return drop('trigger_type', 'missing or not a string');
      if (typeof f.function_id !== 'string') return drop('function_id', 'missing or not a string');
      if (f.error != null && (!isObject(f.error) || typeof f.error.code !== 'string' || typeof f.error.message !== 'string')) {
        return drop('error', 'not an object {code, message, stacktrace?}');
      }
      return undefined;
    case 'unregistertriggertype':
      return drop('type', 'unknown to the real engine');
    default:
      return undefined;
  }
}

/** The first problem of an HTTP-invocation object of `registerfunction` (PROTOCOL.md §2.2). */
function invocationProblem(value: unknown): { field: string; problem: string } | undefined {
  if (!isObject(value)) return { field: '', problem: 'not an object' };
  if (typeof value.url !== 'string') return { field: 'url', problem: 'missing or not a string' };
  if (value.method != null && (typeof value.method !== 'string' || !HTTP_METHODS.has(value.method))) {
    return { field: 'method', problem: 'not one of GET POST PUT PATCH DELETE (uppercase)' };
  }
  if (value.timeout_ms != null && !(typeof value.timeout_ms === 'number' && Number.isInteger(value.timeout_ms) && value.timeout_ms >= 0)) {
    return { field: 'timeout_ms', problem: 'not a non-negative integer' };
  }
  if (value.headers != null && (!isObject(value.headers) || Object.values(value.headers).some((h) => typeof h !== 'string'))) {
    return { field: 'headers', problem: 'not an object of strings' };
  }
  if (value.auth != null) {
    const auth = value.auth;
    const ok =
      isObject(auth) &&
      ((auth.type === 'hmac' && typeof auth.secret_key === 'string') ||
        (auth.type === 'bearer' && typeof auth.token_key === 'string') ||
        (auth.type === 'api_key' && typeof auth.header === 'string' && typeof auth.value_key === 'string'));
    if (!ok) return { field: 'auth', problem: 'not one of {type:"hmac",secret_key} / {type:"bearer",token_key} / {type:"api_key",header,value_key}' };
  }
  return undefined;
}
