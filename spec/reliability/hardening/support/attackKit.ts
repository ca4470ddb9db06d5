import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { EngineOptions } from '../../../../lib/engine/EngineOptions';
import type { EngineStats } from '../../../../lib/engine/EngineStats';
import { RawClient, openWorker } from '../../../engine/support/RawClient';
import { Child, ChildKit, makeChildKit } from '../../support/childProcess';

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

  /** `measureLogs`: the engine logs to a logger that measures its lines ({@link ChildEngine.logs}). */
  static async start(kit: ChildKit, options: Omit<EngineOptions, 'logger'>, measureLogs = false): Promise<ChildEngine> {
    const args = [JSON.stringify(options), ...(measureLogs ? ['measure-logs'] : [])];
    const child = new Child(kit.engineChild, args, kit.dir, ['--expose-gc']);
    const line = await child.line(/^url /);
    return new ChildEngine(child, line.slice(4));
  }

  async mem(): Promise<EngineMemory> {
    return JSON.parse(await this.child.request('mem')) as EngineMemory;
  }

  async stats(): Promise<EngineStats> {
    return JSON.parse(await this.child.request('stats')) as EngineStats;
  }

  /** How many log lines the engine wrote and the longest one's length (started with `measureLogs`). */
  async logs(): Promise<{ lines: number; longest: number }> {
    return JSON.parse(await this.child.request('logs')) as { lines: number; longest: number };
  }

  stop(): Promise<void> {
    return this.child.stop();
  }

  /** `kill -9` (a hung attack must not leave the child running). */
  kill(): Promise<void> {
    return this.child.killHard();
  }
}

/**
 * A caller and a callee on raw sockets: the callee answers `healthy::echo` at once. {@link HealthyPair.call}
 * resolves with the echoed value, so a spec can show the engine kept serving during and after an attack.
 */
export class HealthyPair {
  /** Calls the callee answered. */
  served = 0;
  /** Of those, calls the engine made itself (trigger fires: no `_caller_worker_id`). */
  fired = 0;
  /** Told the invocation id of each call the caller sends, once it is sent. */
  onCall?: (invocationId: string) => void;
  /** Calls of the caller awaiting their result, by invocation id. */
  private readonly waiting = new Map<string, (frame: { result?: unknown; error?: unknown }) => void>();

  private constructor(
    private readonly caller: RawClient,
    private readonly callee: RawClient,
    answerDelayMs: number,
  ) {
    callee.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; invocation_id: string; data: { _caller_worker_id?: string } | null };
      if (frame.type !== 'invokefunction') return;
      this.served++;
      if (frame.data?._caller_worker_id === undefined) this.fired++;
      const answer = () =>
        callee.ws.send(JSON.stringify({ type: 'invocationresult', invocation_id: frame.invocation_id, function_id: 'healthy::echo', result: frame.data }));
      if (answerDelayMs > 0) setTimeout(answer, answerDelayMs);
      else answer();
    });
    caller.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; invocation_id: string; result?: unknown; error?: unknown };
      if (frame.type !== 'invocationresult') return;
      const settle = this.waiting.get(frame.invocation_id);
      this.waiting.delete(frame.invocation_id);
      settle?.(frame);
    });
    caller.ws.on('close', () => {
      for (const settle of this.waiting.values()) settle({ error: 'the healthy caller was disconnected' });
      this.waiting.clear();
    });
  }

  /**
   * Opens both sockets (with upgrade `headers`, for an engine with a token). The callee answers after
   * `answerDelayMs` (default at once), which leaves an attacker time to race it.
   */
  static async open(url: string, options: { headers?: Record<string, string>; answerDelayMs?: number } = {}): Promise<HealthyPair> {
    const open = async () => {
      const client = await RawClient.open(url, { headers: options.headers });
      await client.next((f) => f.type === 'workerregistered');
      return client;
    };
    const callee = await open();
    const caller = await open();
    await callee.send({ type: 'registerfunction', id: 'healthy::echo', description: 'echo' });
    await callee.sync();
    return new HealthyPair(caller, callee, options.answerDelayMs ?? 0);
  }

  /** One call through the engine (several may run at once); resolves with the result's data. */
  async call(data: unknown = { n: randomUUID() }): Promise<unknown> {
    const id = randomUUID();
    const reply = new Promise<{ result?: unknown; error?: unknown }>((resolve) => this.waiting.set(id, resolve));
    await this.caller.send({ type: 'invokefunction', invocation_id: id, function_id: 'healthy::echo', data });
    this.onCall?.(id);
    const frame = await reply;
    if (frame.error) throw new Error(`healthy call failed: ${JSON.stringify(frame.error)}`);
    return frame.result;
  }

  /** Calls in a loop until `stop()` is called; resolves with how many succeeded. */
  keepCalling(): { stop: () => Promise<number> } {
    let running = true;
    let ok = 0;
    const loop = (async () => {
      while (running) {
        const n = randomUUID();
        const back = (await this.call({ n })) as { n: string; _caller_worker_id?: string };
        if (back.n !== n) throw new Error(`healthy call returned a wrong result: ${JSON.stringify(back)}`);
        ok++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    // a failure is reported by stop(), not as an unhandled rejection meanwhile
    loop.catch(() => undefined);
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

/**
 * Bundles the child scripts once for the enclosing `describe` block (and removes them after it); returns
 * the kit's getter, for use inside tests.
 */
export function childKitForSuite(): () => ChildKit {
  let kit: ChildKit | undefined;
  beforeAll(() => {
    kit = makeChildKit();
  });
  afterAll(() => kit?.dispose());
  return () => kit as ChildKit;
}

/** Mebibytes, for readable limits. */
export const MiB = 1024 * 1024;

/** What an attack is given. */
export interface AttackContext {
  engine: ChildEngine;
  url: string;
  /** The healthy caller/callee pair that keeps calling through the attack. */
  pair: HealthyPair;
  /** Opens a worker socket (closed at the end) and resolves with it and its `workerregistered` data. */
  worker(): Promise<{ client: RawClient; workerId: string; token: string }>;
  /** A worker socket that never reads (closed at the end). */
  nonReader(): Promise<RawClient>;
  /** Closes `client` at the end of the attack. */
  track<T extends RawClient>(client: T): T;
}

/** One attack on an engine in a child process. */
export interface AttackPlan {
  /** Options of the child engine (the budget under test is configured small here). */
  engine: Omit<EngineOptions, 'logger'>;
  /** The child engine measures its log lines ({@link AttackReport.logs}). */
  measureLogs?: boolean;
  /** Options of the healthy pair (upgrade headers for a token engine, an answer delay). */
  pair?: Parameters<typeof HealthyPair.open>[1];
  /** Runs before the baseline memory is taken (what the attacker may legitimately hold). */
  setup?(ctx: AttackContext): Promise<void>;
  /** The attack; the healthy pair keeps calling meanwhile. */
  attack(ctx: AttackContext): Promise<void>;
  /** Polled after the attack (every 20 ms) until true: the engine has dealt with it. */
  settled?(ctx: AttackContext): Promise<boolean>;
}

/** What {@link runAttack} measured, in bytes unless named otherwise. */
export interface AttackReport {
  /** RSS growth (after forced GCs) from the baseline to the end of the attack, attack sockets still open. */
  rssGrowth: number;
  /** Growth of the peak RSS over the same span: transient memory counts too. */
  peakGrowth: number;
  /** RSS growth from the baseline once the attack's sockets are gone. */
  residualGrowth: number;
  /** Growth of the JS heap plus memory outside it (Buffers), after forced GCs, attack sockets still open. */
  heapGrowth: number;
  /** Healthy calls that completed while the attack ran (the pair's loop). */
  servedDuring: number;
  /** The engine's stats at the end of the attack (attack sockets still open). */
  stats: EngineStats;
  /** The engine's log measure, with `measureLogs`. */
  logs?: { lines: number; longest: number };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `cond` every 20 ms until it holds. Rejects after `giveUpMs` (below the test timeout), so that a
 * failing attack still closes its child engine instead of leaving it running.
 */
export async function until(cond: () => Promise<boolean>, giveUpMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > giveUpMs) throw new Error(`gave up waiting after ${giveUpMs} ms for ${cond.toString().slice(0, 200)}`);
    await pause(20);
  }
}

/**
 * Runs one attack against an embedded engine in its own process while a healthy pair keeps calling, and
 * measures the engine's memory. The pair must answer one call in the middle of the attack (after `attack`
 * returns, before the engine settles), and one after it (its sockets closed); otherwise this rejects.
 * Everything opened is closed before it resolves.
 */
export async function runAttack(kit: ChildKit, plan: AttackPlan): Promise<AttackReport> {
  const engine = await ChildEngine.start(kit, plan.engine, plan.measureLogs);
  const opened: RawClient[] = [];
  let pair: HealthyPair | undefined;
  // below the test timeout: a hung attack kills its engine, so every wait on it fails and the sockets close
  const guard = setTimeout(() => void engine.kill(), 25_000);
  try {
    pair = await HealthyPair.open(engine.url, plan.pair);
    const track = <T extends RawClient>(client: T): T => {
      opened.push(client);
      return client;
    };
    const ctx: AttackContext = {
      engine,
      url: engine.url,
      pair,
      track,
      worker: async () => {
        const w = await openWorker(engine.url);
        track(w.client);
        return w;
      },
      nonReader: async () => track(await nonReadingWorker(engine.url)),
    };
    await plan.setup?.(ctx);
    const before = await engine.mem();
    const calls = pair.keepCalling();
    await plan.attack(ctx);
    const during = await pair.call({ during: true });
    if ((during as { during?: boolean }).during !== true) throw new Error('the healthy pair got a wrong answer during the attack');
    if (plan.settled) await until(() => plan.settled!(ctx));
    const servedDuring = await calls.stop();
    const stats = await engine.stats();
    const end = await engine.mem();
    await Promise.all(opened.splice(0).map((c) => c.close(true)));
    const after = await pair.call({ after: true });
    if ((after as { after?: boolean }).after !== true) throw new Error('the healthy pair got a wrong answer after the attack');
    const left = await engine.mem();
    const logs = plan.measureLogs ? await engine.logs() : undefined;
    const report: AttackReport = {
      rssGrowth: end.rss - before.rss,
      peakGrowth: end.maxRss - before.maxRss,
      residualGrowth: left.rss - before.rss,
      heapGrowth: end.heapUsed + end.external - (before.heapUsed + before.external),
      servedDuring,
      stats,
      ...(logs ? { logs } : {}),
    };
    // III_RX_ATTACK_REPORT=<file>: one JSON line per attack, for the figures quoted in the README
    const file = process.env.III_RX_ATTACK_REPORT;
    if (file) appendFileSync(file, `${JSON.stringify({ test: expect.getState().currentTestName, baselineRss: before.rss, ...report })}\n`);
    return report;
  } finally {
    clearTimeout(guard);
    await Promise.all(opened.map((c) => c.close(true)));
    await pair?.close();
    await engine.stop();
  }
}
