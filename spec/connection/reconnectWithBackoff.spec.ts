import { TestScheduler } from 'rxjs/testing';
import { DEFAULT_RECONNECT, ReconnectConfig } from '../../lib/connection/backoffDelay';
import { reconnectWithBackoff } from '../../lib/connection/reconnectWithBackoff';
import { SocketDroppedError } from '../../lib/connection/SocketDroppedError';
import { ConnectionClosedError } from '../../lib/errors/ConnectionClosedError';

const URL = 'ws://engine.test';
// 10, 20, 40, ... ms without jitter
const config: ReconnectConfig = { ...DEFAULT_RECONNECT, initialDelayMs: 10, maxDelayMs: 1000, jitterFactor: 0, maxRetries: -1 };

describe('reconnectWithBackoff (marbles)', () => {
  let scheduler: TestScheduler;
  let delays: number[];
  let warnings: string[];
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    delays = [];
    warnings = [];
  });
  const policy = (overrides: Partial<ReconnectConfig> = {}) =>
    reconnectWithBackoff<string>({
      url: URL,
      config: { ...config, ...overrides },
      random: () => 0.5,
      scheduler,
      logger: { warn: (m) => warnings.push(m) },
      reconnecting: (ms) => delays.push(ms),
    });

  it('resubscribes a dropped session after 10, 20, 40 ms, then gives up after maxRetries with ConnectionClosedError', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const session = cold('-#', undefined, new SocketDroppedError(1006, '', false, new Error('ECONNREFUSED')));
      expectObservable(session.pipe(policy({ maxRetries: 3 }))).toBe('74ms #', undefined, expect.any(ConnectionClosedError));
      expectSubscriptions(session.subscriptions).toBe(['^!', '11ms ^!', '32ms ^!', '73ms ^!']);
    });
    expect(delays).toEqual([10, 20, 40]);
    // a refused first attempt is announced once, not on every retry
    expect(warnings).toEqual([`cannot connect to ${URL}: ECONNREFUSED; retrying with backoff`]);
  });

  it('restarts the count with every value (an open socket): resetOnSuccess', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const session = cold('o#', { o: 'open' }, new SocketDroppedError(1006, '', true));
      // always the first delay again, and never giving up although maxRetries is 1
      expectObservable(session.pipe(policy({ maxRetries: 1 })), '^ 30ms !').toBe('o 10ms o 10ms o', { o: 'open' });
      expectSubscriptions(session.subscriptions).toBe(['^!', '11ms ^!', '22ms ^!']);
    });
    expect(delays).toEqual([10, 10, 10]); // the third waits when the subscriber leaves
    expect(warnings).toEqual([]);
  });

  it('passes any other error through at once (nothing to retry, e.g. a URL the factory refused)', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const refused = new ConnectionClosedError('cannot open a socket to not a url');
      const session = cold('-#', undefined, refused);
      expectObservable(session.pipe(policy())).toBe('-#', undefined, refused);
      expectSubscriptions(session.subscriptions).toBe('^!');
    });
    expect(delays).toEqual([]);
  });

  it('unsubscribing during the backoff cancels the reconnect', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const session = cold('o-#', { o: 'open' }, new SocketDroppedError(1000, 'bye', true));
      expectObservable(session.pipe(policy()), '^ 5ms !').toBe('o', { o: 'open' });
      expectSubscriptions(session.subscriptions).toBe('^-!');
    });
    expect(delays).toEqual([10]);
  });

  it('unsubscribing while a session is live unsubscribes it', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const session = cold('o---', { o: 'open' });
      expectObservable(session.pipe(policy()), '^--!').toBe('o', { o: 'open' });
      expectSubscriptions(session.subscriptions).toBe('^--!');
    });
  });
});
