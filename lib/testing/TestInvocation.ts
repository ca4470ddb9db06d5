/** A call the test engine forwarded to a worker, as {@link TestEngine.nextInvocation} reports it. */
export interface TestInvocation {
  functionId: string;
  invocationId: string;
  /** The data exactly as the engine sent it (channel refs are plain refs here). */
  input: unknown;
  /** The call's metadata sidecar, if any. */
  metadata?: unknown;
}
