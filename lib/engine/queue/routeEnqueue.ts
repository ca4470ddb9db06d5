import { randomUUID } from 'node:crypto';
import type { ErrorBody } from '../../protocol/ErrorBody';
import type { BuiltinOutcome } from '../builtins/BuiltinFunction';
import type { TraceFields } from '../InvocationRouter';
import { calleeBaggage } from '../traceContext';

/** The function id a queue provider registers (PROTOCOL.md §11.3). */
export const QUEUE_ENQUEUE_FUNCTION = 'engine::queue::enqueue';

/** What {@link routeEnqueue} needs from the router. */
export interface EnqueueRoute {
  /** True when a built-in or a worker serves the function id. */
  exists(functionId: string): boolean;
  call(functionId: string, data: unknown, extra?: TraceFields): Promise<BuiltinOutcome>;
}

/** An `invokefunction` with `action: {type: "enqueue", queue}`, as the router sees it. */
export interface EnqueueRequest {
  queue: string;
  functionId: string;
  /** The caller's data, without `_caller_worker_id`. */
  data: unknown;
  traceparent?: string | null;
  baggage?: string | null;
}

/**
 * Serves the `enqueue` action (PROTOCOL.md §11.3): hands the message to whatever serves
 * `engine::queue::enqueue` (the built-in queue of `--queue`, or a worker that registered that id) with
 * `{queue, function_id, data, messageReceiptId, traceparent, baggage}`; the caller gets
 * `{messageReceiptId}`, or `enqueue_error` `<code>: <message>`. Without a provider the caller gets
 * upstream's `enqueue_error` at once.
 *
 * @example
 * ```ts
 * routeEnqueue(router, { queue: 'emails', functionId: 'mail::send', data: { to } }, (body) => reply(body));
 * ```
 */
export function routeEnqueue(
  route: EnqueueRoute,
  request: EnqueueRequest,
  reply: (body: { result?: unknown; error?: ErrorBody }) => void,
): void {
  if (!route.exists(QUEUE_ENQUEUE_FUNCTION)) {
    reply({
      error: {
        code: 'enqueue_error',
        message:
          'No queue provider is installed. Start the engine with --queue (startEngine({ queue: true })) or connect ' +
          `a worker that registers ${QUEUE_ENQUEUE_FUNCTION}. (underlying: Function ${QUEUE_ENQUEUE_FUNCTION} not found)`,
      },
    });
    return;
  }
  const messageReceiptId = randomUUID();
  const baggage = calleeBaggage(request.baggage ?? undefined, request.functionId);
  const input = {
    queue: request.queue,
    function_id: request.functionId,
    data: request.data,
    messageReceiptId,
    traceparent: request.traceparent ?? null,
    baggage,
  };
  void route.call(QUEUE_ENQUEUE_FUNCTION, input).then((outcome) => {
    if ('error' in outcome) reply({ error: { code: 'enqueue_error', message: `${outcome.error.code}: ${outcome.error.message}` } });
    else reply({ result: { messageReceiptId } });
  });
}
