/**
 * Exact relay of JSON numbers (PROTOCOL.md §10: the real engine keeps 64-bit integers exact and refuses
 * numbers out of the f64 range such as `1e400`). `JSON.parse` rounds integers above 2^53 and turns `1e400`
 * into `Infinity` (then `null`), so for frames whose text holds such numbers the engine keeps the raw text
 * of the relayed field and writes it back verbatim.
 */

/** A JSON value kept as its exact source text; written verbatim by {@link stringifyFrame}. */
export class RawJson {
  constructor(readonly text: string) {}

  /** For serialisers that do not know RawJson (tests' in-memory peers): the parsed, possibly rounded, value. */
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** What {@link scanJson} found in a JSON text. */
export interface JsonScan {
  /** A number outside the f64 range (`1e400`): the real engine cannot decode the frame. */
  nonFinite: boolean;
  /** An integer that `JSON.parse` would round (beyond ±2^53). */
  lossy: boolean;
  /** Top-level members of an object text: key → [start of the key's quote, end of the value). */
  members: Map<string, { start: number; valueStart: number; end: number }>;
}

/**
 * Cheap pre-check (one pass over the characters, no allocation): false means every number in `text`
 * survives `JSON.parse` exactly and none overflows, so no scan is needed. It looks for sixteen digits in a
 * row (an integer that may be beyond 2^53), or a positive exponent of three digits or more that ends where
 * a JSON number can end (before a blank, `,`, `]`, `}` or the end of the text): only those can overflow,
 * since a negative exponent underflows to a finite 0. The end condition keeps the hex of UUIDs
 * (`…-4e01-…`, `"…9e123"`) out, so the ids every call carries do not send its frame to the scan. Bytes
 * (a Buffer or any array of UTF-8 bytes) are read as they are: digits, `e`, `+` and the delimiters are ASCII.
 *
 * @example
 * ```ts
 * mayHaveInexactNumbers('{"n":12}'); // false
 * mayHaveInexactNumbers('{"n":9007199254740993}'); // true
 * ```
 */
export function mayHaveInexactNumbers(text: string | ArrayLike<number>): boolean {
  const isText = typeof text === 'string';
  const n = text.length;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = isText ? text.charCodeAt(i) : text[i];
    if (c >= 0x30 && c <= 0x39) {
      if (++digits >= 16) return true;
      continue;
    }
    digits = 0;
    if (c !== 0x65 && c !== 0x45) continue;
    // e/E: an optional '+', then the exponent's digits
    let j = i + 1;
    if (j < n && (isText ? text.charCodeAt(j) : text[j]) === 0x2b) j++;
    const start = j;
    while (j < n && isDigit(isText ? text.charCodeAt(j) : text[j])) j++;
    if (j - start >= 3 && (j === n || endsNumber(isText ? text.charCodeAt(j) : text[j]))) return true;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A character that may follow a JSON number: blank, `,`, `]` or `}`. */
function endsNumber(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * One linear pass over a JSON text already accepted by `JSON.parse`: flags numbers that would not survive
 * it and records the spans of the top-level object's members.
 *
 * @example
 * ```ts
 * scanJson('{"a":1e400}').nonFinite; // true
 * scanJson('{"data":{"n":9007199254740993}}').members.get('data'); // { start: 1, valueStart: 8, end: 31 }
 * ```
 */
export function scanJson(text: string): JsonScan {
  const members: JsonScan['members'] = new Map();
  let nonFinite = false;
  let lossy = false;
  let depth = 0;
  let topObject = false;
  let key: string | undefined;
  let keyStart = 0;
  let valueStart = -1;
  let expectKey = false;
  const closeMember = (end: number) => {
    if (key !== undefined && valueStart >= 0) members.set(key, { start: keyStart, valueStart, end });
    key = undefined;
    valueStart = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // string: find its end
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      if (topObject && depth === 1 && expectKey) {
        key = parseKey(text.slice(start, i + 1));
        keyStart = start;
        expectKey = false;
      } else if (topObject && depth === 1 && valueStart < 0) {
        valueStart = start;
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (depth === 0 && c === 0x7b) {
        topObject = true;
        expectKey = true;
      } else if (topObject && depth === 1 && valueStart < 0) valueStart = i;
      depth++;
      continue;
    }
    if (c === 0x7d || c === 0x5d) {
      depth--;
      if (topObject && depth === 0) closeMember(trimEnd(text, i));
      continue;
    }
    if (c === 0x2c) {
      if (topObject && depth === 1) {
        closeMember(trimEnd(text, i));
        expectKey = true;
      }
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      while (i + 1 < text.length && isNumberChar(text.charCodeAt(i + 1))) i++;
      if (topObject && depth === 1 && valueStart < 0) valueStart = start;
      const token = text.slice(start, i + 1);
      const value = Number(token);
      if (!Number.isFinite(value)) nonFinite = true;
      else if (/^-?[0-9]+$/.test(token) && !Number.isSafeInteger(value)) lossy = true;
      continue;
    }
    if ((c === 0x74 || c === 0x66 || c === 0x6e) && topObject && depth === 1 && valueStart < 0) valueStart = i;
  }
  return { nonFinite, lossy, members };
}

/** A member name; never throws (a text that is not valid JSON yields its raw slice). */
function parseKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted;
  }
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

/** Index just after the last non-blank character before `end`. */
function trimEnd(text: string, end: number): number {
  let j = end;
  while (j > 0 && /\s/.test(text[j - 1])) j--;
  return j;
}

/**
 * The exact text of a top-level field of a frame's raw text, when `JSON.parse` would change a number in
 * it; undefined when the parsed value is exact (the usual case).
 *
 * @example
 * ```ts
 * exactField('{"type":"invokefunction","data":{"n":9007199254740993}}', 'data'); // RawJson('{"n":9007199254740993}')
 * ```
 */
export function exactField(raw: string, key: string): RawJson | undefined {
  if (!mayHaveInexactNumbers(raw)) return undefined;
  const member = scanJson(raw).members.get(key);
  if (!member) return undefined;
  const text = raw.slice(member.valueStart, member.end);
  return mayHaveInexactNumbers(text) && scanJson(text).lossy ? new RawJson(text) : undefined;
}

/**
 * Adds `"name": <JSON string>` as the last member of an object kept as raw text, removing any member of
 * that name the text already had (so a peer cannot plant its own value). Undefined for a non-object.
 *
 * @example
 * ```ts
 * withRawMember(new RawJson('{"n":9007199254740993}'), '_caller_worker_id', 'w1').text;
 * // '{"n":9007199254740993,"_caller_worker_id":"w1"}'
 * ```
 */
export function withRawMember(raw: RawJson, name: string, value: string): RawJson | undefined {
  let text = raw.text.trim();
  if (!text.startsWith('{')) return undefined;
  const scan = scanJson(text);
  const existing = [...scan.members.entries()].filter(([k]) => k === name).map(([, m]) => m);
  for (const m of existing.reverse()) {
    // cut the member with one separator: the comma before it, else the comma after it
    let from = m.start;
    let to = m.end;
    let back = from;
    while (back > 0 && /\s/.test(text[back - 1])) back--;
    if (text[back - 1] === ',') from = back - 1;
    else {
      let ahead = to;
      while (ahead < text.length && /\s/.test(text[ahead])) ahead++;
      if (text[ahead] === ',') to = ahead + 1;
    }
    text = text.slice(0, from) + text.slice(to);
  }
  const empty = /^\{\s*\}$/.test(text);
  return new RawJson(`${text.slice(0, text.lastIndexOf('}'))}${empty ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(value)}}`);
}

/**
 * `JSON.stringify` of a frame whose top-level values may be {@link RawJson}: those are written verbatim.
 *
 * @example
 * ```ts
 * stringifyFrame({ type: 'invocationresult', result: new RawJson('18446744073709551615') });
 * // '{"type":"invocationresult","result":18446744073709551615}'
 * ```
 */
export function stringifyFrame(frame: object): string {
  if (!hasRawMember(frame as Record<string, unknown>)) return JSON.stringify(frame);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(frame)) {
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${v instanceof RawJson ? v.text : JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}

function hasRawMember(frame: Record<string, unknown>): boolean {
  for (const key in frame) if (frame[key] instanceof RawJson) return true;
  return false;
}

/** The bytes of a frame as a socket delivered them (a Node `Buffer`; typed by what is used, so these declarations need no Node types). */
export interface FrameBytes {
  toString(encoding: 'latin1' | 'utf8'): string;
  readonly length: number;
  readonly [index: number]: number;
}

/** Exact texts of relayed fields, by the decoded frame they belong to. */
const exactFields = new WeakMap<object, RawJson>();

/** The field each relayed frame type carries to another worker. */
const RELAYED_FIELD: Record<string, string | undefined> = { invokefunction: 'data', invocationresult: 'result', registertrigger: 'config' };

/**
 * Checks the numbers of one inbound frame's raw text. Returns `'non-finite'` when it holds a number out
 * of the f64 range (the real engine cannot decode such a frame: drop it). Otherwise, for `invokefunction`,
 * `invocationresult` and `registertrigger`, remembers the exact text of `data` / `result` / `config` when
 * `JSON.parse` rounded a number in it ({@link exactFieldOf} returns it).
 *
 * @example
 * ```ts
 * inspectNumbers('{"type":"invokefunction","function_id":"f","data":{"n":1e400}}', frame); // 'non-finite'
 * ```
 */
export function inspectNumbers(raw: string | FrameBytes, frame: { type: string }): 'non-finite' | undefined {
  // digits, `e`, `+` and the delimiters are ASCII: the bytes are enough to decide whether to look closer
  if (!mayHaveInexactNumbers(raw)) return undefined;
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  const scan = scanJson(text);
  if (scan.nonFinite) return 'non-finite';
  const field = RELAYED_FIELD[frame.type];
  if (!scan.lossy || field === undefined) return undefined;
  const exact = exactField(text, field);
  if (exact) exactFields.set(frame, exact);
  return undefined;
}

/** The exact text of a frame's relayed field recorded by {@link inspectNumbers}, if any. */
export function exactFieldOf(frame: object): RawJson | undefined {
  return exactFields.get(frame);
}

/**
 * Records the exact text of the relayed field of a frame the engine builds itself from exact input (the
 * `config` of a `registertrigger` made by `engine::register_trigger`); {@link exactFieldOf} returns it.
 *
 * @example
 * ```ts
 * const frame = { type: 'registertrigger', config: { n: 9007199254740992 } };
 * keepExactField(frame, new RawJson('{"n":9007199254740993}'));
 * ```
 */
export function keepExactField(frame: object, exact: RawJson): void {
  exactFields.set(frame, exact);
}

