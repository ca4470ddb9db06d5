import { signal } from '@angular/core';
import type { Signal } from '@angular/core';
import { NEVER, Observable, Subscription } from 'rxjs';
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
import { serverSocketFactory } from './serverSocketFactory';
import { toStreamResource } from './toStreamResource';
import type { StreamResource, StreamResourceOptions } from './StreamResource';

/** Where an {@link IiiRxService} runs; `provideIiiRx` tells it from Angular's `PLATFORM_ID`. */
export interface IiiRxServiceContext {
  /** True in a server render (Angular SSR): the service then makes no socket. */
  server?: boolean;
}

/** Channel sockets (`/ws/channels/<id>`, PROTOCOL.md §6), whose data re-enters the zone by default. */
const isChannelUrl = (url: string): boolean => /\/ws\/channels\//.test(url);

/**
 * The app's iii worker as an Angular service: one connection for the whole app, closed when the injector that
 * made it is destroyed. Provided by `provideIiiRx(config)`; inject it with `inject(IiiRxService)`.
 *
 * Zones: with an `NgZone` and `zone: 'outside'` (the default) the sockets live outside the Angular zone;
 * `state$`, `trigger` results, created channels and channel data (reader items, `values$()`, streamed results)
 * re-enter it, while `frames$` and function handlers stay outside (they can be busy; use `enterZone(zone)` after
 * throttling where the UI needs them). `channelData: 'outside'` keeps channel data outside too. Zoneless apps
 * need none of this: `state` and `toStreamResource` give signals.
 *
 * Server rendering: on the server (`PLATFORM_ID` `'server'`) the service opens no socket. Its worker is closed
 * from the start, `state()` is `'closed'`, and `trigger`, `stream`, `triggerResource` and `createChannel` never emit (the
 * page renders its loading state; the browser makes the calls after hydration).
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
  /** Connection state as a signal (set inside the zone). */
  readonly state: Signal<ConnectionState>;
  /** Every decoded frame, hot (stays outside the zone). */
  readonly frames$: Observable<Frame>;
  /** True in a server render: no socket, and calls never emit. */
  readonly server: boolean;
  private readonly zone: ZoneLike | undefined;
  private readonly stateSub: Subscription;
  private closing: Promise<void> | undefined;

  constructor(config: IiiRxConfig, zone?: ZoneLike | null, context: IiiRxServiceContext = {}) {
    this.server = context.server === true;
    const outside = (config.zone ?? 'outside') === 'outside' && zone ? zone : undefined;
    this.zone = outside;
    const options = { ...config.worker };
    if (this.server) options.socketFactory = serverSocketFactory;
    else if (outside) {
      const channelDataInside = (config.channelData ?? 'inside') === 'inside';
      options.socketFactory = zoneAwareSocketFactory(outside, options.socketFactory ?? defaultSocketFactory, {
        deliverInside: (url) => channelDataInside && isChannelUrl(url),
      });
    }
    this.worker = outside
      ? outside.runOutsideAngular(() => connectWorker(config.url, options))
      : connectWorker(config.url, options);
    this.state$ = this.worker.state$.pipe(enterZone(outside));
    this.frames$ = this.worker.frames$;
    const state = signal<ConnectionState>(this.worker.state);
    this.state = state.asReadonly();
    this.stateSub = this.state$.subscribe((s) => state.set(s));
    if (this.server) void this.close();
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
    if (this.server) return NEVER;
    return this.reenter(this.worker.trigger<R>(functionId, payload, options));
  }

  /**
   * Calls a streaming function (see `Worker.stream`) and emits its values inside the zone (with `channelData:
   * 'inside'`, the default). Cold; unsubscribing closes the channel, which stops the producer.
   *
   * @example
   * ```ts
   * this.iii.stream<number>('numbers::squares', { upTo: 5 }).subscribe((n) => this.squares.push(n));
   * ```
   */
  stream<T = unknown>(functionId: string, payload?: unknown, options?: Omit<TriggerOptions, 'action'>): Observable<T> {
    if (this.server) return NEVER;
    return this.reenter(this.worker.stream<T>(functionId, payload, options));
  }

  /**
   * Calls a function and keeps the result in signals (see `toStreamResource`): one value for a plain result, the
   * latest value for a streamed one. Call it in an injection context (a constructor or field initializer) or pass
   * `resource.injector`; the call is cancelled when that injector is destroyed.
   *
   * @example
   * ```ts
   * export class SumComponent {
   *   readonly sum = inject(IiiRxService).triggerResource<number>('math::add', { a: 1, b: 2 });
   *   // template: {{ sum.isLoading() ? '…' : sum.value() }}
   * }
   * ```
   */
  triggerResource<R = unknown>(
    functionId: string,
    payload?: unknown,
    options?: TriggerOptions,
    resource?: StreamResourceOptions<R>,
  ): StreamResource<R> {
    return toStreamResource(this.trigger<R>(functionId, payload, options), resource);
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
    if (this.server) return NEVER;
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
  registerFunction<I = unknown, O = unknown>(
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
    if (!this.closing) queueMicrotask(() => this.stateSub.unsubscribe()); // after the final 'closed' state
    this.closing ??= this.zone
      ? this.zone.runOutsideAngular(() => this.worker.close())
      : this.worker.close();
    return this.closing;
  }
}
