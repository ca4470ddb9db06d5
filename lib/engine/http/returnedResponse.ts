/** A response ready to write: status, headers and the body bytes. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Turns what an http function returned into the HTTP reply (PROTOCOL.md §11.1, reply mode 1):
 * `{status_code?, headers?, body?}` — status default 200, `headers` an object or an array of
 * `"Name: value"`, `body` default `{}`; a non-object return ⇒ 200 `{}`. Without a content-type header the
 * body goes as JSON (`application/json`); with one, a string is sent raw, `null` as nothing, anything
 * else as JSON text. An invalid `status_code` gives undefined (the caller answers 500).
 *
 * @example
 * ```ts
 * returnedResponse({ status_code: 201, body: { id: 7 } });
 * // { status: 201, headers: { 'content-type': 'application/json' }, body: <Buffer '{"id":7}'> }
 * returnedResponse({ headers: ['Content-Type: text/plain'], body: 'hi' }); // 200, raw 'hi'
 * ```
 */
export function returnedResponse(value: unknown): HttpReply | undefined {
  const object = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const code = object.status_code ?? 200;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 599) return undefined;
  const headers = responseHeaders(object.headers);
  const body = object.body === undefined ? {} : object.body;
  const typeKey = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
  let bytes: Buffer;
  if (typeKey === undefined) {
    headers['content-type'] = 'application/json';
    bytes = Buffer.from(JSON.stringify(body) ?? 'null', 'utf8');
  } else if (typeof body === 'string') {
    bytes = Buffer.from(body, 'utf8');
  } else if (body === null) {
    bytes = Buffer.alloc(0);
  } else {
    bytes = Buffer.from(JSON.stringify(body) ?? 'null', 'utf8');
  }
  return { status: code, headers, body: bytes };
}

/** `headers` as an object of strings, from an object or an array of `"Name: value"` lines (others ignored). */
export function responseHeaders(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const line of value) {
      if (typeof line !== 'string') continue;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      out[name] = typeof v === 'string' ? v : String(v);
    }
  }
  return out;
}
