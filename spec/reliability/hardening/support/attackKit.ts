import { randomUUID } from 'node:crypto';
import type { EngineOptions } from '../../../../lib/engine/EngineOptions';
import type { EngineStats } from '../../../../lib/engine/EngineStats';
import { RawClient, openWorker } from '../../../engine/support/RawClient';
import { Child, ChildKit } from '../../support/childProcess';

/** Memory of the engine child, in bytes. */
export interface EngineMemory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Peak RSS of the child so far. */
  maxRss: number;
}

/** An embedded engine in its own process (`node --expose-gc`), so its memory is measured alone. */
export class ChildEngine {
  private constructor(
    private readonly child: Child,
    readonly url: string,
  ) {}

  static async start(kit: ChildKit, options: Omit<EngineOptions, 'logger'>): Promise<ChildEngine> {
    const child = new Child(kit.engineChild, [JSON.stringify(options)], kit.dir, ['--expose-gc']);
    const line = await child.line(/^url /);
    return new ChildEngine(child, line.slice(4));
  }

  async mem(): Promise<EngineMemory> {
    return JSON.parse(await this.child.request('mem')) as EngineMemory;
  }

  async stats(): Promise<EngineStats> {
    return JSON.parse(await this.child.request('stats')) as EngineStats;
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

/**
 * A caller and a callee on raw sockets: the callee answers `healthy::echo` at once. {@link HealthyPair.call}
 * resolves with the echoed value, so a spec can show the engine kept serving during and after an attack.
 */
export class HealthyPair {
  served = 0;

  private constructor(
    private readonly caller: RawClient,
    private readonly callee: RawClient,
  ) {
    callee.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; invocation_id: string; data: unknown };
      if (frame.type !== 'invokefunction') return;
      this.served++;
      callee.ws.send(JSON.stringify({ type: 'invocationresult', invocation_id: frame.invocation_id, function_id: 'healthy::echo', result: frame.data }));
    });
  }

  static async open(url: string): Promise<HealthyPair> {
    const callee = (await openWorker(url)).client;
    const caller = (await openWorker(url)).client;
    await callee.send({ type: 'registerfunction', id: 'healthy::echo', description: 'echo' });
    await callee.sync();
    return new HealthyPair(caller, callee);
  }

  /** One call through the engine; resolves with the result's data. */
  async call(data: unknown = { n: randomUUID() }): Promise<unknown> {
    const id = randomUUID();
    await this.caller.send({ type: 'invokefunction', invocation_id: id, function_id: 'healthy::echo', data });
    const reply = await this.caller.next((f) => f.type === 'invocationresult' && f.invocation_id === id);
    if (reply.error) throw new Error(`healthy call failed: ${JSON.stringify(reply.error)}`);
    return reply.result;
  }

  /** Calls in a loop until `stop()` is called; resolves with how many succeeded. */
  keepCalling(): { stop: () => Promise<number> } {
    let running = true;
    let ok = 0;
    const loop = (async () => {
      while (running) {
        const n = randomUUID();
        const back = (await this.call({ n })) as { n: string; _caller_worker_id?: string };
        if (back.n !== n) throw new Error('healthy call returned a wrong result');
        ok++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return ok;
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.caller.close(true), this.callee.close(true)]);
  }
}

/** A worker socket that never reads what the engine sends (its TCP socket is paused after the handshake). */
export async function nonReadingWorker(url: string): Promise<RawClient> {
  const { client } = await openWorker(url);
  (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  return client;
}

/** Mebibytes, for readable limits. */
export const MiB = 1024 * 1024;
