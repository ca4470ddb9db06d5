import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import { FRAME_CODECS, Frame, FrameType } from './Frame';
import { isHotFrame } from './isHotFrame';

const utf8 = new TextDecoder('utf-8');

/** Why a frame could not be decoded. `path` names the bad field (`""` for the frame itself). */
export interface FrameDecodeFailure {
  ok: false;
  /** `INVALID_JSON`, `NOT_AN_OBJECT`, `UNKNOWN_TYPE` or `INVALID_FIELD`. */
  code: 'INVALID_JSON' | 'NOT_AN_OBJECT' | 'UNKNOWN_TYPE' | 'INVALID_FIELD' | 'EMPTY';
  path: string;
  message: string;
  /** The frame's `type`, when it had a string one. */
  type?: string;
}

/** A decoded frame. */
export interface FrameDecodeSuccess {
  ok: true;
  frame: Frame;
}

export type FrameDecodeResult = FrameDecodeSuccess | FrameDecodeFailure;

/**
 * Renders an io-ts context as a JSON path such as `error.code` or `data[2].src`.
 */
export function contextPath(context: t.Context): string {
  let path = '';
  for (let i = 1; i < context.length; i++) {
    const { key, type } = context[i];
    const parent = context[i - 1].type as t.Mixed & { _tag?: string };
    // intersections and unions add numeric members to the context that are not part of the data path
    if (parent._tag === 'IntersectionType' || parent._tag === 'UnionType') continue;
    void type;
    path += /^\d+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`;
  }
  return path;
}

/**
 * Renders io-ts validation errors as one readable line naming the first bad path.
 */
export function describeErrors(errors: t.Errors): { path: string; message: string } {
  const first = errors[0];
  if (!first) return { path: '', message: 'invalid value' };
  const path = contextPath(first.context);
  const expected = first.context[first.context.length - 1]?.type.name ?? 'value';
  const got = first.value === undefined ? 'nothing' : safeJson(first.value);
  return { path, message: first.message ?? `${path || 'value'}: expected ${expected}, got ${got}` };
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/**
 * Validates an already parsed JSON value as a frame. Never throws.
 *
 * @example
 * ```ts
 * const r = validateFrame({ type: 'ping' });
 * if (r.ok) console.log(r.frame.type);
 * ```
 */
export function validateFrame(value: unknown): FrameDecodeResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, code: 'NOT_AN_OBJECT', path: '', message: 'frame is not a JSON object' };
  }
  // the frames of every call, checked by hand exactly as their codecs would
  if (isHotFrame(value as Record<string, unknown>)) return { ok: true, frame: value as Frame };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { ok: false, code: 'INVALID_FIELD', path: 'type', message: 'frame has no string "type"' };
  }
  if (!Object.prototype.hasOwnProperty.call(FRAME_CODECS, type)) {
    return { ok: false, code: 'UNKNOWN_TYPE', path: 'type', message: `unknown frame type "${type}"`, type };
  }
  const codec = FRAME_CODECS[type as FrameType] as t.Mixed;
  const result = codec.decode(value);
  if (isLeft(result)) {
    const { path, message } = describeErrors(result.left);
    return { ok: false, code: 'INVALID_FIELD', path, message: `${type}: ${message}`, type };
  }
  return { ok: true, frame: result.right as Frame };
}

/**
 * Parses one worker-socket message (text, or binary JSON) into a typed frame. Never throws: malformed JSON,
 * unknown types and bad fields come back as a {@link FrameDecodeFailure} naming the bad path.
 *
 * @example
 * ```ts
 * const r = decodeFrame('{"type":"invocationresult"}');
 * // { ok: false, code: 'INVALID_FIELD', path: 'invocation_id', ... }
 * ```
 */
export function decodeFrame(raw: string | Uint8Array): FrameDecodeResult {
  const text = typeof raw === 'string' ? raw : utf8.decode(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // blank text is not JSON either: told apart only once parsing failed
    if (text.trim() === '') return { ok: false, code: 'EMPTY', path: '', message: 'empty frame' };
    return { ok: false, code: 'INVALID_JSON', path: '', message: `invalid JSON: ${(err as Error).message}` };
  }
  return validateFrame(value);
}
