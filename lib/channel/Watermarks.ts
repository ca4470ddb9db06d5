/** What a {@link Watermarks} gate tells its socket to do after a count changed. */
export type FlowSignal = 'pause' | 'resume';

/** High and low marks of a flow-control gate: a count of items and, optionally, a number of bytes. */
export interface WatermarkOptions {
  /** Pause once more than this many items are in flight. */
  readonly highWaterMark: number;
  /** Resume once at most this many are in flight again (default: half the high mark, rounded down). */
  readonly lowWaterMark?: number;
  /** Also pause once more than this many bytes are in flight (default: no byte bound). */
  readonly highWaterMarkBytes?: number;
  /** Resume only once at most this many bytes are in flight (default: half the byte high mark). */
  readonly lowWaterMarkBytes?: number;
}

/**
 * The pure hysteresis behind channel backpressure: fed what is in flight (items, and bytes when a byte
 * mark is set), it says `pause` when either count rises above its high mark and `resume` when both have
 * fallen back to their low marks; otherwise nothing. No sockets, no clocks, so it is driven directly by
 * marble tests (see `pauseSignals`).
 *
 * @example
 * ```ts
 * const gate = new Watermarks({ highWaterMark: 4, lowWaterMark: 1, highWaterMarkBytes: 1 << 20 });
 * gate.update(5); // 'pause'
 * gate.update(2); // undefined (still paused)
 * gate.update(1); // 'resume'
 * gate.update(1, 8 << 20); // 'pause': one 8 MiB frame is over the byte mark
 * ```
 */
export class Watermarks {
  readonly high: number;
  readonly low: number;
  readonly highBytes: number;
  readonly lowBytes: number;
  private pausedState = false;

  constructor(options: WatermarkOptions) {
    const high = options.highWaterMark;
    if (!Number.isInteger(high) || high < 1) throw new RangeError(`highWaterMark must be a positive integer, got ${high}`);
    const low = options.lowWaterMark ?? Math.floor(high / 2);
    if (!Number.isInteger(low) || low < 0 || low >= high) {
      throw new RangeError(`lowWaterMark must be an integer in [0, highWaterMark), got ${low}`);
    }
    const highBytes = options.highWaterMarkBytes ?? Infinity;
    if (!(highBytes >= 1)) throw new RangeError(`highWaterMarkBytes must be at least 1, got ${highBytes}`);
    const lowBytes = options.lowWaterMarkBytes ?? (highBytes === Infinity ? Infinity : Math.floor(highBytes / 2));
    if (!(lowBytes >= 0) || (highBytes !== Infinity && lowBytes >= highBytes)) {
      throw new RangeError(`lowWaterMarkBytes must be in [0, highWaterMarkBytes), got ${lowBytes}`);
    }
    this.high = high;
    this.low = low;
    this.highBytes = highBytes;
    this.lowBytes = lowBytes;
  }

  /** Whether the gate is currently holding the source. */
  get paused(): boolean {
    return this.pausedState;
  }

  /** Feeds the current in-flight count (and bytes); returns a signal only when the state flips. */
  update(inFlight: number, inFlightBytes = 0): FlowSignal | undefined {
    if (!this.pausedState && (inFlight > this.high || inFlightBytes > this.highBytes)) {
      this.pausedState = true;
      return 'pause';
    }
    if (this.pausedState && inFlight <= this.low && inFlightBytes <= this.lowBytes) {
      this.pausedState = false;
      return 'resume';
    }
    return undefined;
  }
}
