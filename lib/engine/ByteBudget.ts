/** Something that holds bytes of a {@link ByteBudget} and pauses while the budget is exhausted. */
export interface ByteBudgetMember {
  /** Called when the budget becomes exhausted or has room again. */
  budgetChanged(): void;
}

/**
 * A count of bytes held against a limit, shared by several holders (e.g. every channel one worker
 * created, or every channel of the engine). Members are told when it becomes exhausted and when it has
 * room again, so they can pause and resume their writers.
 *
 * @example
 * ```ts
 * const engineWide = new ByteBudget(256 * 1024 * 1024);
 * engineWide.charge(1024);
 * engineWide.exhausted; // false
 * engineWide.refund(1024);
 * ```
 */
export class ByteBudget {
  private usedBytes = 0;
  private readonly members = new Set<ByteBudgetMember>();

  constructor(readonly limit: number) {}

  /** Bytes held now. */
  get used(): number {
    return this.usedBytes;
  }

  /** True while the bytes held reach the limit. */
  get exhausted(): boolean {
    return this.usedBytes >= this.limit;
  }

  /** Number of members (for bookkeeping: an idle budget with no member can be dropped). */
  get memberCount(): number {
    return this.members.size;
  }

  join(member: ByteBudgetMember): void {
    this.members.add(member);
  }

  leave(member: ByteBudgetMember): void {
    this.members.delete(member);
  }

  charge(bytes: number): void {
    if (bytes <= 0) return;
    const was = this.exhausted;
    this.usedBytes += bytes;
    if (!was && this.exhausted) this.notify();
  }

  refund(bytes: number): void {
    if (bytes <= 0) return;
    const was = this.exhausted;
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
    if (was && !this.exhausted) this.notify();
  }

  private notify(): void {
    for (const member of [...this.members]) member.budgetChanged();
  }
}
