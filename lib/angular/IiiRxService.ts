import { Observable } from 'rxjs';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import { connectWorker } from '../worker/connectWorker';
import { createChannel, CreateChannelOptions } from '../channel/createChannel';
import type { Channel } from '../channel/Channel';
import type { TriggerOptions, Worker } from '../worker/Worker';
import type { ConnectionState } from '../connection/Connection';
import type { Frame } from '../protocol/Frame';
import type { FunctionHandler, Registration, RegisterFunctionOptions } from '../worker/FunctionContext';
import type { IiiRxConfig } from './IiiRxConfig';
import type { ZoneLike } from './ZoneLike';
import { enterZone } from './enterZone';
import { zoneAwareSocketFactory } from './zoneAwareSocketFactory';

/**
 * The app's iii worker as an Angular service: one connection for the whole app, closed when the injector that
 * made it is destroyed. Provided by `provideIiiRx(config)`; inject it with `inject(IiiRxService)`.
 *
 * Zones: with an `NgZone` and `zone: 'outside'` (the default) the socket lives outside the Angular zone;
 * `state$`, `trigger` results and created channels re-enter it, while `frames$`, function handlers and channel data
 * stay outside
 * (they can be busy; use `enterZone(zone)` after throttling where the UI needs them).
 *
 * @example
 * ```ts
 * export class StatusComponent {
 *   private readonly iii = inject(IiiRxService);
 *   readonly state$ = this.iii.state$;
 *   add(a: number, b: number) { return this.iii.trigger<number>('math::add', { a, b }); }
 * }
 * ```
 */
export class IiiRxService {
  /** The underlying worker, for everything the service does not wrap. */
  readonly worker: Worker;
  /** Connection state, replaying the current one (re-enters the zone). */
  readonly state$: Observable<ConnectionState>;
  /** Every decoded frame, hot (stays outside the zone). */
  readonly frames$: Observable<Frame>;
  private readonly zone: ZoneLike | undefined;
  private closing: Promise<void> | undefined;

  constructor(config: IiiRxConfig, zone?: ZoneLike | null) {
    const outside = (config.zone ?? 'outside') === 'outside' && zone ? zone : undefined;
    this.zone = outside;
    const options = { ...config.worker };
    if (outside) options.socketFactory = zoneAwareSocketFactory(outside, options.socketFactory ?? defaultSocketFactory);
    this.worker = outside
      ? outside.runOutsideAngular(() => connectWorker(config.url, options))
      : connectWorker(config.url, options);
    this.state$ = this.worker.state$.pipe(enterZone(outside));
    this.frames$ = this.worker.frames$;
  }

  /**
   * Calls a function on any worker; the result (or error) arrives inside the zone. Cold, like `Worker.trigger`.
   *
   * @example
   * ```ts
   * this.iii.trigger<number>('math::add', { a: 1, b: 2 }).subscribe((sum) => (this.sum = sum));
   * ```
   */
  trigger<R = unknown>(functionId: string, payload?: unknown, options?: TriggerOptions): Observable<R> {
    return this.reenter(this.worker.trigger<R>(functionId, payload, options));
  }

  /**
   * Creates a channel through the engine; the `Channel` arrives inside the zone, its sockets (and so its data)
   * stay outside. Cold, like `createChannel`.
   *
   * @example
   * ```ts
   * this.iii.createChannel().subscribe(({ reader, writerRef }) => {
   *   this.iii.trigger('report::render', { out: writerRef }).subscribe();
   *   reader.pipe(binaryItems(), collectBytes({ maxBytes: 16 << 20 })).subscribe((pdf) => this.show(pdf));
   * });
   * ```
   */
  createChannel(options?: CreateChannelOptions): Observable<Channel> {
    return this.reenter(createChannel(this.worker, options));
  }

  /** Subscribes outside the zone and delivers inside it (when there is a zone to re-enter). */
  private reenter<T>(source: Observable<T>): Observable<T> {
    const zone = this.zone;
    if (!zone) return source;
    return new Observable<T>((subscriber) => zone.runOutsideAngular(() => source.subscribe(subscriber))).pipe(
      enterZone<T>(zone),
    );
  }

  /**
   * Serves a function from this app (the handler runs outside the zone; wrap UI updates in `zone.run`).
   *
   * @throws RegistrationError for an empty or duplicate id.
   * @example
   * ```ts
   * this.iii.registerFunction('ui::notify', (input: { text: string }) => { this.toasts.push(input.text); return true; });
   * ```
   */
  registerFunction<I = any, O = unknown>(
    id: string,
    handler: FunctionHandler<I, O>,
    options?: RegisterFunctionOptions<I, O>,
  ): Registration {
    return this.worker.registerFunction(id, handler, options);
  }

  /**
   * Closes the worker (idempotent); the service calls it itself when its injector is destroyed.
   *
   * @example
   * ```ts
   * await this.iii.close();
   * ```
   */
  close(): Promise<void> {
    this.closing ??= this.zone
      ? this.zone.runOutsideAngular(() => this.worker.close())
      : this.worker.close();
    return this.closing;
  }
}
