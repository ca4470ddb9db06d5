import { EmbeddedEngine } from './EmbeddedEngine';
import type { EngineOptions } from './EngineOptions';

/**
 * Starts an iii-compatible engine in this process (PROTOCOL.md). Defaults: `127.0.0.1:49134`, silent
 * logger, the real engine's limits. Resolves once the port is bound; reject if it cannot bind.
 *
 * @example
 * ```ts
 * import { startEngine } from 'iii-rx';
 * import { registerWorker } from 'iii-sdk';
 *
 * const engine = await startEngine({ port: 0, logger: { info: (m, d) => console.log(m, d) } });
 * const iii = registerWorker(engine.url, { otel: { enabled: false } });
 * // ...
 * await iii.shutdown();
 * await engine.close();
 * ```
 */
export function startEngine(options: EngineOptions = {}): Promise<EmbeddedEngine> {
  return EmbeddedEngine.start(options);
}
