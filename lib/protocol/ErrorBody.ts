import * as t from 'io-ts';

/** io-ts codec of the wire error object `{code, message, stacktrace?}`. */
export const ErrorBodyCodec = t.intersection(
  [t.type({ code: t.string, message: t.string }), t.partial({ stacktrace: t.string })],
  'ErrorBody',
);

/** The error object carried by `invocationresult.error` and `error` frames. */
export interface ErrorBody {
  code: string;
  message: string;
  stacktrace?: string;
}

/**
 * Turns whatever a peer put in an `error` field into an ErrorBody the way the official SDK reads it:
 * a proper body is kept (a `stacktrace` that is not a string is dropped), anything else becomes code
 * `UNKNOWN` with the value as JSON in the message.
 *
 * @example
 * ```ts
 * toErrorBody({ code: 'boom', message: 'x' }); // { code: 'boom', message: 'x' }
 * toErrorBody('nope'); // { code: 'UNKNOWN', message: '"nope"' }
 * ```
 */
export function toErrorBody(value: unknown): ErrorBody {
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.code === 'string' && typeof v.message === 'string') {
      return typeof v.stacktrace === 'string'
        ? { code: v.code, message: v.message, stacktrace: v.stacktrace }
        : { code: v.code, message: v.message };
    }
  }
  let message: string;
  try {
    message = JSON.stringify(value) ?? String(value);
  } catch {
    message = String(value);
  }
  return { code: 'UNKNOWN', message };
}
