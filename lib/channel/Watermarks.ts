/** What a {@link Watermarks} gate tells its socket to do after a count changed. */
export type FlowSignal = 'pause' | 'resume';

/** High and low marks of a flow-control gate. */
export interface WatermarkOptions {
  /** Pause once more than this many items are in flight. */
  readonly highWaterMark: number;
  /** Resume once at most this many are in flight again (default: half the high mark, rounded down). */
  readonly lowWaterMark?: number;
}

/**
 * The pure hysteresis behind channel backpressure: fed the number of items in flight, it says `pause` when
 * the count rises above the high mark and `resume` when it has fallen back to the low mark; otherwise
 * nothing. No sockets, no clocks, so it is driven directly by marble tests (see `pauseSignals`).
 *
 * @example
 * ```ts
 * const gate = new Watermarks({ highWaterMark: 4, lowWaterMark: 1 });
 * gate.update(5); // 'pause'
 * gate.update(2); // undefined (still paused)
 * gate.update(1); // 'resume'
 * ```
 */
export class Watermarks {
  readonly high: number;
  readonly low: number;
  private pausedState = false;

  constructor(options: WatermarkOptions) {
    const high = options.highWaterMark;
    if (!Number.isInteger(high) || high < 1) throw new RangeError(`highWaterMark must be a positive integer, got ${high}`);
    const low = options.lowWaterMark ?? Math.floor(high / 2);
    if (!Number.isInteger(low) || low < 0 || low >= high) {
      throw new RangeError(`lowWaterMark must be an integer in [0, highWaterMark), got ${low}`);
    }
    this.high = high;
    this.low = low;
  }

  /** Whether the gate is currently holding the source. */
  get paused(): boolean {
    return this.pausedState;
  }

  /** Feeds the current in-flight count; returns a signal only when the state flips. */
  update(inFlight: number): FlowSignal | undefined {
    if (!this.pausedState && inFlight > this.high) {
      this.pausedState = true;
      return 'pause';
    }
    if (this.pausedState && inFlight <= this.low) {
      this.pausedState = false;
      return 'resume';
    }
    return undefined;
  }
}
