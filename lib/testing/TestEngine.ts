import { request as httpRequest } from 'node:http';
import { firstValueFrom, Observable, Subject, VirtualTimeScheduler } from 'rxjs';
import type { CronFire } from '../engine/cron/CronFire';
import type { EmbeddedEngine } from '../engine/EmbeddedEngine';
import type { EngineLogDetails } from '../engine/EngineLogger';
import type { QueueDelivery } from '../engine/queue/QueueDelivery';
import { IiiRxError } from '../errors/IiiRxError';
import { ENGINE_FUNCTIONS } from '../protocol/constants';
import { connectWorker } from '../worker/connectWorker';
import type { Worker, WorkerOptions } from '../worker/Worker';
import type { TestHttpRequestOptions, TestHttpResponse } from './TestHttpResponse';
import type { TestInvocation } from './TestInvocation';

/** One line the engine logged at `warn` or `error`. */
export interface TestEngineLogEntry {
  level: 'warn' | 'error';
  message: string;
  details?: EngineLogDetails;
}

/**
 * An embedded engine for a test: worker port and http port both free ports on 127.0.0.1, cron and queue
 * retries on a virtual clock, the in-memory queue on, unserved trigger bindings reported to workers. It
 * connects workers to itself, fires each trigger type and awaits what happened, and tears everything down
 * in order with {@link TestEngine.close}. Create it with `startTestEngine`. Errors are `IiiRxError`s: waits
 * still pending at `close()` reject with code `TEST_ENGINE_CLOSED`; `tickCron` with `TIMEOUT` when no cron
 * binding of that function shows up within 5 s; `publish` with `queue_full` past the queue's byte cap.
 *
 * @example
 * ```ts
 * const t = await startTestEngine();
 * const worker = t.connectWorker();
 * worker.registerFunction('hello::get', () => ({ body: { hello: 'world' } }));
 * worker.registerTrigger({ type: 'http', functionId: 'hello::get', config: { api_path: 'hello' } });
 * await t.sync(worker);
 * (await t.request('GET', '/hello')).json; // { hello: 'world' }
 * await t.close();
 * ```
 */
export class TestEngine {
  /** Warnings and errors the engine logged (parked bindings, failed fires, dead letters, …). */
  readonly logs: TestEngineLogEntry[];
  private readonly workers = new Set<Worker>();
  private readonly waits = new Set<(err: Error) => void>();
  private readonly deliveries = new Subject<QueueDelivery>();
  private closing?: Promise<void>;

  constructor(
    /** The engine itself. */
    readonly engine: EmbeddedEngine,
    /** The clock of cron schedules and queue retries; move it with {@link TestEngine.advanceClock}. */
    readonly clock: VirtualTimeScheduler,
    logs: TestEngineLogEntry[],
    private readonly workerDefaults: WorkerOptions = {},
  ) {
    this.logs = logs;
    engine.triggerModules?.queue?.onDelivery((d) => this.deliveries.next(d));
  }

  /** `ws://127.0.0.1:<port>`: the worker address. */
  get url(): string {
    return this.engine.url;
  }

  /** `http://127.0.0.1:<port>`: where http triggers are served. */
  get httpUrl(): string {
    return this.engine.httpUrl as string;
  }

  /** Every finished queue delivery attempt (enqueued and published messages), hot. */
  get deliveries$(): Observable<QueueDelivery> {
    return this.deliveries.asObservable();
  }

  /**
   * A worker connected to this engine (closed by {@link TestEngine.close}); options are merged over the
   * `worker` defaults given to `startTestEngine`.
   */
  connectWorker(options: WorkerOptions = {}): Worker {
    const worker = connectWorker(this.url, { ...this.workerDefaults, ...options });
    this.workers.add(worker);
    return worker;
  }

  /**
   * Resolves once everything `worker` registered so far has reached the engine (functions, trigger types,
   * trigger bindings): one round trip behind them on the same socket.
   */
  async sync(worker: Worker): Promise<void> {
    await this.guard(firstValueFrom(worker.trigger(ENGINE_FUNCTIONS.functionsList, {}), { defaultValue: undefined }));
  }

  /**
   * Sends one HTTP request to the http trigger listener and resolves with the whole response.
   *
   * @example
   * ```ts
   * const res = await t.request('POST', '/orders', { body: { sku: 'A-1' } });
   * res.status; // 201
   * ```
   */
  request(method: string, path: string, options: TestHttpRequestOptions = {}): Promise<TestHttpResponse> {
    const url = new URL(path.startsWith('/') ? path : `/${path}`, this.httpUrl);
    const raw: string[] = ['Host', url.host];
    const lines = Array.isArray(options.headers) ? options.headers : Object.entries(options.headers ?? {});
    for (const [name, value] of lines) raw.push(name, value);
    let body: Buffer | undefined;
    if (typeof options.body === 'string') body = Buffer.from(options.body, 'utf8');
    else if (options.body instanceof Uint8Array) body = Buffer.from(options.body);
    else if (options.body !== undefined) {
      body = Buffer.from(JSON.stringify(options.body), 'utf8');
      if (!lines.some(([name]) => name.toLowerCase() === 'content-type')) raw.push('content-type', 'application/json');
    }
    if (body) raw.push('content-length', String(body.length));
    return this.guard(
      new Promise<TestHttpResponse>((resolve, reject) => {
        const req = httpRequest(url, { method: method.toUpperCase(), headers: raw, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const bytes = Buffer.concat(chunks);
            const text = bytes.toString('utf8');
            let json: unknown;
            try {
              json = text === '' ? undefined : JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: new Uint8Array(bytes), text, json });
          });
        });
        req.on('error', reject);
        req.end(body);
      }),
    );
  }

  /** Moves the virtual clock forward by `ms`, running every cron fire and queue retry that falls due. */
  advanceClock(ms: number): void {
    const clock = this.clock;
    clock.maxFrames = clock.frame + ms;
    clock.flush();
    clock.frame = clock.maxFrames;
  }

  /**
   * Moves the clock to the next scheduled fire of the cron binding of `functionId` and resolves once that
   * fire finished, with its outcome (`{result}`, `{error}` or `'skipped'` by the condition).
   *
   * @example
   * ```ts
   * const fire = await t.tickCron('reports::nightly');
   * fire.outcome; // { result: … }
   * ```
   */
  async tickCron(functionId: string): Promise<CronFire> {
    const cron = this.engine.triggerModules?.cron;
    if (!cron) throw new IiiRxError('NOT_AVAILABLE', 'cron is off in this engine');
    const job = await this.poll(() => cron.list().find((j) => j.functionId === functionId && j.nextFireMs !== undefined), `a cron binding for ${functionId}`);
    const due = job.nextFireMs as number;
    const fired = new Promise<CronFire>((resolve) => {
      const stop = cron.onFire((fire) => {
        if (fire.jobId !== job.id || fire.scheduledMs !== due) return;
        stop();
        resolve(fire);
      });
    });
    this.advanceClock(Math.max(0, due - this.clock.now()));
    return this.guard(fired);
  }

  /**
   * Publishes `data` to a durable topic and resolves with the first delivery attempt of each subscriber
   * (fate `acked`, `retrying` or `dead`); later attempts follow on {@link TestEngine.deliveries$} as the
   * clock moves.
   */
  async publish(topic: string, data: unknown): Promise<QueueDelivery[]> {
    const queue = this.engine.triggerModules?.queue;
    if (!queue) throw new IiiRxError('NOT_AVAILABLE', 'the queue is off in this engine');
    const seen = new Map<string, QueueDelivery>();
    let wanted: Set<string> | undefined;
    let done!: (value: QueueDelivery[]) => void;
    const all = new Promise<QueueDelivery[]>((resolve) => (done = resolve));
    const check = () => {
      if (wanted && [...wanted].every((id) => seen.has(id))) done([...wanted].map((id) => seen.get(id) as QueueDelivery));
    };
    const stop = queue.onDelivery((d) => {
      if (!seen.has(d.messageId)) seen.set(d.messageId, d);
      check();
    });
    const published = queue.publishMessages(topic, data);
    if ('error' in published) {
      stop();
      throw new IiiRxError(published.error.code, `${published.error.code}: ${published.error.message}`);
    }
    wanted = new Set(published.messageIds);
    check();
    try {
      return await this.guard(all);
    } finally {
      stop();
    }
  }

  /** Resolves with the next finished queue delivery attempt that `filter` accepts. */
  nextDelivery(filter: (delivery: QueueDelivery) => boolean = () => true): Promise<QueueDelivery> {
    return this.guard(
      new Promise<QueueDelivery>((resolve) => {
        const sub = this.deliveries.subscribe((d) => {
          if (!filter(d)) return;
          sub.unsubscribe();
          resolve(d);
        });
      }),
    );
  }

  /**
   * Resolves with the next call the engine forwards to `functionId` (from any trigger or worker), with its
   * input. Ask before causing the call.
   *
   * @example
   * ```ts
   * const next = t.nextInvocation('orders::created');
   * await t.request('POST', '/orders', { body: { sku: 'A-1' } });
   * (await next).input; // { … the http input … }
   * ```
   */
  nextInvocation(functionId: string): Promise<TestInvocation> {
    return this.guard(
      new Promise<TestInvocation>((resolve) => {
        const stop = this.engine.observeCalls((call) => {
          if (call.functionId !== functionId) return;
          stop();
          const invocation: TestInvocation = { functionId, invocationId: call.invocationId, input: call.data };
          if (call.metadata !== undefined) invocation.metadata = call.metadata;
          resolve(invocation);
        });
      }),
    );
  }

  /** The warnings logged so far whose message or details mention `text`. */
  warningsAbout(text: string): TestEngineLogEntry[] {
    return this.logs.filter((l) => l.level === 'warn' && (l.message.includes(text) || JSON.stringify(l.details ?? {}).includes(text)));
  }

  /**
   * Closes the workers it connected, then the engine; waits still pending reject. Idempotent.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        await Promise.all([...this.workers].map((w) => w.close()));
        this.workers.clear();
        await this.engine.close();
        const error = closedError();
        for (const reject of this.waits) reject(error);
        this.waits.clear();
        this.deliveries.complete();
      })();
    }
    return this.closing;
  }

  /** Makes `promise` reject when the engine closes first. */
  private guard<T>(promise: Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(closedError());
    return new Promise<T>((resolve, reject) => {
      this.waits.add(reject);
      promise.then(
        (v) => {
          this.waits.delete(reject);
          resolve(v);
        },
        (err) => {
          this.waits.delete(reject);
          reject(err);
        },
      );
    });
  }

  /** Waits (in real time, up to 5 s) for an engine-side state that follows a worker's frames. */
  private async poll<T>(find: () => T | undefined, what: string): Promise<T> {
    const until = Date.now() + 5000;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (this.closing) throw closedError();
      if (Date.now() > until) throw new IiiRxError('TIMEOUT', `timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** What waits still pending get when the test engine closes (code `TEST_ENGINE_CLOSED`). */
function closedError(): IiiRxError {
  return new IiiRxError('TEST_ENGINE_CLOSED', 'the test engine was closed');
}
