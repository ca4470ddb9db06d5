import { Observable, filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { Worker } from '../../lib/worker/Worker';

/** Resolves once the worker's socket is open. */
export function whenOpen(worker: Worker): Promise<unknown> {
  return firstValueFrom(worker.state$.pipe(filter((s) => s === 'open')));
}

/**
 * Resolves once the engine has processed everything this worker sent so far: the engine handles one
 * connection's frames in order, so the answer to a call of an unknown function comes after them.
 */
export async function syncWithEngine(worker: Worker): Promise<void> {
  await whenOpen(worker);
  await lastValueFrom(worker.trigger('iii-rx::spec::sync-probe', null, { timeoutMs: 5000 })).catch((err) => {
    if (err?.code !== 'function_not_found') throw err;
  });
}

/** The error an Observable ends with (fails the test when it does not error). */
export function errorOf(source: Observable<unknown>): Promise<unknown> {
  return lastValueFrom(source, { defaultValue: undefined }).then(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err,
  );
}
