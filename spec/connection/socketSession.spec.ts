import { asyncScheduler, map, mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { SocketDroppedError } from '../../lib/connection/SocketDroppedError';
import { SocketSessionOptions, socketSession } from '../../lib/connection/socketSession';
import { ConnectionClosedError } from '../../lib/errors/ConnectionClosedError';
import { fakeSocketFactory } from './FakeSocket';

describe('socketSession (virtual time, scripted sockets)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  function session(overrides: Partial<SocketSessionOptions> = {}) {
    const { sockets, factory } = fakeSocketFactory();
    const closing: Array<Promise<void>> = [];
    const warnings: string[] = [];
    const session$ = socketSession({
      factory,
      url: 'ws://engine.test',
      open: {},
      heartbeat: { pingIntervalMs: 20, idleTimeoutMs: 60 },
      scheduler,
      logger: { warn: (m) => warnings.push(m) },
      closeTimeoutMs: 5,
      closing: (closed) => closing.push(closed),
      ...overrides,
    });
    return { sockets, closing, warnings, session$ };
  }

  it('one subscription is one socket: emits it once open, errors with SocketDroppedError when it closes', () => {
    scheduler.run(({ expectObservable }) => {
      const { sockets, session$ } = session();
      expectObservable(session$.pipe(map(() => 'o'))).toBe('--o--#', undefined, new SocketDroppedError(1006, '', true));
      scheduler.schedule(() => sockets[0].open(), 2);
      scheduler.schedule(() => sockets[0].drop(1006), 5);
      scheduler.schedule(() => expect(sockets).toHaveLength(1), 10);
    });
  });

  it('delivers the decoded frames of the open socket and logs malformed ones', () => {
    scheduler.run(({ expectObservable }) => {
      const { sockets, warnings, session$ } = session();
      const frames$ = session$.pipe(mergeMap((open) => open.frames.pipe(map((frame) => frame.type))));
      expectObservable(frames$, '^ 9ms !').toBe('--p-q', { p: 'pong', q: 'workerregistered' });
      scheduler.schedule(() => sockets[0].open(), 1);
      scheduler.schedule(() => sockets[0].receive({ type: 'pong' }), 2);
      scheduler.schedule(() => sockets[0].receive({ type: 'nonsense' }), 3);
      scheduler.schedule(() => sockets[0].receive({ type: 'workerregistered', worker_id: 'w' }), 4);
      scheduler.schedule(() => expect(warnings).toHaveLength(1), 5);
    });
  });

  it('unsubscribing closes the socket (also while it is connecting) and reports when it is closed', async () => {
    const { sockets, closing, session$ } = session({ scheduler: asyncScheduler });
    // real time here: the closing promise resolves on the socket's close event
    const live = session$.subscribe({ error: () => undefined });
    live.unsubscribe();
    expect(sockets[0].closedByClient).toBe(true);
    expect(closing).toHaveLength(1);
    await closing[0];
  });

  it('terminates a socket whose closing handshake does not finish within closeTimeoutMs', () => {
    scheduler.run(() => {
      const { sockets, closing, session$ } = session();
      const live = session$.subscribe();
      scheduler.schedule(() => {
        sockets[0].open();
        sockets[0].close = () => undefined; // a peer that never answers the Close frame
        live.unsubscribe();
        expect(closing).toHaveLength(1);
      }, 1);
      scheduler.schedule(() => expect(sockets[0].terminated).toBe(false), 5);
      scheduler.schedule(() => expect(sockets[0].terminated).toBe(true), 7); // its timer runs after this frame's checks
    });
  });

  it('pings while open and terminates the socket after idleTimeoutMs without an inbound frame', () => {
    scheduler.run(({ expectObservable }) => {
      const { sockets, warnings, session$ } = session();
      expectObservable(session$.pipe(map(() => 'o'))).toBe('o 59ms #', undefined, new SocketDroppedError(1006, '', true));
      scheduler.schedule(() => sockets[0].open(), 0);
      scheduler.schedule(() => expect(sockets[0].pings).toBe(2), 59);
      scheduler.schedule(() => {
        expect(sockets[0].terminated).toBe(true);
        expect(warnings).toEqual(['no inbound frame for the idle timeout; terminating the socket to reconnect']);
      }, 61);
    });
  });

  it('a URL the factory refuses errors with ConnectionClosedError on the next turn', () => {
    scheduler.run(({ expectObservable }) => {
      const { session$ } = session({
        factory: () => {
          throw new SyntaxError('Invalid URL');
        },
      });
      expectObservable(session$).toBe('#', undefined, expect.any(ConnectionClosedError));
    });
  });
});
