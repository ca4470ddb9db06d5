import { TestScheduler } from 'rxjs/testing';
import { heartbeat } from '../../lib/connection/heartbeat';

const config = { pingIntervalMs: 20, idleTimeoutMs: 60 };

describe('heartbeat', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('pings every interval and reports idle after the timeout when nothing arrives', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const activity$ = cold<void>('-');
      expectObservable(heartbeat(activity$, config, scheduler)).toBe('20ms p 19ms p 19ms (i|)', {
        p: 'ping',
        i: 'idle',
      });
    });
  });

  it('any inbound activity restarts the idle timer; pings keep their period', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // activity at 50 ms ⇒ idle at 110 ms; pings at 20, 40, 60, 80, 100
      const activity$ = cold<void>('50ms a');
      expectObservable(heartbeat(activity$, config, scheduler)).toBe(
        '20ms p 19ms p 19ms p 19ms p 19ms p 9ms (i|)',
        { p: 'ping', i: 'idle' },
      );
    });
  });

  it('stops both timers when unsubscribed', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const activity$ = cold<void>('-');
      expectObservable(heartbeat(activity$, config, scheduler), '^ 30ms !').toBe('20ms p', { p: 'ping' });
    });
  });
});
