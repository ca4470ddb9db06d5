import type { BuiltinOutcome } from './builtins/BuiltinFunction';
import type { TraceFields } from './InvocationRouter';

/**
 * How an in-engine trigger module calls a function and learns the outcome (bound to
 * `InvocationRouter.call`): never rejects; a failure is `{ error }`.
 *
 * @example
 * ```ts
 * const call: EngineCaller = (id, data, extra) => core.router.call(id, data, extra);
 * const outcome = await call('report::daily', { trigger: 'cron' }, { traceparent: mintTraceparent() });
 * ```
 */
export type EngineCaller = (functionId: string, data: unknown, extra?: TraceFields) => Promise<BuiltinOutcome>;
