const isOptString = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/**
 * Checks the two frames that carry every call (`invocationresult`, `invokefunction`) by hand, accepting
 * exactly what their io-ts codecs in `Frame.ts` accept; `false` means "not sure", and the frame then goes
 * through the full codec, which also produces the error naming the bad path. The worker and the engine
 * decode every call through it, so a busy connection does not pay for the generic codec on each frame.
 *
 * @example
 * ```ts
 * isHotFrame({ type: 'invocationresult', invocation_id: '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa', result: 3 }); // true
 * isHotFrame({ type: 'invocationresult' }); // false: the codec reports the missing invocation_id
 * ```
 */
export function isHotFrame(v: Record<string, unknown>): boolean {
  if (v.type === 'invocationresult') {
    return (
      typeof v.invocation_id === 'string' &&
      isOptString(v.function_id) &&
      isOptString(v.traceparent) &&
      isOptString(v.baggage)
    );
  }
  if (v.type === 'invokefunction') {
    const action = v.action as Record<string, unknown> | null | undefined;
    return (
      typeof v.function_id === 'string' &&
      isOptString(v.invocation_id) &&
      isOptString(v.traceparent) &&
      isOptString(v.baggage) &&
      (action === undefined ||
        action === null ||
        (typeof action === 'object' &&
          (action.type === 'void' || (action.type === 'enqueue' && isOptString(action.queue)))))
    );
  }
  return false;
}
