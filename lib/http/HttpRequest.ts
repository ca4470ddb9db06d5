import type { ChannelReader } from '../channel/ChannelReader';
import type { ChannelWriter } from '../channel/ChannelWriter';

/**
 * The input of a function bound to an `http` trigger (PROTOCOL.md §11.1), as an iii-rx worker with the
 * default payload codec receives it: the two channel refs arrive as live ends. `request_body` reads the
 * raw request body (binary frames); `response` streams the reply (see `writeHttpResponse`).
 *
 * @example
 * ```ts
 * worker.registerFunction('orders::get', (req: HttpRequest) => ({ status_code: 200, body: { id: req.path_params.id } }));
 * ```
 */
export interface HttpRequest<TBody = unknown> {
  /** Upper-case method. */
  method: string;
  /** The registered `api_path` (no leading `/`), not the URL. */
  path: string;
  /** `:name` segments of the path, still percent-encoded. */
  path_params: Record<string, string>;
  /** Decoded query parameters; the last of a repeated key wins. */
  query_params: Record<string, string>;
  /** Lower-case header names; the last of a repeated header wins. */
  headers: Record<string, string>;
  /** The parsed JSON body when the request said `application/json` (invalid or empty ⇒ null), else null. */
  body: TBody | null;
  trigger: { type: 'http'; path: string; method: string };
  /** The raw request body, as binary channel items. */
  request_body: ChannelReader;
  /** Where a streamed reply goes. */
  response: ChannelWriter;
}
