import type { ErrorBody } from '../../protocol/ErrorBody';

/** A built-in's answer: a result (which may be `null`) or a wire error. */
export type BuiltinOutcome = { result: unknown } | { error: ErrorBody };
