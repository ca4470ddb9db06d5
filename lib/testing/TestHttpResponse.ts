/** What {@link TestEngine.request} resolves with. */
export interface TestHttpResponse {
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body. */
  body: Uint8Array;
  /** The body as UTF-8 text. */
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

/** Options of {@link TestEngine.request}. */
export interface TestHttpRequestOptions {
  /** Header lines; a name may repeat. */
  headers?: Record<string, string> | Array<[string, string]>;
  /** A string or bytes are sent as they are; anything else as JSON (with `content-type: application/json`). */
  body?: unknown;
}
