import { PROTOCOL } from '../protocol/constants';
import { Worker, WorkerOptions } from './Worker';

/**
 * Connects an iii worker to an engine and returns it at once (the connection opens in the background and
 * reconnects with backoff). `url` defaults to env `III_URL`, then `ws://127.0.0.1:49134`.
 *
 * @example
 * ```ts
 * const worker = connectWorker('ws://127.0.0.1:49134', { workerName: 'thumbnails' });
 * worker.registerFunction('media::thumbnail', async (input) => makeThumbnail(input));
 * const sum = await firstValueFrom(worker.trigger<number>('math::add', { a: 1, b: 2 }));
 * await worker.close();
 * ```
 */
export function connectWorker(url?: string, options?: WorkerOptions): Worker {
  const address = url ?? ((typeof process !== 'undefined' && process.env.III_URL) || undefined) ?? `ws://127.0.0.1:${PROTOCOL.workerPort}`;
  return new Worker(address, options);
}
