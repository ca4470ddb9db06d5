import { Observable, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Connection } from '../../lib/connection/Connection';
import { ConnectionClosedError } from '../../lib/errors/ConnectionClosedError';
import type { SocketFactory } from '../../lib/socket/SocketLike';
import { FakeSocket } from './FakeSocket';

const URL = 'ws://engine.test';
const STATES = { c: 'connecting', o: 'open', r: 'reconnecting', x: 'closed' };

/**
 * A socket factory driven by marbles: every socket it makes plays `script` (`o` opens it, `d` drops it) and
 * lives exactly as long as its subscription to the script, so `script.subscriptions` is the life of each
 * socket the connection opened, dropped or closed.
 */
function scriptedSockets(script: Observable<string>): SocketFactory {
  return (url) => {
    const socket = new FakeSocket(url);
    const life = new Subscription();
    const setHandlers = socket.setHandlers.bind(socket);
    socket.setHandlers = (handlers) =>
      setHandlers({
        ...handlers,
        close: (code, reason) => {
          life.unsubscribe();
          handlers.close?.(code, reason);
        },
      });
    life.add(script.subscribe((step) => (step === 'o' ? socket.open() : socket.drop())));
    return socket;
  };
}

describe('Connection reconnects (marbles, scripted socket factory)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('one socket per attempt after 1, 2, 4 s of backoff; gives up after maxRetries, closed with ConnectionClosedError', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const refused = cold('-d');
      const connection = new Connection(URL, {
        scheduler,
        random: () => 0.5,
        reconnect: { maxRetries: 3 },
        socketFactory: scriptedSockets(refused),
      });
      expectObservable(connection.state$).toBe('cr 7002ms (x|)', STATES);
      expectSubscriptions(refused.subscriptions).toBe(['^!', '1001ms ^!', '3002ms ^!', '7003ms ^!']);
      scheduler.schedule(() => expect(connection.closeError).toBeInstanceOf(ConnectionClosedError), 7005);
    });
  });

  it('restarts the backoff after every open (resetOnSuccess), and close() during a backoff opens nothing more', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const flaky = cold('o-d');
      const connection = new Connection(URL, {
        scheduler,
        random: () => 0.5,
        reconnect: { maxRetries: 1 }, // never reached: each open restarts the count
        socketFactory: scriptedSockets(flaky),
      });
      scheduler.schedule(() => void connection.close(), 3000);
      expectObservable(connection.state$).toBe('o-r 999ms o-r 999ms o-r 993ms (x|)', STATES);
      expectSubscriptions(flaky.subscriptions).toBe(['^-!', '1002ms ^-!', '2004ms ^-!']);
    });
  });

  it('close() closes the open socket', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const healthy = cold('o');
      const connection = new Connection(URL, { scheduler, socketFactory: scriptedSockets(healthy) });
      scheduler.schedule(() => void connection.close(), 50);
      expectObservable(connection.state$).toBe('o 49ms (x|)', STATES);
      expectSubscriptions(healthy.subscriptions).toBe('^ 49ms !');
    });
  });
});
