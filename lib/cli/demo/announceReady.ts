import { filter, firstValueFrom, map, race, take } from 'rxjs';
import type { Worker } from '../../worker/Worker';
import type { childRuntime } from './childRuntime';
import { DEMO_FUNCTIONS } from './registerDemoFunctions';

/**
 * Tells the orchestrator when a demo worker process can work: `{type:'ready'}` once a `demo::square` call
 * came back through the engine (for the consumer this also proves its own registrations are in, as the
 * engine handles one connection's frames in order), or `{type:'failed', message}` if the call fails or the
 * first connection attempt fails (wrong URL, engine down) instead of retrying forever.
 *
 * @example
 * ```ts
 * announceReady(worker, runtime, 'consumer');
 * ```
 */
export function announceReady(worker: Worker, runtime: ReturnType<typeof childRuntime>, role: string): void {
  const called = worker.trigger<number>(DEMO_FUNCTIONS.square, { x: 3 }).pipe(
    map((nine) => (nine === 9 ? { type: 'ready' } : { type: 'failed', message: `demo::square(3) answered ${nine}` })),
  );
  const refused = worker.state$.pipe(
    filter((state) => state === 'reconnecting'),
    take(1),
    map(() => ({ type: 'failed', message: `the ${role} cannot connect to the engine at ${worker.url}` })),
  );
  firstValueFrom(race(called, refused)).then(
    (message) => runtime.send(message),
    (err: Error) => runtime.send({ type: 'failed', message: `the ${role} cannot call demo::square: ${err.message}` }),
  );
}
