import { computed, DestroyRef, inject, signal } from '@angular/core';
import type { Observable } from 'rxjs';
import type { StreamResource, StreamResourceOptions, StreamResourceStatus } from './StreamResource';

/**
 * Turns a call or a stream into signals: subscribes to `source` at once and keeps its latest value, its error and
 * its status in signals, until the source ends, `stop()` is called or the injector is destroyed (the injection
 * context's by default: call it in a constructor or field initializer, or pass `injector`). Works with and without
 * zone.js (signals need no zone).
 *
 * @example
 * ```ts
 * export class SumComponent {
 *   private readonly iii = inject(IiiRxService);
 *   readonly sum = toStreamResource(this.iii.trigger<number>('math::add', { a: 1, b: 2 }));
 *   // template: @if (sum.isLoading()) { … } @else { {{ sum.value() }} }
 * }
 * ```
 */
export function toStreamResource<T>(source: Observable<T>, options: StreamResourceOptions<T> = {}): StreamResource<T> {
  const destroyRef = options.injector ? options.injector.get(DestroyRef) : inject(DestroyRef);
  const value = signal<T | undefined>(options.initialValue);
  const error = signal<unknown>(undefined);
  const status = signal<StreamResourceStatus>('loading');
  let finished = false;
  const subscription = source.subscribe({
    next: (v) => {
      value.set(v);
      status.set('streaming');
    },
    error: (err: unknown) => {
      finished = true;
      error.set(err);
      status.set('error');
    },
    complete: () => {
      finished = true;
      status.set('done');
    },
  });
  const stop = () => {
    if (!finished) {
      finished = true;
      status.set('stopped');
    }
    subscription.unsubscribe();
  };
  const unregister = destroyRef.onDestroy(stop);
  return {
    value: value.asReadonly(),
    error: error.asReadonly(),
    status: status.asReadonly(),
    isLoading: computed(() => status() === 'loading'),
    stop: () => {
      // onDestroy returns its unregister function from Angular 16.1 on
      if (typeof unregister === 'function') unregister();
      stop();
    },
  };
}
