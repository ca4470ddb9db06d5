import type { WorkerDirectory } from '../WorkerDirectory';
import { BuiltinFunction, deserializationError } from './BuiltinFunction';
import { readBuiltinInput } from './readBuiltinInput';

const ID = 'engine::workers::register';
/** Longest `name` / `description` kept (characters). */
export const WORKER_TEXT_MAX = 280;

// control characters (Cc) and the bidirectional formatting characters
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * A worker's `name` or `description` as upstream keeps it: without control and bidi characters, cut to 280
 * characters, trimmed; undefined when nothing is left.
 *
 * @example
 * ```ts
 * cleanWorkerText('  box\u202e:42 '); // 'box:42'
 * ```
 */
export function cleanWorkerText(text: string): string | undefined {
  const cut = [...text.replace(UNSAFE, '')].slice(0, WORKER_TEXT_MAX).join('').trim();
  return cut === '' ? undefined : cut;
}

/**
 * `engine::workers::register`: merges a worker's self-description into its connection (PROTOCOL.md §10.5) —
 * `runtime` (absent ⇒ `"unknown"`), `version` and `telemetry` replaced on every call; `name`, `description`,
 * `os`, `pid`, `isolation` only when present and non-null — answers `{"success": true}` and then calls
 * `onUpdated` (the engine fires `engine::workers-available` `worker_metadata_updated`). The connection is the
 * one named by the injected `_caller_worker_id`.
 *
 * @example
 * ```ts
 * workersRegister(directory, fire).invoke({ name: 'box:1', pid: 1, _caller_worker_id: id }, {}); // { result: { success: true } }
 * ```
 */
export function workersRegister(directory: WorkerDirectory, onUpdated: (workerId: string) => void = () => undefined): BuiltinFunction {
  return {
    id: ID,
    description: 'Describe the calling worker (runtime, version, name, os, pid)',
    invoke(data) {
      const read = readBuiltinInput(ID, 'RegisterWorkerInput', [
        { name: '_caller_worker_id', kind: 'string', required: true },
        { name: 'runtime', kind: 'string' },
        { name: 'version', kind: 'string' },
        { name: 'name', kind: 'string' },
        { name: 'description', kind: 'string' },
        { name: 'os', kind: 'string' },
        { name: 'pid', kind: 'u32' },
        { name: 'isolation', kind: 'string' },
        { name: 'telemetry', kind: 'object' },
      ], data);
      if ('error' in read) return read;
      const input = read.input;
      if (input.telemetry !== undefined) {
        const telemetry = input.telemetry as Record<string, unknown>;
        for (const key of ['language', 'project_name', 'framework']) {
          const v = telemetry[key];
          if (v !== undefined && v !== null && typeof v !== 'string') {
            return deserializationError(ID, `telemetry.${key}: invalid type, expected a string`);
          }
        }
      }
      const workerId = input._caller_worker_id as string;
      const entry = directory.get(workerId);
      if (!entry) return { error: { code: 'worker_not_found', message: `Worker ${workerId} not found` } };
      const merged: Record<string, unknown> = { ...(entry.metadata ?? {}) };
      merged.runtime = input.runtime ?? 'unknown';
      merged.version = input.version ?? null;
      merged.telemetry = input.telemetry ?? null;
      for (const key of ['name', 'description'] as const) {
        if (typeof input[key] === 'string') {
          const clean = cleanWorkerText(input[key] as string);
          if (clean !== undefined) merged[key] = clean;
        }
      }
      for (const key of ['os', 'pid', 'isolation'] as const) if (input[key] !== undefined) merged[key] = input[key];
      directory.setMetadata(workerId, merged);
      queueMicrotask(() => onUpdated(workerId));
      return { result: { success: true } };
    },
  };
}
