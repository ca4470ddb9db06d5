import type { WorkerOptions } from '../worker/Worker';

/** What `provideIiiRx` needs to connect the app's worker. */
export interface IiiRxConfig {
  /** The engine's worker address, e.g. `ws://127.0.0.1:49134`. */
  url: string;
  /** Worker options (name, reconnect, timeouts, socket factory ...), passed to `connectWorker`. */
  worker?: WorkerOptions;
  /**
   * Where socket work runs when the app has an `NgZone`: `'outside'` (default) keeps socket events, timers and
   * the frame stream out of change detection and re-enters the zone only for `state$` and `trigger` results;
   * `'inside'` leaves everything to the zone the service was created in.
   */
  zone?: 'outside' | 'inside';
  /**
   * With `zone: 'outside'`: where channel data is delivered (reader items, `values$()`, streamed results, and the
   * end of each channel). `'inside'` (default) re-enters the zone the service was created in, as call results do,
   * so templates update; `'outside'` keeps busy channels out of change detection (re-enter with `enterZone` after
   * throttling). `IiiRxService.stream` re-enters either way, like `trigger`. Without a zone (zoneless apps) both
   * are the same.
   */
  channelData?: 'inside' | 'outside';
}
