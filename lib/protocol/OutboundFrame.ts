import type { ErrorBody } from './ErrorBody';

declare const outboundBrand: unique symbol;

/**
 * A frame a worker may put on its engine socket, made only by the constructors in this file, so that
 * `Connection.send` accepts nothing else (a brand: no runtime cost). Shapes as PROTOCOL.md §2.2.
 *
 * @example
 * ```ts
 * connection.send(invokeFunctionFrame({ function_id: 'math::add', data: { a: 1, b: 2 }, invocation_id: id }));
 * ```
 */
export type OutboundFrame<T extends { type: string } = { type: string }> = T & { readonly [outboundBrand]: true };

function brand<T extends { type: string }>(frame: T): OutboundFrame<T> {
  return frame as OutboundFrame<T>;
}

/** Drops keys whose value is `undefined` (they would vanish in JSON anyway; this keeps frames exact). */
function defined<T extends object>(frame: T): T {
  for (const key of Object.keys(frame) as (keyof T)[]) if (frame[key] === undefined) delete frame[key];
  return frame;
}

/** What a call carries besides its function and data. */
export interface InvokeOptions {
  invocation_id?: string;
  action?: { type: 'void' } | { type: 'enqueue'; queue: string };
  metadata?: unknown;
  traceparent?: string;
  baggage?: string;
}

/**
 * `invokefunction`: a call. `data` is always present (`null` for none: a real engine drops a call without it).
 *
 * @example
 * ```ts
 * invokeFunctionFrame({ function_id: 'audit::log', data: { x: 1 }, action: { type: 'void' } });
 * ```
 */
export function invokeFunctionFrame(init: { function_id: string; data: unknown } & InvokeOptions) {
  // built key by key (no `delete`): this is the hot path of every call
  const frame: { type: 'invokefunction'; function_id: string; data: unknown } & InvokeOptions = {
    type: 'invokefunction',
    function_id: init.function_id,
    data: init.data === undefined ? null : init.data,
  };
  if (init.invocation_id !== undefined) frame.invocation_id = init.invocation_id;
  if (init.action !== undefined) frame.action = init.action;
  if (init.metadata !== undefined) frame.metadata = init.metadata;
  if (init.traceparent !== undefined) frame.traceparent = init.traceparent;
  if (init.baggage !== undefined) frame.baggage = init.baggage;
  return brand(frame);
}

/**
 * `invocationresult`: the answer to a call, a `result` or an `error` (never both).
 *
 * @example
 * ```ts
 * invocationResultFrame({ invocation_id: id, function_id: 'math::add', result: 3 });
 * ```
 */
export function invocationResultFrame(init: {
  invocation_id: string;
  function_id: string;
  result?: unknown;
  error?: ErrorBody;
  traceparent?: string;
  baggage?: string;
}) {
  const frame: {
    type: 'invocationresult';
    invocation_id: string;
    function_id: string;
    result?: unknown;
    error?: ErrorBody;
    traceparent?: string;
    baggage?: string;
  } = { type: 'invocationresult', invocation_id: init.invocation_id, function_id: init.function_id };
  if (init.error) frame.error = init.error;
  else if (init.result !== undefined) frame.result = init.result;
  if (init.traceparent) frame.traceparent = init.traceparent;
  if (init.baggage) frame.baggage = init.baggage;
  return brand(frame);
}

/**
 * `registerfunction`.
 *
 * @example
 * ```ts
 * registerFunctionFrame({ id: 'math::add', description: 'adds' });
 * ```
 */
export function registerFunctionFrame(init: {
  id: string;
  description?: string;
  request_format?: unknown;
  response_format?: unknown;
  metadata?: unknown;
}) {
  return brand(defined({ type: 'registerfunction' as const, ...init }));
}

/**
 * `unregisterfunction`.
 *
 * @example
 * ```ts
 * unregisterFunctionFrame('math::add');
 * ```
 */
export function unregisterFunctionFrame(id: string) {
  return brand({ type: 'unregisterfunction' as const, id });
}

/**
 * `registertriggertype` (`description` always present: a real engine drops the frame without it).
 *
 * @example
 * ```ts
 * registerTriggerTypeFrame({ id: 'cron', description: 'on a schedule' });
 * ```
 */
export function registerTriggerTypeFrame(init: {
  id: string;
  description?: string;
  trigger_request_format?: unknown;
  call_request_format?: unknown;
}) {
  return brand(defined({ type: 'registertriggertype' as const, ...init, description: init.description ?? '' }));
}

/**
 * `unregistertriggertype`.
 *
 * @example
 * ```ts
 * unregisterTriggerTypeFrame('cron', 'on a schedule');
 * ```
 */
export function unregisterTriggerTypeFrame(id: string, description = '') {
  return brand({ type: 'unregistertriggertype' as const, id, description });
}

/**
 * `registertrigger` (`config` always present, `null` for none).
 *
 * @example
 * ```ts
 * registerTriggerFrame({ id, trigger_type: 'cron', function_id: 'report::daily', config: { at: '06:00' } });
 * ```
 */
export function registerTriggerFrame(init: {
  id: string;
  trigger_type: string;
  function_id: string;
  config?: unknown;
  metadata?: unknown;
}) {
  return brand(
    defined({
      type: 'registertrigger' as const,
      id: init.id,
      trigger_type: init.trigger_type,
      function_id: init.function_id,
      config: init.config === undefined ? null : init.config,
      metadata: init.metadata,
    }),
  );
}

/**
 * `unregistertrigger`.
 *
 * @example
 * ```ts
 * unregisterTriggerFrame(id, 'cron');
 * ```
 */
export function unregisterTriggerFrame(id: string, triggerType: string) {
  return brand({ type: 'unregistertrigger' as const, id, trigger_type: triggerType });
}

/**
 * `triggerregistrationresult`: a trigger type provider's answer to a binding.
 *
 * @example
 * ```ts
 * triggerRegistrationResultFrame({ id, trigger_type: 'cron', function_id: 'f' });
 * ```
 */
export function triggerRegistrationResultFrame(init: {
  id: string;
  trigger_type: string;
  function_id: string;
  error?: ErrorBody;
}) {
  return brand(defined({ type: 'triggerregistrationresult' as const, ...init }));
}

/**
 * `reattach`: sent first on a reconnect, naming the previous worker id.
 *
 * @example
 * ```ts
 * reattachFrame(previousId, token);
 * ```
 */
export function reattachFrame(previousWorkerId: string, reattachToken?: string) {
  return brand(defined({ type: 'reattach' as const, previous_worker_id: previousWorkerId, reattach_token: reattachToken }));
}

/**
 * `ping` as a JSON frame (for sockets that cannot send WebSocket pings, e.g. browsers).
 *
 * @example
 * ```ts
 * pingFrame(); // { type: 'ping' }
 * ```
 */
export function pingFrame() {
  return brand({ type: 'ping' as const });
}
