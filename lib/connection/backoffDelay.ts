import { PROTOCOL } from '../protocol/constants';

/** How a lost worker connection is retried (PROTOCOL.md §3, defaults §9.1). */
export interface ReconnectConfig {
  /** First delay, in ms. Default 1000. */
  initialDelayMs: number;
  /** Factor applied per attempt. Default 2. */
  backoffMultiplier: number;
  /** Largest delay before jitter, in ms. Default 30 000. */
  maxDelayMs: number;
  /** Jitter as a fraction of the delay, applied both ways (0.3 = ±30 %). Default 0.3. */
  jitterFactor: number;
  /** Reconnect attempts before giving up (state `closed`); `-1` or `Infinity` = never give up. Default -1. */
  maxRetries: number;
}

/** The official SDK's reconnect numbers. */
export const DEFAULT_RECONNECT: ReconnectConfig = {
  initialDelayMs: PROTOCOL.reconnectInitialMs,
  backoffMultiplier: PROTOCOL.reconnectFactor,
  maxDelayMs: PROTOCOL.reconnectMaxMs,
  jitterFactor: PROTOCOL.reconnectJitter,
  maxRetries: -1,
};

/**
 * The delay before reconnect attempt `attempt` (0-based, reset to 0 after every successful open):
 * `floor(min(initial · multiplier^attempt, max) · (1 + jitter · (2r − 1)))` with `r = random()` in [0, 1),
 * the same formula as the official SDK. Never negative.
 *
 * @example
 * ```ts
 * backoffDelay(0, DEFAULT_RECONNECT, () => 0.5); // 1000
 * backoffDelay(10, DEFAULT_RECONNECT, () => 0);  // 21000 (30 000 capped, −30 %)
 * ```
 */
export function backoffDelay(attempt: number, config: ReconnectConfig, random: () => number = Math.random): number {
  const exponential = config.initialDelayMs * config.backoffMultiplier ** attempt;
  const capped = Math.min(exponential, config.maxDelayMs);
  const jitter = capped * config.jitterFactor * (2 * random() - 1);
  return Math.max(0, Math.floor(capped + jitter));
}
