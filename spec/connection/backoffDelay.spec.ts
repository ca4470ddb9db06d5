import { DEFAULT_RECONNECT, backoffDelay } from '../../lib/connection/backoffDelay';

describe('backoffDelay', () => {
  it('doubles from 1000 ms and caps at 30 000 ms without jitter (r = 0.5)', () => {
    const delays = Array.from({ length: 8 }, (_, attempt) => backoffDelay(attempt, DEFAULT_RECONNECT, () => 0.5));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('applies ±30 % jitter from the injected random source', () => {
    expect(backoffDelay(0, DEFAULT_RECONNECT, () => 0)).toBe(700);
    expect(backoffDelay(0, DEFAULT_RECONNECT, () => 0.999999)).toBe(1299);
    expect(backoffDelay(10, DEFAULT_RECONNECT, () => 0)).toBe(21000);
    expect(backoffDelay(10, DEFAULT_RECONNECT, () => 0.75)).toBe(34500);
  });

  it('honours a custom policy and never goes negative', () => {
    const config = { ...DEFAULT_RECONNECT, initialDelayMs: 10, backoffMultiplier: 3, maxDelayMs: 100, jitterFactor: 2 };
    expect(backoffDelay(1, config, () => 0.5)).toBe(30);
    expect(backoffDelay(5, config, () => 0.5)).toBe(100);
    expect(backoffDelay(0, config, () => 0)).toBe(0);
  });
});
