import { Prng } from './Prng';

/** One fuzzed worker-socket message: text or binary, plus how it was made (for failure reports). */
export interface FuzzMessage {
  data: string | Buffer;
  binary: boolean;
  kind: string;
}

const FRAME_TYPES = [
  'registerfunction', 'unregisterfunction', 'invokefunction', 'invocationresult', 'registertriggertype',
  'registertrigger', 'triggerregistrationresult', 'unregistertrigger', 'unregistertriggertype', 'registerservice',
  'reattach', 'ping', 'pong', 'workerregistered', 'error', 'registrationrejected',
] as const;

/**
 * Generates hostile input for the worker socket: valid frames of every type, the same frames with fields
 * removed, retyped or replaced by huge or deeply nested values, unknown types, non-UUID ids, truncated
 * JSON, random text and random binary (some with telemetry prefixes). Deterministic for a given PRNG.
 */
export class FrameFuzzer {
  constructor(
    private readonly rng: Prng,
    /** Function ids a generated call may target (so some reach real workers). */
    private readonly functionIds: readonly string[] = ['fuzz::sink'],
    /** Largest string or binary blob generated, in bytes. */
    private readonly maxBlob = 256 * 1024,
    /** Deepest nesting of the deep-array and deep-call messages. */
    private readonly maxDepth = 200_000,
  ) {}

  /** A random scalar or small structure of any JSON type. */
  anyValue(depth = 0): unknown {
    const r = this.rng;
    switch (r.int(depth > 3 ? 7 : 10)) {
      case 0: return null;
      case 1: return r.chance(0.5);
      case 2: return r.int(2 ** 31) * (r.chance(0.5) ? -1 : 1);
      case 3: return r.pick([0, -0, 1e308, -1e-308, 0.5, 2 ** 53 + 1]);
      case 4: return this.string();
      case 5: return '';
      case 6: return r.pick(['void', 'enqueue', 'read', 'write', '::', 'engine::channels::create', '\u0000', '\ud800']);
      case 7: return Array.from({ length: r.int(4) }, () => this.anyValue(depth + 1));
      case 8: {
        const o: Record<string, unknown> = {};
        for (let i = r.int(4); i > 0; i--) o[this.key()] = this.anyValue(depth + 1);
        return o;
      }
      default: return this.hostile();
    }
  }

  /** Something designed to hurt: huge strings, deep nesting, odd unicode, prototype keys. */
  hostile(): unknown {
    const r = this.rng;
    switch (r.int(7)) {
      case 0: return 'x'.repeat(r.int(this.maxBlob));
      case 1: return nest(r.int(3000) + 1, r.chance(0.5));
      case 2: return { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } };
      case 3: return JSON.parse('{"__proto__":{"polluted":true}}');
      case 4: return '\u202e\ufeff\u0000\u001f' + String.fromCharCode(r.int(0x10000));
      case 5: return Array.from({ length: r.int(2000) }, (_, i) => i);
      default: return { channel_id: this.id(), access_key: this.id(), direction: r.pick(['read', 'write', 'READ', null]) };
    }
  }

  string(): string {
    const n = this.rng.int(40);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.rng.chance(0.9) ? 32 + this.rng.int(95) : this.rng.int(0x10000));
    return s;
  }

  key(): string {
    return this.rng.pick(['type', 'id', 'data', 'function_id', 'invocation_id', 'action', 'error', 'result', 'x', '__proto__', '', this.string()]);
  }

  /** An id: usually a UUID, sometimes not (upper case, braces, garbage). */
  id(): string {
    const u = randomUUIDFrom(this.rng);
    switch (this.rng.int(8)) {
      case 0: return u.toUpperCase();
      case 1: return `{${u}}`;
      case 2: return u.replace(/-/g, '');
      case 3: return this.string();
      case 4: return '';
      default: return u;
    }
  }

  /** A structurally valid frame of a random type. */
  validFrame(): Record<string, unknown> {
    const r = this.rng;
    const type = r.pick(FRAME_TYPES);
    const fn = r.pick(this.functionIds);
    switch (type) {
      case 'registerfunction': return { type, id: `fuzz::${r.int(50)}`, description: this.string(), metadata: this.anyValue() };
      case 'unregisterfunction': return { type, id: r.chance(0.5) ? fn : `fuzz::${r.int(50)}` };
      case 'invokefunction': {
        const f: Record<string, unknown> = { type, function_id: r.chance(0.7) ? fn : this.string(), data: this.anyValue() };
        if (r.chance(0.7)) f.invocation_id = randomUUIDFrom(r);
        if (r.chance(0.3)) f.action = r.pick([{ type: 'void' }, { type: 'enqueue', queue: 'q' }, null]);
        if (r.chance(0.2)) f.metadata = this.anyValue();
        return f;
      }
      case 'invocationresult': return { type, invocation_id: randomUUIDFrom(r), function_id: fn, result: this.anyValue() };
      case 'registertriggertype': return { type, id: `fuzz-trigger-${r.int(10)}`, description: this.string() };
      case 'registertrigger': return { type, id: randomUUIDFrom(r), trigger_type: r.pick(['fuzz-trigger-1', 'engine::workers-available', 'nope']), function_id: fn, config: this.anyValue() };
      case 'triggerregistrationresult': return { type, id: randomUUIDFrom(r), trigger_type: 'fuzz-trigger-1', function_id: fn, error: { code: 'x', message: 'y' } };
      case 'unregistertrigger': return { type, id: randomUUIDFrom(r), trigger_type: 'fuzz-trigger-1' };
      case 'unregistertriggertype': return { type, id: `fuzz-trigger-${r.int(10)}`, description: '' };
      case 'registerservice': return { type, id: this.string(), name: this.string() };
      case 'reattach': return { type, previous_worker_id: this.id(), reattach_token: this.id() };
      case 'workerregistered': return { type, worker_id: randomUUIDFrom(r) };
      case 'error': return { type, error: { code: 'AUTH_ERROR', message: 'fuzz' } };
      case 'registrationrejected': return { type, code: 'WORKER_NAMESPACE_CONFLICT' };
      default: return { type };
    }
  }

  /** A valid frame with one to three fields removed, retyped, or added. */
  mutatedFrame(): Record<string, unknown> {
    const r = this.rng;
    const f = this.validFrame();
    for (let n = 1 + r.int(3); n > 0; n--) {
      const keys = Object.keys(f);
      const k = r.pick(keys);
      switch (r.int(5)) {
        case 0: delete f[k]; break;
        case 1: f[k] = this.anyValue(); break;
        case 2: f[k] = this.hostile(); break;
        case 3: f[this.key()] = this.anyValue(); break;
        default: {
          const t = typeof f.type === 'string' ? f.type : 'ping';
          if (k === 'type') f.type = r.pick([t.toUpperCase(), `${t} `, this.string(), 7, null]);
          else f[k] = null;
        }
      }
    }
    return f;
  }

  /** The next fuzz message, mixing every generator. */
  next(): FuzzMessage {
    const r = this.rng;
    const roll = r.int(100);
    if (roll < 20) return { data: JSON.stringify(this.validFrame()), binary: r.chance(0.1), kind: 'valid' };
    if (roll < 65) return { data: JSON.stringify(this.mutatedFrame()), binary: r.chance(0.1), kind: 'mutated' };
    if (roll < 72) {
      const text = JSON.stringify(this.validFrame());
      return { data: text.slice(0, r.int(text.length)), binary: false, kind: 'truncated' };
    }
    if (roll < 78) return { data: JSON.stringify(this.anyValue()) ?? 'undefined', binary: false, kind: 'non-object' };
    if (roll < 84) return { data: r.bytes(r.int(2048)), binary: true, kind: 'random-binary' };
    if (roll < 87) {
      return { data: Buffer.concat([Buffer.from(r.pick(['OTLP', 'MTRC', 'LOGS', 'OTL'])), r.bytes(r.int(256))]), binary: true, kind: 'telemetry-prefix' };
    }
    if (roll < 90) return { data: this.string(), binary: false, kind: 'random-text' };
    if (roll < 93) {
      const depth = 129 + r.int(this.maxDepth);
      return { data: '['.repeat(depth) + ']'.repeat(r.chance(0.8) ? depth : r.int(depth)), binary: false, kind: 'deep-array' };
    }
    if (roll < 96) {
      const depth = 129 + r.int(Math.ceil(this.maxDepth / 4));
      return {
        data: `{"type":"invokefunction","function_id":${JSON.stringify(r.pick(this.functionIds))},"invocation_id":"${randomUUIDFrom(r)}","data":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
        binary: false,
        kind: 'deep-call',
      };
    }
    if (roll < 98) return { data: JSON.stringify({ type: 'invokefunction', function_id: r.pick(this.functionIds), data: 'y'.repeat(this.maxBlob + r.int(this.maxBlob * 2)) }), binary: false, kind: 'huge-call' };
    return { data: r.pick(['', ' ', '\n\t', 'null', '{}', '[]', '""', '{"type":null}', '{"type":"invokefunction"}']), binary: r.chance(0.3), kind: 'edge' };
  }
}

/** `depth` nested arrays (or objects) around a number. */
function nest(depth: number, objects: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = objects ? { a: v } : [v];
  return v;
}

/** A v4-shaped UUID from the PRNG (so runs are reproducible). */
export function randomUUIDFrom(r: Prng): string {
  const b = r.bytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

