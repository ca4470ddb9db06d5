import { asyncScheduler, Subject, Subscription } from 'rxjs';
import { DemandObservable } from '../../../lib/demand/DemandObservable';

/**
 * A pausable test source: emits `values` one per frame (the first on subscribe) while its consumer wants
 * more, stops when demand goes off and goes on one frame after it comes back; completes one frame after
 * the last value, once wanted. Every emission (and the completion) is also told to `seen`, so a marble
 * test can show when the source ran and when it was held.
 */
export function pausableTicks<T>(values: readonly T[], seen: Subject<T>): DemandObservable<T> {
  return new DemandObservable<T>((subscriber, demand) => {
    let i = 0;
    let scheduled: Subscription | undefined;
    const schedule = () => {
      if (scheduled || subscriber.closed) return;
      scheduled = asyncScheduler.schedule(tick, 1);
    };
    const tick = () => {
      scheduled = undefined;
      if (subscriber.closed) return;
      if (i >= values.length) {
        seen.complete();
        subscriber.complete();
        return;
      }
      const value = values[i++];
      seen.next(value);
      subscriber.next(value);
      if (demand?.wanted ?? true) schedule();
    };
    const stop = demand?.onResume(schedule);
    tick();
    return () => {
      stop?.();
      scheduled?.unsubscribe();
    };
  });
}
