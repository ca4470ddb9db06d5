import { createHash, timingSafeEqual } from 'node:crypto';
import { ByteBudget } from './ByteBudget';
import { Channel, ChannelReaderLimits } from './Channel';
import type { EngineLog } from './EngineLogger';

/** Departed connections remembered for a late `reattach`. */
const MAX_DEPARTED = 4096;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Lifetime settings of the broker (PROTOCOL.md §6.7; tests shorten them). */
export interface ChannelBrokerOptions {
  /** A channel with an untaken half is removed once older than this; also how long tombstones live. */
  ttlMs: number;
  /** How often the sweep runs. */
  sweepMs: number;
  /** Reader-side send limits of every channel. */
  readerLimits: ChannelReaderLimits;
  /** Bytes queued in all channels one worker created (writers pause beyond it). Default: no cap. */
  maxQueuedBytesPerWorker?: number;
  /** Bytes queued in all channels of the engine (writers pause beyond it). Default: no cap. */
  maxQueuedBytesTotal?: number;
}

/** Counts for `engine.stats()`. */
export interface ChannelBrokerStats {
  /** Channels in the table, including tombstones. */
  channels: number;
  /** Channels whose sockets are all gone (kept so a late connect gets 101 + close, not 404). */
  tombstones: number;
  /** Messages queued in the engine across every channel. */
  queuedMessages: number;
  /** Bytes queued in the engine across every channel. */
  queuedBytes: number;
}

/**
 * The table of channels: creation, constant-time key lookup, the TTL sweep of half-connected channels,
 * tombstones for used-up channels (freed one TTL after they settle), and owner cleanup.
 *
 * @example
 * ```ts
 * const broker = new ChannelBroker(log, { ttlMs: 300_000, sweepMs: 60_000, readerLimits });
 * broker.start();
 * const channel = broker.create(64);
 * broker.lookup(channel.id, channel.accessKey) === channel; // true
 * await broker.close();
 * ```
 */
export class ChannelBroker {
  private readonly channels = new Map<string, Channel>();
  /** Channels by the worker connection that created them (for the per-connection limit). */
  private readonly byCreator = new Map<string, Set<Channel>>();
  /** The creator identity of each channel that has one. */
  private readonly creatorOf = new Map<Channel, string>();
  /** Queued-byte budgets per creator identity. */
  private readonly budgets = new Map<string, ByteBudget>();
  /** A reconnected worker's id → the identity its quotas are counted under (its first connection's id). */
  private readonly identities = new Map<string, string>();
  private readonly totalBudget: ByteBudget;
  /** Departed connections whose identity still has open channels: worker id → identity and reattach token digest. */
  private readonly departed = new Map<string, { identity: string; token: Buffer }>();
  private timer?: NodeJS.Timeout;
  private closed = false;
  /** Compared against when the id is unknown, so both failures cost the same. */
  private readonly decoy: Channel;

  constructor(
    private readonly log: EngineLog,
    private readonly options: ChannelBrokerOptions,
  ) {
    this.decoy = new Channel(1, log, options.readerLimits);
    this.totalBudget = new ByteBudget(options.maxQueuedBytesTotal ?? Infinity);
  }

  /** The identity quotas of `workerId` are counted under. */
  identityOf(workerId: string): string {
    return this.identities.get(workerId) ?? workerId;
  }

  /**
   * A worker reconnected as `workerId` after being `previousId` (a `reattach` the engine accepted): its
   * channel quota and queued-byte budget carry over instead of starting from zero.
   */
  inheritCreator(workerId: string, previousId: string): void {
    const identity = this.identityOf(previousId);
    if (identity !== workerId) this.identities.set(workerId, identity);
  }

  /** Bytes queued in channels created by `workerId`'s identity. */
  queuedBytesOf(workerId: string): number {
    return this.budgets.get(this.identityOf(workerId))?.used ?? 0;
  }

  /** Starts the periodic sweep (an unref'd timer, cleared by {@link ChannelBroker.close}). */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.sweep(), this.options.sweepMs);
    this.timer.unref();
  }

  /**
   * Creates a channel of `capacity` messages (already clamped by the caller). `creator` (a worker id) is
   * only counted for {@link ChannelBroker.openCreatedBy}; unlike `owner` it does not tie the channel's
   * lifetime to that worker.
   */
  create(capacity: number, owner?: string, creator?: string): Channel {
    const identity = creator === undefined ? undefined : this.identityOf(creator);
    const budgets = [this.totalBudget];
    if (identity !== undefined && this.options.maxQueuedBytesPerWorker !== undefined) {
      let budget = this.budgets.get(identity);
      if (!budget) this.budgets.set(identity, (budget = new ByteBudget(this.options.maxQueuedBytesPerWorker)));
      budgets.push(budget);
    }
    const channel = new Channel(capacity, this.log, this.options.readerLimits, owner, budgets);
    this.channels.set(channel.id, channel);
    if (identity !== undefined) {
      let set = this.byCreator.get(identity);
      if (!set) this.byCreator.set(identity, (set = new Set()));
      set.add(channel);
      this.creatorOf.set(channel, identity);
    }
    this.log.debug('channel created', { channel_id: channel.id, buffer_size: capacity });
    return channel;
  }

  /**
   * The channel with this id if `key` is its access key, else undefined. The key comparison takes the
   * same time whether the id is unknown or the key is wrong.
   */
  lookup(id: string, key: string): Channel | undefined {
    const channel = this.channels.get(id);
    const ok = (channel ?? this.decoy).keyMatches(key);
    return channel && ok ? channel : undefined;
  }

  /**
   * One sweep: channels older than the TTL with a half never taken are removed (their untaken halves
   * discarded first); tombstones older than the TTL are freed. Returns how many entries were removed.
   */
  sweep(now = Date.now()): number {
    let removed = 0;
    for (const [id, channel] of this.channels) {
      if (channel.halfUntaken && now - channel.createdAt >= this.options.ttlMs) {
        channel.discardUntakenHalves();
        this.forget(id, channel);
        removed++;
        this.log.debug('channel expired', { channel_id: id });
      } else if (channel.settledAt !== undefined && now - channel.settledAt >= this.options.ttlMs) {
        this.forget(id, channel);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Channels created by `creator` that are still open: in the table and not used up (a channel counts
   * until both halves were taken and both sockets are gone, or until the sweep removes it).
   */
  openCreatedBy(creator: string): number {
    const identity = this.identityOf(creator);
    const set = this.byCreator.get(identity);
    if (!set) return 0;
    for (const channel of set) {
      if (channel.settledAt !== undefined || this.channels.get(channel.id) !== channel) set.delete(channel);
    }
    if (set.size === 0) this.byCreator.delete(identity);
    return set.size;
  }

  /**
   * A connection left. Its channels live on and keep counting against its identity (so reconnecting does
   * not reset the quota); only the alias of this connection's id is dropped.
   */
  forgetCreator(creator: string, reattachToken?: string): void {
    const identity = this.identityOf(creator);
    this.identities.delete(creator);
    if (reattachToken === undefined || this.openCreatedBy(identity) === 0) return;
    // remembered (at most MAX_DEPARTED, oldest first out) so a later reattach still carries the quota over
    this.departed.set(creator, { identity, token: digest(reattachToken) });
    if (this.departed.size > MAX_DEPARTED) this.departed.delete(this.departed.keys().next().value as string);
  }

  /**
   * A worker reconnected as `workerId` and presented `previousId` and its reattach token, but that
   * connection is already gone: if it left open channels, their quota carries over. True when it did.
   */
  inheritDeparted(workerId: string, previousId: string, token: string | undefined): boolean {
    const record = this.departed.get(previousId);
    if (!record || token === undefined || !timingSafeEqual(digest(token), record.token)) return false;
    this.departed.delete(previousId);
    if (record.identity !== workerId) this.identities.set(workerId, record.identity);
    return true;
  }

  /** Channels in the table (tombstones included). */
  get size(): number {
    return this.channels.size;
  }

  /** Removes a channel from every table and releases its bytes. */
  private forget(id: string, channel: Channel): void {
    this.channels.delete(id);
    channel.release();
    const identity = this.creatorOf.get(channel);
    if (identity === undefined) return;
    this.creatorOf.delete(channel);
    const set = this.byCreator.get(identity);
    set?.delete(channel);
    if (set?.size === 0) this.byCreator.delete(identity);
    const budget = this.budgets.get(identity);
    if (budget && budget.used === 0 && budget.memberCount === 0 && !set?.size) this.budgets.delete(identity);
  }

  /** Removes the channels owned by a worker (only untaken halves are affected; open sockets stream on). */
  removeOwnedBy(workerId: string): number {
    let removed = 0;
    for (const [id, channel] of this.channels) {
      if (channel.owner === workerId) {
        channel.discardUntakenHalves();
        this.forget(id, channel);
        removed++;
      }
    }
    return removed;
  }

  stats(): ChannelBrokerStats {
    let tombstones = 0;
    let queuedMessages = 0;
    let queuedBytes = 0;
    for (const channel of this.channels.values()) {
      if (channel.settledAt !== undefined) tombstones++;
      queuedMessages += channel.queued;
      queuedBytes += channel.queuedBytes;
    }
    return { channels: this.channels.size, tombstones, queuedMessages, queuedBytes };
  }

  /** Stops the sweep and terminates every channel socket. Idempotent. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const channel of this.channels.values()) channel.terminate();
    this.channels.clear();
    this.byCreator.clear();
    this.creatorOf.clear();
    this.budgets.clear();
    this.identities.clear();
    this.departed.clear();
  }
}
