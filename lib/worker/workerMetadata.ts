import * as os from 'node:os';
import { VERSION } from '../version';

/** Details a worker tells the engine about itself through `engine::workers::register`. */
export interface WorkerMetadataOptions {
  workerName?: string;
  workerDescription?: string;
  /** Overrides for `telemetry.language` and `telemetry.project_name`. */
  telemetry?: { language?: string; project_name?: string };
}


/**
 * The payload of the void metadata call sent after every (re)open (PROTOCOL.md §3 step 6), with
 * `telemetry.framework: "iii-rx"`.
 *
 * @example
 * ```ts
 * workerMetadata({ workerName: 'thumbs' }); // { runtime: 'node', name: 'thumbs', pid: 4242, ... }
 * ```
 */
export function workerMetadata(options: WorkerMetadataOptions = {}): Record<string, unknown> {
  const env = typeof process !== 'undefined' ? process.env : {};
  const pid = typeof process !== 'undefined' ? process.pid : 0;
  const name = options.workerName ?? (env.III_WORKER_NAME || `${os.hostname()}:${pid}`);
  let language: string | undefined = options.telemetry?.language;
  if (!language) {
    try {
      language = Intl.DateTimeFormat().resolvedOptions().locale;
    } catch {
      language = env.LANG?.split('.')[0];
    }
  }
  const payload: Record<string, unknown> = {
    runtime: 'node',
    version: VERSION,
    name,
    os: `${os.platform()} ${os.release()} (${os.arch()})`,
    pid,
    isolation: env.III_ISOLATION || null,
    telemetry: {
      language,
      project_name: options.telemetry?.project_name ?? env.npm_package_name ?? 'unknown',
      framework: 'iii-rx',
    },
  };
  if (options.workerDescription !== undefined) payload.description = options.workerDescription;
  return payload;
}
