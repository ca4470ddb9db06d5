import { Observable, OperatorFunction } from 'rxjs';
import { FlowSignal, WatermarkOptions, Watermarks } from './Watermarks';

/**
 * Turns a stream of in-flight counts into `pause` / `resume` signals with high/low-mark hysteresis — the
 * same logic a channel reader applies to its socket, as an operator.
 *
 * @example
 * ```ts
 * inFlight$.pipe(pauseSignals({ highWaterMark: 16, lowWaterMark: 4 }))
 *   .subscribe((s) => (s === 'pause' ? socket.pause() : socket.resume()));
 * ```
 */
export function pauseSignals(options: WatermarkOptions): OperatorFunction<number, FlowSignal> {
  return (counts$) =>
    new Observable<FlowSignal>((subscriber) => {
      const gate = new Watermarks(options);
      return counts$.subscribe({
        next: (count) => {
          const signal = gate.update(count);
          if (signal) subscriber.next(signal);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
