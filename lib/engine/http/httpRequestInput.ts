import type { IncomingMessage } from 'node:http';

/** The part of an http function's input that describes the request (PROTOCOL.md §11.1), channel refs aside. */
export interface HttpRequestInput {
  method: string;
  /** The registered `api_path` (no leading `/`), not the URL. */
  path: string;
  /** `:name` segments, raw (still percent-encoded). */
  path_params: Record<string, string>;
  /** Decoded (`+` is a space), last repeated key wins. */
  query_params: Record<string, string>;
  /** Lower-case names, last value wins. */
  headers: Record<string, string>;
  /** Parsed JSON when the content type says JSON (invalid or empty ⇒ null), else null. */
  body: unknown;
  trigger: { type: 'http'; path: string; method: string };
}

/**
 * Builds the request part of an http function's input from a Node request, its raw body and the
 * matched route.
 *
 * @example
 * ```ts
 * httpRequestInput(req, Buffer.from('{"k":1}'), 'orders/:id', { id: '7' });
 * // { method: 'POST', path: 'orders/:id', path_params: { id: '7' }, query_params: {}, headers: {...}, body: { k: 1 }, trigger: {...} }
 * ```
 */
export function httpRequestInput(
  req: IncomingMessage,
  rawBody: Buffer,
  routePath: string,
  pathParams: Record<string, string>,
): HttpRequestInput {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const query_params: Record<string, string> = {};
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(url.slice(q + 1))) query_params[key] = value;
  }
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i].toLowerCase()] = req.rawHeaders[i + 1];
  let body: unknown = null;
  if ((headers['content-type'] ?? '').toLowerCase().includes('application/json') && rawBody.length > 0) {
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      body = null;
    }
  }
  return {
    method,
    path: routePath,
    path_params: pathParams,
    query_params,
    headers,
    body,
    trigger: { type: 'http', path: routePath, method },
  };
}
