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
  const host = hostRuntime();
  const env = host.env;
  const pid = host.pid;
  const name = options.workerName ?? (env.III_WORKER_NAME || `${host.hostname}:${pid}`);
  let language: string | undefined = options.telemetry?.language;
  if (!language) {
    try {
      language = Intl.DateTimeFormat().resolvedOptions().locale;
    } catch {
      language = env.LANG?.split('.')[0];
    }
  }
  const payload: Record<string, unknown> = {
    runtime: host.runtime,
    version: VERSION,
    name,
    os: host.os,
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

/** Minimal views of the globals `hostRuntime` reads; declared here so the client needs neither @types/node nor DOM. */
interface NodeProcessLike {
  pid?: number;
  platform?: string;
  arch?: string;
  env?: Record<string, string | undefined>;
  versions?: { node?: string };
  /** Node ≥ 20.16: a builtin module without an import (keeps this file platform-neutral). */
  getBuiltinModule?: (id: string) => unknown;
}
interface NodeOsLike {
  hostname(): string;
  platform(): string;
  release(): string;
  arch(): string;
}
interface RuntimeGlobals {
  process?: NodeProcessLike;
  navigator?: { userAgent?: string };
  location?: { hostname?: string };
  Deno?: unknown;
  Bun?: unknown;
}

/**
 * Where this worker runs, without importing anything platform-specific: `'node'` (also Bun/Deno, which
 * emulate `process`), or `'browser'` for pages and web workers.
 */
function hostRuntime(): { runtime: string; os: string; hostname: string; pid: number; env: Record<string, string | undefined> } {
  const g = globalThis as unknown as RuntimeGlobals;
  const proc = g.process;
  if (proc?.versions?.node) {
    const runtime = g.Bun ? 'bun' : g.Deno ? 'deno' : 'node';
    const os = proc.getBuiltinModule?.('os') as NodeOsLike | undefined;
    const env = proc.env ?? {};
    return {
      runtime,
      os: os ? `${os.platform()} ${os.release()} (${os.arch()})` : `${proc.platform ?? 'unknown'} (${proc.arch ?? 'unknown'})`,
      hostname: os?.hostname() ?? (env.HOSTNAME || 'localhost'),
      pid: proc.pid ?? 0,
      env,
    };
  }
  const ua = g.navigator?.userAgent || 'unknown';
  return { runtime: 'browser', os: ua, hostname: g.location?.hostname || 'browser', pid: 0, env: {} };
}
