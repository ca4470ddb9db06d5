import type { Injector, Signal } from '@angular/core';

/**
 * Where a {@link StreamResource} is: `'loading'` until the first value, `'streaming'` once values arrive,
 * `'done'` after completion, `'error'` after an error (the source is then finished), `'stopped'` after `stop()` or
 * when its injector was destroyed before the source finished.
 */
export type StreamResourceStatus = 'loading' | 'streaming' | 'done' | 'error' | 'stopped';

/** A call's result or a stream's latest value as signals; made by `toStreamResource` or `IiiRxService.triggerResource`. */
export interface StreamResource<T> {
  /** The latest value (`initialValue` until the first one). */
  readonly value: Signal<T | undefined>;
  /** The error the source ended with, `undefined` otherwise. */
  readonly error: Signal<unknown>;
  readonly status: Signal<StreamResourceStatus>;
  /** `status() === 'loading'`. */
  readonly isLoading: Signal<boolean>;
  /** Unsubscribes from the source (idempotent); also done when the injector is destroyed. */
  stop(): void;
}

/** Options of `toStreamResource`. */
export interface StreamResourceOptions<T> {
  /** `value()` before the first value; default `undefined`. */
  initialValue?: T;
  /** Whose destruction stops the resource; default: the current injection context's. */
  injector?: Injector;
}
