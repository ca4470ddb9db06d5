/** Settings of the http trigger listener (`startEngine({ http: … })`). */
export interface HttpTriggerOptions {
  /** Port of the HTTP listener; `0` picks a free one. Default 3111. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** No response head within this time ⇒ 504. Default 30 000 ms. */
  timeoutMs?: number;
  /** Requests handled at once; more wait. Default 1024. */
  maxConcurrentRequests?: number;
  /** Larger request bodies get 413 and a warning (embedded-only cap). Default 64 MiB. */
  maxBodyBytes?: number;
}
