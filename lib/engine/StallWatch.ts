/**
 * Watches one outbound path for a stall: armed while the bytes waiting to be sent stay above a high mark,
 * re-armed each time a write completes (progress), disarmed once they drop below the mark. When it fires,
 * nothing was written for `timeoutMs` while above the mark: the peer is not reading.
 *
 * @example
 * ```ts
 * const watch = new StallWatch(30_000, () => ws.terminate());
 * watch.update(bytesWaiting > highWater); // after every send
 * watch.progress(bytesWaiting > highWater); // in every write callback
 * watch.stop();
 * ```
 */
export class StallWatch {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: () => void,
  ) {}

  /** Arms the watch when `above` and not armed yet; disarms it when not `above`. */
  update(above: boolean): void {
    if (!above) this.stop();
    else if (!this.timer) this.arm();
  }

  /** A write completed: restarts the wait when still `above`. */
  progress(above: boolean): void {
    this.stop();
    if (above) this.arm();
  }

  /** Disarms the watch. Idempotent. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (!Number.isFinite(this.timeoutMs)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onStall();
    }, this.timeoutMs);
    this.timer.unref();
  }
}
