import type { FunctionRegistration } from './FunctionRegistry';

/**
 * Caps on what workers may register (embedded-only safety caps; the real engine has none). Every count
 * is per connection and engine-wide, so one connection cannot take the whole table.
 */
export interface RegistrationLimits {
  /** Longest function, trigger, trigger-type and binding id, in characters. */
  maxIdLength: number;
  /** Functions one connection may own. */
  maxFunctionsPerWorker: number;
  /** Functions in the engine. */
  maxFunctions: number;
  /** Bytes of registrations (id, description, schemas, metadata as JSON) one connection may own. */
  maxRegistrationBytesPerWorker: number;
  /** Bytes of registrations in the engine. */
  maxRegistrationBytes: number;
  /** Trigger bindings one connection may have registered. */
  maxTriggersPerWorker: number;
  /** Trigger bindings in the engine (including those of `engine::register_trigger`). */
  maxTriggers: number;
  /** Trigger types one connection may provide. */
  maxTriggerTypesPerWorker: number;
}

/** The defaults of {@link RegistrationLimits}. */
export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = {
  maxIdLength: 1024,
  maxFunctionsPerWorker: 10_000,
  maxFunctions: 50_000,
  maxRegistrationBytesPerWorker: 16 * 1024 * 1024,
  maxRegistrationBytes: 128 * 1024 * 1024,
  maxTriggersPerWorker: 1_000,
  maxTriggers: 10_000,
  maxTriggerTypesPerWorker: 1_000,
};

/** Longest untrusted string kept whole in a log line or an error message. */
export const PREVIEW_CHARS = 128;

/**
 * A short form of an untrusted string for logs and error messages: at most {@link PREVIEW_CHARS}
 * characters, then `…(+N chars)`.
 *
 * @example
 * ```ts
 * preview('x'.repeat(1000)); // 'xxx…x…(+872 chars)'
 * ```
 */
export function preview(value: string): string {
  return value.length <= PREVIEW_CHARS ? value : `${value.slice(0, PREVIEW_CHARS)}…(+${value.length - PREVIEW_CHARS} chars)`;
}

/**
 * Bytes a function registration holds: its id, description, schemas and metadata as JSON, plus a fixed
 * 256 bytes of bookkeeping, so many tiny registrations count too.
 *
 * @example
 * ```ts
 * registrationBytes({ id: 'math::add', description: 'Adds' }); // 256 + 9 + 4
 * ```
 */
export function registrationBytes(registration: FunctionRegistration): number {
  let bytes = 256 + registration.id.length + (registration.description?.length ?? 0);
  for (const value of [registration.request_format, registration.response_format, registration.metadata]) {
    if (value != null) bytes += JSON.stringify(value)?.length ?? 0;
  }
  return bytes;
}

/**
 * Why an id is refused, or undefined when it is within `maxIdLength`.
 *
 * @example
 * ```ts
 * idTooLong('function', 'x'.repeat(2000), 1024); // 'function id is 2000 characters long (maxIdLength 1024)'
 * ```
 */
export function idTooLong(what: string, id: string, max: number): string | undefined {
  return id.length > max ? `${what} id is ${id.length} characters long (maxIdLength ${max})` : undefined;
}
