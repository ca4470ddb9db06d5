/**
 * What an http function may return to answer at once (PROTOCOL.md §11.1, reply mode 1): status default
 * 200; `headers` an object or `"Name: value"` lines; `body` default `{}`. Without a content-type header the
 * body is sent as JSON; with one, a string goes raw and `null` as an empty body. Returning `null` or nothing
 * instead hands the reply to the response channel.
 *
 * @example
 * ```ts
 * const created: HttpResponse = { status_code: 201, headers: { location: '/orders/7' }, body: { id: 7 } };
 * ```
 */
export interface HttpResponse<TBody = unknown> {
  status_code?: number;
  headers?: Record<string, string> | string[];
  body?: TBody;
}
