import { randomUUID } from 'node:crypto';
import type { EmbeddedEngine } from '../../../../lib/engine/EmbeddedEngine';
import type { EngineLogDetails } from '../../../../lib/engine/EngineLogger';
import type { EngineOptions } from '../../../../lib/engine/EngineOptions';
import { startEngine } from '../../../../lib/engine/startEngine';
import { RawClient, openWorker } from '../../support/RawClient';

/**
 * The engine under test. Without `III_CONFORMANCE_URL` every suite starts its own embedded engine (with a
 * recording logger, so the warnings can be checked); with it, the suites talk to that engine (for example a
 * real iii engine v0.22.1 started with `workers: []`) and only check the wire.
 */
export const EXTERNAL_URL = process.env.III_CONFORMANCE_URL?.replace(/\/$/, '') || undefined;

/**
 * Tests that remove a built-in until the engine restarts (PROTOCOL.md §10.4) run against an external engine
 * only with `III_CONFORMANCE_DESTRUCTIVE=1`; they always run against the embedded one.
 */
export const DESTRUCTIVE_ALLOWED = EXTERNAL_URL === undefined || process.env.III_CONFORMANCE_DESTRUCTIVE === '1';

/** One engine log entry. */
export interface LogLine {
  level: string;
  message: string;
  details?: EngineLogDetails;
}

/** A running engine to test, plus what it logged (embedded only). */
export interface ConformanceTarget {
  url: string;
  /** The embedded engine; undefined against an external one. */
  embedded?: EmbeddedEngine;
  logs: LogLine[];
  /** Sockets to terminate at the end of each test. */
  track(client: RawClient): RawClient;
  /** Terminates the tracked sockets. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the target: the external engine if configured, else an embedded one with `options`. */
export async function startTarget(options: EngineOptions = {}): Promise<ConformanceTarget> {
  const logs: LogLine[] = [];
  const clients: RawClient[] = [];
  const at = (level: string) => (message: string, details?: EngineLogDetails) => logs.push({ level, message, details });
  const embedded = EXTERNAL_URL
    ? undefined
    : await startEngine({ port: 0, ...options, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } });
  return {
    url: EXTERNAL_URL ?? (embedded as EmbeddedEngine).url,
    embedded,
    logs,
    track(client) {
      clients.push(client);
      return client;
    },
    async release() {
      await Promise.all(clients.splice(0).map((c) => c.close(true)));
    },
    async close() {
      await Promise.all(clients.splice(0).map((c) => c.close(true)));
      await embedded?.close();
    },
  };
}

/**
 * Expects one `real_engine_parity` warning whose details contain `match` (embedded engine only: an external
 * engine's log is not visible, there only the wire behaviour is checked).
 */
export function expectParityWarning(target: ConformanceTarget, match: Record<string, unknown>, since = 0): void {
  if (!target.embedded) return;
  const warnings = target.logs.slice(since).filter((l) => l.level === 'warn' && l.details?.event === 'real_engine_parity');
  expect(warnings.map((w) => w.details)).toContainEqual(expect.objectContaining(match));
  const hit = warnings.find((w) => Object.entries(match).every(([k, v]) => JSON.stringify(w.details?.[k]) === JSON.stringify(v)));
  expect(typeof hit?.details?.real).toBe('string');
}

/** A raw worker socket on the target, tracked for cleanup. */
export async function worker(target: ConformanceTarget): Promise<{ client: RawClient; workerId: string }> {
  const w = await openWorker(target.url);
  target.track(w.client);
  return w;
}

/** A raw worker that described itself (with a pid, so `engine::workers::list` shows it). */
export async function namedWorker(target: ConformanceTarget, name: string, extra: Record<string, unknown> = {}) {
  const w = await worker(target);
  await call(w.client, 'engine::workers::register', { runtime: 'node', name, pid: 4242, ...extra });
  return w;
}

/** Sends a synchronous call and resolves with its `invocationresult`. */
export async function call(
  client: RawClient,
  functionId: string,
  data: unknown,
  extra: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const id = randomUUID();
  await client.send({ type: 'invokefunction', invocation_id: id, function_id: functionId, data, ...extra });
  return client.next((f) => f.type === 'invocationresult' && f.invocation_id === id);
}

/** Frames of a type received so far. */
export function received(client: RawClient, type: string): Array<Record<string, any>> {
  return client.frames.filter((f) => f.type === type);
}

/** A unique id prefix per test run, so tests never see each other's (or a shared engine's) names. */
export function uniquePrefix(label: string): string {
  return `conf${randomUUID().slice(0, 8)}${label}`;
}

/** The channel socket URL of a ref. */
export function channelUrl(url: string, ref: { channel_id: string; access_key: string }, dir: 'read' | 'write'): string {
  return `${url}/ws/channels/${ref.channel_id}?key=${encodeURIComponent(ref.access_key)}&dir=${dir}`;
}

/** Creates a channel through `engine::channels::create` and opens both ends. */
export async function openChannel(target: ConformanceTarget, control: RawClient, bufferSize?: number) {
  const reply = await call(control, 'engine::channels::create', bufferSize === undefined ? {} : { buffer_size: bufferSize });
  const { writer, reader } = reply.result as Record<string, { channel_id: string; access_key: string }>;
  const r = target.track(await RawClient.open(channelUrl(target.url, reader, 'read')));
  const w = target.track(await RawClient.open(channelUrl(target.url, writer, 'write')));
  return { r, w, writerRef: writer, readerRef: reader };
}
