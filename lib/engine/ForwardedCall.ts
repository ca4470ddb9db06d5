/** A call the router forwarded to a worker, as {@link EmbeddedEngine.observeCalls} reports it. */
export interface ForwardedCall {
  functionId: string;
  invocationId: string;
  data: unknown;
  metadata?: unknown;
}

/** Receives forwarded calls; must not throw. */
export type ForwardedCallListener = (call: ForwardedCall) => void;
