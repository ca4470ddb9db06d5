import { Observable, SchedulerAction, SchedulerLike, asyncScheduler, interval, map, merge, takeWhile } from 'rxjs';

/** What the heartbeat asks its owner to do. */
export type HeartbeatSignal = 'ping' | 'idle';

/** Periods of the worker-socket heartbeat (PROTOCOL.md §1). */
export interface HeartbeatConfig {
  /** Send a WebSocket ping this often. Default 20 000 ms. */
  pingIntervalMs: number;
  /** Declare the link dead when nothing at all arrived for this long. Default 60 000 ms. */
  idleTimeoutMs: number;
}

/**
 * The heartbeat of an open socket as an Observable: emits `'ping'` every `pingIntervalMs`, and `'idle'` (then
 * completes) once `activity$` has been silent for `idleTimeoutMs` since subscription or its last emission.
 * The owner pings on `'ping'` and terminates the socket on `'idle'`.
 *
 * @example
 * ```ts
 * heartbeat(activity$, { pingIntervalMs: 20_000, idleTimeoutMs: 60_000 }).subscribe((s) =>
 *   s === 'ping' ? socket.ping() : socket.terminate(),
 * );
 * ```
 */
export function heartbeat(
  activity$: Observable<unknown>,
  config: HeartbeatConfig,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<HeartbeatSignal> {
  const pings$ = interval(config.pingIntervalMs, scheduler).pipe(map((): HeartbeatSignal => 'ping'));
  // Inbound frames only stamp a time; one timer checks it (rescheduling itself for the rest of the period),
  // so a busy socket costs no timer work per frame.
  const idle$ = new Observable<HeartbeatSignal>((subscriber) => {
    let last = scheduler.now();
    const subscription = activity$.subscribe(() => {
      last = scheduler.now();
    });
    subscription.add(
      scheduler.schedule(function (this: SchedulerAction<void>) {
        const quietFor = scheduler.now() - last;
        if (quietFor >= config.idleTimeoutMs) {
          subscriber.next('idle');
          subscriber.complete();
        } else {
          this.schedule(undefined, config.idleTimeoutMs - quietFor);
        }
      }, config.idleTimeoutMs),
    );
    return subscription;
  });
  return merge(idle$, pings$).pipe(takeWhile((signal) => signal !== 'idle', true));
}
