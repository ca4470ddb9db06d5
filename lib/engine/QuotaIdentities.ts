import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Which identity a worker connection's quotas are counted under, so that reconnecting does not reset them.
 * A connection starts as its own identity (its worker id). A `reattach` with the right token makes the new
 * connection take the identity of the one it replaces: at once when that connection is still live (the
 * engine checked the token), or later, while the departed connection's identity still holds something that
 * outlived it (nobody-owned trigger bindings), by presenting its reattach token. Records of departed
 * connections are kept only while their identity holds something, so the table stays bounded by what it counts.
 *
 * @example
 * ```ts
 * const ids = new QuotaIdentities();
 * ids.depart('w1', 'token-1', true); // w1 left, its identity still holds bindings
 * ids.inheritDeparted('w2', 'w1', 'token-1'); // true
 * ids.identityOf('w2'); // 'w1'
 * ```
 */
export class QuotaIdentities {
  /** Live worker id → the identity it counts under (only when that is not its own id). */
  private readonly aliases = new Map<string, string>();
  /** Departed worker id → its identity and the digest of its reattach token. */
  private readonly departed = new Map<string, { identity: string; token: Buffer }>();
  /** Worker ids whose identity a live `reattach` already handed on (no departed record when they go). */
  private readonly superseded = new Set<string>();

  /** The identity quotas of `workerId` are counted under. */
  identityOf(workerId: string): string {
    return this.aliases.get(workerId) ?? workerId;
  }

  /** A live connection `previousId` is replaced by `workerId` (the caller checked the token): the identity moves. */
  inherit(workerId: string, previousId: string): void {
    const identity = this.identityOf(previousId);
    if (identity !== workerId) this.aliases.set(workerId, identity);
    this.superseded.add(previousId);
  }

  /**
   * A connection left. When `holds` (its identity still owns something that outlives the connection), a later
   * `reattach` that presents `token` may take the identity over.
   */
  depart(workerId: string, token: string, holds: boolean): void {
    const identity = this.identityOf(workerId);
    this.aliases.delete(workerId);
    if (this.superseded.delete(workerId) || !holds) return;
    this.departed.set(workerId, { identity, token: digest(token) });
  }

  /** `reattach` naming a departed connection: true (and the identity moves) when the token matches its record. */
  inheritDeparted(workerId: string, previousId: string, token: string | undefined): boolean {
    const record = this.departed.get(previousId);
    if (!record || typeof token !== 'string' || !timingSafeEqual(record.token, digest(token))) return false;
    this.departed.delete(previousId);
    if (record.identity !== workerId) this.aliases.set(workerId, record.identity);
    return true;
  }

  /** `identity` holds nothing any more: its departed records go. */
  release(identity: string): void {
    for (const [id, record] of this.departed) if (record.identity === identity) this.departed.delete(id);
  }

  /** Departed connections remembered (for tests: the table stays bounded). */
  get departedCount(): number {
    return this.departed.size;
  }
}
