/**
 * Id of the built-in trigger type fired when workers connect and disconnect. Its own module, so that the public
 * types of `iii-rx/engine` do not reach the engine's internals (which name `ws` and `Buffer` types).
 *
 * @example
 * ```ts
 * worker.registerTrigger({ type: WORKERS_AVAILABLE_TRIGGER, functionId: 'ops::onWorkers', config: {} });
 * ```
 */
export const WORKERS_AVAILABLE_TRIGGER = 'engine::workers-available';
