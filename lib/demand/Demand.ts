/**
 * What a consumer tells a pausable source, one per subscription: whether it wants more values now. A
 * source made demand-aware (a channel reader, {@link pulled}) emits only while `wanted` is true and
 * starts again when the consumer calls `set(true)`. The consumer flips it per its own state: busy slots,
 * a full batch, a writer socket above its mark, or its own consumer not wanting more.
 *
 * @example
 * ```ts
 * const demand = new Demand();
 * const stop = demand.onResume(() => pullMore());
 * demand.set(false); // the source stops after the value it is emitting
 * demand.set(true);  // pullMore() runs
 * stop();
 * ```
 */
export class Demand {
  private wantedValue = true;
  private readonly listeners = new Set<() => void>();

  /** Whether the source may emit now. */
  get wanted(): boolean {
    return this.wantedValue;
  }

  /** Changes the wish; a change to `true` tells every `onResume` listener. */
  set(wanted: boolean): void {
    if (wanted === this.wantedValue) return;
    this.wantedValue = wanted;
    if (wanted) for (const listener of [...this.listeners]) listener();
  }

  /** Calls `listener` each time demand comes back; returns a function that stops listening. */
  onResume(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
