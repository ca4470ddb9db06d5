import { firstValueFrom, timer, map, Observable, from } from 'rxjs';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import { Worker, WorkerOptions } from '../../lib/worker/Worker';
import { InvocationError } from '../../lib/errors/InvocationError';
import { whenOpen, syncWithEngine } from './workerTestKit';

/** Starts an engine on a given port, retrying briefly while the old listener releases it. */
async function startOn(port: number): Promise<EmbeddedEngine> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startEngine({ port });
    } catch (err) {
      if (attempt >= 50 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const fastReconnect: WorkerOptions = { reconnect: { initialDelayMs: 20, maxDelayMs: 100 } };

function nextState(worker: Worker, state: string): Promise<unknown> {
  return new Promise((resolve) => {
    const sub = worker.state$.subscribe((s) => {
      if (s === state) {
        queueMicrotask(() => sub.unsubscribe());
        resolve(s);
      }
    });
  });
}

describe('Worker across an engine restart on the same port', () => {
  let engine: EmbeddedEngine;
  const workers: Worker[] = [];

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await engine?.close();
  });

  it('sends calls made while reconnecting after the replay of its registrations', async () => {
    engine = await startEngine({ port: 0 });
    const worker = connectWorker(engine.url, fastReconnect);
    workers.push(worker);
    worker.registerFunction('self::echo', (x: unknown) => x);
    await syncWithEngine(worker);
    const firstId = worker.workerId;
    const port = engine.port;
    const reconnecting = nextState(worker, 'reconnecting');
    await engine.close();
    await reconnecting;
    // queued while down: must reach the engine after the replayed registerfunction
    const queued = firstValueFrom(worker.trigger('self::echo', { n: 1 }, { timeoutMs: 10_000 }));
    engine = await startOn(port);
    expect(await queued).toEqual({ n: 1, _caller_worker_id: worker.workerId });
    expect(worker.workerId).toBeDefined();
    expect(worker.workerId).not.toBe(firstId);
  });

  it('every call in flight ends with a result or a clear error; later calls succeed', async () => {
    engine = await startEngine({ port: 0 });
    const port = engine.port;
    const callee = connectWorker(engine.url, fastReconnect);
    const caller = connectWorker(engine.url, fastReconnect);
    workers.push(callee, caller);
    callee.registerFunction('slow::echo', (x: number): Observable<number> => timer(20).pipe(map(() => x)));
    await syncWithEngine(callee);
    await whenOpen(caller);
    const timeoutMs = 5_000;
    const outcomes = Array.from({ length: 20 }, (_, i) =>
      firstValueFrom(caller.trigger<number>('slow::echo', i, { timeoutMs })).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    const down = Promise.all([nextState(caller, 'reconnecting'), nextState(callee, 'reconnecting')]);
    await engine.close();
    await down;
    // more calls while both are reconnecting
    for (let i = 20; i < 25; i++) {
      outcomes.push(
        firstValueFrom(caller.trigger<number>('slow::echo', i, { timeoutMs })).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
    }
    engine = await startOn(port);
    const settled = await Promise.all(outcomes);
    settled.forEach((outcome, i) => {
      if (outcome.ok) {
        expect(outcome.value).toBe(i);
      } else {
        expect(outcome.error).toBeInstanceOf(InvocationError);
        // lost with the old socket, stopped by the engine, or (queued call racing the callee's replay) not found yet
        expect(['CONNECTION_LOST', 'invocation_stopped', 'function_not_found', 'TIMEOUT']).toContain(
          (outcome.error as InvocationError).code,
        );
      }
    });
    expect(caller.pendingCalls).toBe(0);
    // the callee re-registered on the new engine: later calls succeed
    await Promise.all([whenOpen(caller), syncWithEngine(callee)]);
    const later = await Promise.all(
      [100, 101, 102].map((n) => firstValueFrom(caller.trigger<number>('slow::echo', n, { timeoutMs }))),
    );
    expect(later).toEqual([100, 101, 102]);
  });
});
