import { FrameDecodeResult, validateFrame } from '../protocol/decodeFrame';
import { Frame } from '../protocol/Frame';

const utf8 = new TextDecoder('utf-8');

const isOptString = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/**
 * Checks the two frames that carry every call (`invocationresult`, `invokefunction`) by hand, exactly as
 * their io-ts codecs would accept them; `false` sends the frame through the full codec, which also
 * produces the error naming the bad path.
 */
function isHotFrame(v: Record<string, unknown>): boolean {
  if (v.type === 'invocationresult') {
    return (
      typeof v.invocation_id === 'string' &&
      isOptString(v.function_id) &&
      isOptString(v.traceparent) &&
      isOptString(v.baggage)
    );
  }
  if (v.type === 'invokefunction') {
    const action = v.action as Record<string, unknown> | null | undefined;
    return (
      typeof v.function_id === 'string' &&
      isOptString(v.invocation_id) &&
      isOptString(v.traceparent) &&
      isOptString(v.baggage) &&
      (action === undefined ||
        action === null ||
        (typeof action === 'object' &&
          (action.type === 'void' || (action.type === 'enqueue' && isOptString(action.queue)))))
    );
  }
  return false;
}

/**
 * Same contract as `decodeFrame` (never throws, failures name the bad path), with a fast path for the
 * frames of every call so a busy worker does not pay for the generic codec on each result.
 *
 * @example
 * ```ts
 * const r = decodeInbound('{"type":"invocationresult","invocation_id":"…","result":3}');
 * if (r.ok) console.log(r.frame.type);
 * ```
 */
export function decodeInbound(raw: string | Uint8Array): FrameDecodeResult {
  const text = typeof raw === 'string' ? raw : utf8.decode(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (text.trim() === '') return { ok: false, code: 'EMPTY', path: '', message: 'empty frame' };
    return { ok: false, code: 'INVALID_JSON', path: '', message: `invalid JSON: ${(err as Error).message}` };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && isHotFrame(value as Record<string, unknown>)) {
    return { ok: true, frame: value as Frame };
  }
  return validateFrame(value);
}
