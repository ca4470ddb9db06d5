import { Observable, OperatorFunction } from 'rxjs';
import type { ZoneLike } from './ZoneLike';

/**
 * Re-emits every notification of the source inside `zone` (`zone.run`), so that Angular notices it. Subscribing
 * itself is left where it is. With no zone the source is returned unchanged.
 *
 * @example
 * ```ts
 * const progress$ = reader.pipe(progress(), throttleTime(100), enterZone(inject(NgZone)));
 * ```
 */
export function enterZone<T>(zone: ZoneLike | null | undefined): OperatorFunction<T, T> {
  if (!zone) return (source) => source;
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (value) => zone.run(() => subscriber.next(value)),
        error: (err) => zone.run(() => subscriber.error(err)),
        complete: () => zone.run(() => subscriber.complete()),
      }),
    );
}
