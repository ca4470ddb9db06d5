import { randomBytes } from 'node:crypto';

/** Baggage member the real engine sets to the called function's id. */
export const FUNCTION_ID_BAGGAGE_KEY = 'iii.function.id';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * True when `value` parses as a W3C `traceparent` (version 00 exactly four fields; non-zero trace and span
 * ids; version `ff` invalid), the test the real engine applies before passing it on (PROTOCOL.md §10.6).
 *
 * @example
 * ```ts
 * isW3cTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'); // true
 * isW3cTraceparent('hello'); // false
 * ```
 */
export function isW3cTraceparent(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = TRACEPARENT.exec(value);
  if (!m) return false;
  const [, version, trace, span, , rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return false;
  return !/^0+$/.test(trace) && !/^0+$/.test(span);
}

/** A fresh sampled `00-<trace>-<span>-01`, as the real engine mints for the calls it originates. */
export function mintTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** Percent-encodes what a W3C baggage value may not contain. */
function encodeBaggageValue(value: string): string {
  return value.replace(/[^\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/**
 * The `baggage` a callee receives: the caller's members minus any `iii.function.id`, plus
 * `iii.function.id=<called id>` (PROTOCOL.md §10.6). Members without a key are dropped.
 *
 * @example
 * ```ts
 * calleeBaggage('user=7,iii.function.id=old', 'media::thumb'); // 'user=7,iii.function.id=media::thumb'
 * calleeBaggage(undefined, 'a::b'); // 'iii.function.id=a::b'
 * ```
 */
export function calleeBaggage(callerBaggage: string | undefined, functionId: string): string {
  const members = (callerBaggage ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => {
      const eq = m.indexOf('=');
      return eq > 0 && m.slice(0, eq).trim() !== FUNCTION_ID_BAGGAGE_KEY;
    });
  members.push(`${FUNCTION_ID_BAGGAGE_KEY}=${encodeBaggageValue(functionId)}`);
  return members.join(',');
}

/** The caller's own trace strings, echoed verbatim on every result it gets. */
export interface CallerTrace {
  traceparent?: string;
  baggage?: string;
}

/** Copies the caller's trace strings onto an outgoing result frame (none when it sent none). */
export function echoCallerTrace(frame: Record<string, unknown>, trace: CallerTrace | undefined): Record<string, unknown> {
  if (typeof trace?.traceparent === 'string') frame.traceparent = trace.traceparent;
  if (typeof trace?.baggage === 'string') frame.baggage = trace.baggage;
  return frame;
}
