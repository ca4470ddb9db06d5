import type { SchedulerLike } from 'rxjs';
import { WebSocket } from 'ws';
import { CRON_TRIGGER_TYPE, CronTriggers } from './cron/CronTriggers';
import type { EngineCore } from './EngineCore';
import type { EngineLog } from './EngineLogger';
import { HttpListener } from './http/HttpListener';
import { HTTP_TRIGGER_TYPE, HttpTriggers } from './http/HttpTriggers';
import { DURABLE_SUBSCRIBER_TRIGGER_TYPE, MemoryQueue, MemoryQueueOptions } from './queue/MemoryQueue';
import { UnservedTriggerWatch } from './UnservedTriggerWatch';
import type { CronTriggerOptions } from './CronTriggerOptions';
export type { CronTriggerOptions };
import type { HttpTriggerOptions } from './HttpTriggerOptions';
export type { HttpTriggerOptions };

/** What {@link TriggerModules.start} reads from the engine options. */
export interface TriggerModuleOptions {
  http?: boolean | HttpTriggerOptions;
  cron?: boolean | CronTriggerOptions;
  queue?: boolean | MemoryQueueOptions;
  unservedTriggerGraceMs?: number;
  reportUnservedTriggers?: boolean;
}

/**
 * The engine's own trigger types (PROTOCOL.md §11.4): `http` with its listener, `cron`, and behind the
 * queue option the in-memory queue (`engine::queue::enqueue`, `durable:subscriber`,
 * `iii::durable::publish`), plus the watch that reports bindings nothing serves.
 *
 * @example
 * ```ts
 * const modules = await TriggerModules.start(core, log, { http: { port: 0 }, queue: true }, engine.url);
 * modules.http?.url; // 'http://127.0.0.1:40211'
 * await modules.close();
 * ```
 */
export class TriggerModules {
  private constructor(
    /** The http listener, when http is on. */
    readonly http: { url: string; port: number; triggers: HttpTriggers; listener: HttpListener } | undefined,
    /** The cron provider, when cron is on. */
    readonly cron: CronTriggers | undefined,
    /** The in-memory queue, when the queue option is on. */
    readonly queue: MemoryQueue | undefined,
    private readonly watch: UnservedTriggerWatch,
  ) {}

  /** Installs the modules the options ask for on `core`; binds the http listener. */
  static async start(core: EngineCore, log: EngineLog, options: TriggerModuleOptions, engineUrl: string): Promise<TriggerModules> {
    const call = core.router.call.bind(core.router);
    const watch = new UnservedTriggerWatch(core.triggers, log, {
      graceMs: options.unservedTriggerGraceMs ?? 2000,
      report: options.reportUnservedTriggers ?? false,
    });
    core.triggers.onUnserved = (binding) => watch.parked(binding);

    let cron: CronTriggers | undefined;
    if (options.cron !== false) {
      const settings = typeof options.cron === 'object' ? options.cron : {};
      cron = new CronTriggers(call, log, settings.clock);
      core.triggers.registerBuiltinType(CRON_TRIGGER_TYPE, 'Cron schedule (seconds-first, UTC)', cron);
    }
    let queue: MemoryQueue | undefined;
    if (options.queue) {
      queue = new MemoryQueue(call, log, typeof options.queue === 'object' ? options.queue : {});
      for (const fn of queue.builtins()) core.addBuiltin(fn);
      core.triggers.registerBuiltinType(DURABLE_SUBSCRIBER_TRIGGER_TYPE, 'Durable topic subscriber (in-memory queue)', queue);
    }
    let http: TriggerModules['http'];
    if (options.http) {
      const settings = typeof options.http === 'object' ? options.http : {};
      const broker = core.channels;
      const triggers = new HttpTriggers(
        call,
        {
          create: () => {
            const channel = broker.create(64);
            return { channelId: channel.id, accessKey: channel.accessKey };
          },
          open: (id, key, dir) => new WebSocket(`${engineUrl}/ws/channels/${id}?key=${encodeURIComponent(key)}&dir=${dir}`),
        },
        log,
        { timeoutMs: settings.timeoutMs ?? 30_000, maxBodyBytes: settings.maxBodyBytes ?? 64 * 1024 * 1024 },
      );
      let listener: HttpListener;
      try {
        listener = await HttpListener.start(
          settings.host ?? '127.0.0.1',
          settings.port ?? 3111,
          (req, res) => triggers.handle(req, res),
          log,
          settings.maxConcurrentRequests ?? 1024,
        );
      } catch (err) {
        cron?.close();
        queue?.close();
        watch.close();
        throw err;
      }
      core.triggers.registerBuiltinType(HTTP_TRIGGER_TYPE, 'HTTP route', triggers);
      http = { url: listener.url, port: listener.port, triggers, listener };
    }
    return new TriggerModules(http, cron, queue, watch);
  }

  /** Stops schedules and retries, closes the http listener. Idempotent. */
  async close(): Promise<void> {
    this.watch.close();
    this.cron?.close();
    this.queue?.close();
    this.http?.triggers.close();
    await this.http?.listener.close();
  }
}
