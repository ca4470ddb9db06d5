import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Connection, ConnectionOptions } from '../../lib/connection/Connection';
import { Frame } from '../../lib/protocol/Frame';
import { invokeFunctionFrame, pingFrame, reattachFrame, registerFunctionFrame } from '../../lib/protocol/OutboundFrame';
import { ConnectionClosedError } from '../../lib/errors/ConnectionClosedError';
import { PayloadTooLargeError } from '../../lib/errors/PayloadTooLargeError';
import { SendQueueFullError } from '../../lib/errors/SendQueueFullError';
import { FakeSocket, fakeSocketFactory } from './FakeSocket';

const URL = 'ws://engine.test';

function newScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('Connection (virtual time, scripted sockets)', () => {
  it('retries with exponential backoff capped at maxDelayMs, then gives up after maxRetries', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { sockets, factory } = fakeSocketFactory();
      const openedAt: number[] = [];
      const connection = new Connection(URL, {
        scheduler,
        random: () => 0.5,
        reconnect: { maxRetries: 7 },
        socketFactory: (url) => {
          openedAt.push(scheduler.now());
          const socket = factory(url);
          scheduler.schedule(() => socket.drop(), 0); // refused
          return socket;
        },
      });
      expectObservable(connection.state$).toBe('r 90999ms (x|)', { r: 'reconnecting', x: 'closed' });
      scheduler.flush();
      expect(openedAt).toEqual([0, 1000, 3000, 7000, 15000, 31000, 61000, 91000]);
      expect(sockets).toHaveLength(8);
      expect(() => connection.send(pingFrame())).toThrow(ConnectionClosedError);
    });
  });

  it('a refused first connection is visible at once: state reconnecting and a warning naming the URL', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const warnings: string[] = [];
      const connection = new Connection(URL, {
        scheduler,
        reconnect: { maxRetries: 1 },
        random: () => 0.5,
        logger: { warn: (m) => warnings.push(m) },
        socketFactory: (url) => {
          const socket = new FakeSocket(url);
          scheduler.schedule(() => {
            socket.emitError(new Error('connect ECONNREFUSED 127.0.0.1:1'));
            socket.drop();
          }, 0);
          return socket;
        },
      });
      expectObservable(connection.state$).toBe('r 999ms (x|)', { r: 'reconnecting', x: 'closed' });
      scheduler.schedule(() => expect(warnings).toEqual([`cannot connect to ${URL}: connect ECONNREFUSED 127.0.0.1:1; retrying with backoff`]), 1);
    });
  });

  it('a URL the socket factory refuses closes the connection with a typed error, on state$ and the logger', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const errors: string[] = [];
      const connection = new Connection('not a url', {
        scheduler,
        logger: { error: (m) => errors.push(m) },
        socketFactory: () => {
          throw new SyntaxError('Invalid URL: not a url');
        },
      });
      const states: string[] = [];
      connection.state$.subscribe({ next: (state) => states.push(state), complete: () => states.push('|') });
      scheduler.schedule(() => {
        expect(states).toEqual(['connecting', 'closed', '|']);
        expect(connection.closeError).toBeInstanceOf(ConnectionClosedError);
        expect(errors).toEqual(['cannot open a socket to not a url: Invalid URL: not a url']);
      }, 1);
    });
  });

  it('jitters every delay with the injected random source', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const randoms = [0, 0.999999, 0.25, 0.75];
      let i = 0;
      const openedAt: number[] = [];
      const { factory } = fakeSocketFactory();
      new Connection(URL, {
        scheduler,
        random: () => randoms[i++ % randoms.length],
        reconnect: { maxRetries: 4 },
        socketFactory: (url) => {
          openedAt.push(scheduler.now());
          const socket = factory(url);
          scheduler.schedule(() => socket.drop(), 0);
          return socket;
        },
      });
      scheduler.flush();
      // delays 700 (1000−30 %), 2599 (2000+30 %), 3400 (4000−15 %), 9200 (8000+15 %)
      expect(openedAt).toEqual([0, 700, 3299, 6699, 15899]);
    });
  });

  it('resets the backoff after a successful open', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const openedAt: number[] = [];
      const { factory } = fakeSocketFactory();
      const script: Array<(s: FakeSocket) => void> = [
        (s) => (s.open(), scheduler.schedule(() => s.drop(), 100)), // opens, drops at 100
        (s) => s.drop(), // refused at 1100
        (s) => (s.open(), scheduler.schedule(() => s.drop(), 50)), // opens at 3100, drops at 3150
        (s) => s.open(), // 4150: attempt counter was reset, so the delay is 1000 again
      ];
      const connection = new Connection(URL, {
        scheduler,
        random: () => 0.5,
        socketFactory: (url) => {
          openedAt.push(scheduler.now());
          const socket = factory(url);
          const step = script[openedAt.length - 1];
          scheduler.schedule(() => step(socket), 0);
          return socket;
        },
      });
      scheduler.schedule(() => void connection.close(), 10_000);
      scheduler.flush();
      expect(openedAt).toEqual([0, 1100, 3100, 4150]);
    });
  });

  it('pings every 20 s and terminates + reconnects after 60 s without any inbound frame', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const { sockets, factory } = fakeSocketFactory();
      const connection = new Connection(URL, {
        scheduler,
        random: () => 0.5,
        socketFactory: (url) => {
          const socket = factory(url);
          scheduler.schedule(() => socket.open(), 0);
          return socket;
        },
      });
      scheduler.schedule(() => expect(sockets[0].pings).toBe(2), 59_999);
      scheduler.schedule(() => {
        expect(sockets[0].terminated).toBe(true);
        expect(connection.state).toBe('reconnecting');
      }, 60_001); // same instant as the idle timer, which was scheduled later
      scheduler.schedule(() => {
        expect(sockets).toHaveLength(2);
        expect(connection.state).toBe('open');
      }, 61_001);
      scheduler.schedule(() => void connection.close(), 70_000);
      scheduler.flush();
    });
  });

  it('keeps the socket while frames or pongs keep arriving', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const { sockets, factory } = fakeSocketFactory();
      const connection = new Connection(URL, {
        scheduler,
        socketFactory: (url) => {
          const socket = factory(url);
          scheduler.schedule(() => socket.open(), 0);
          return socket;
        },
      });
      for (let t = 30_000; t <= 300_000; t += 30_000) scheduler.schedule(() => sockets[0].activity(), t);
      scheduler.schedule(() => {
        expect(sockets).toHaveLength(1);
        expect(sockets[0].terminated).toBe(false);
        expect(sockets[0].pings).toBe(16);
        void connection.close();
      }, 330_000);
      scheduler.flush();
    });
  });

  it('on reconnect sends the replay frames (its owner\'s reattach and registrations), queued frames, then afterFlush — in that order', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const { sockets, factory } = fakeSocketFactory();
      let dropped: Error | undefined;
      const options: ConnectionOptions = {
        scheduler,
        random: () => 0.5,
        // the owner (a worker) supplies reattach: the connection reads no application frame
        replay: () => [...(sockets.length > 1 ? [reattachFrame('w-1', 't-1')] : []), registerFunctionFrame({ id: 'f' })],
        afterFlush: () => [invokeFunctionFrame({ function_id: 'engine::workers::register', data: {} })],
        socketFactory: (url) => {
          const socket = factory(url);
          scheduler.schedule(() => socket.open(), 0);
          return socket;
        },
      };
      const connection = new Connection(URL, options);
      scheduler.schedule(() => {
        sockets[0].drop();
        expect(connection.send(invokeFunctionFrame({ function_id: 'a', data: 1 }))).toBe('queued');
        connection.send(invokeFunctionFrame({ function_id: 'gone', data: 2 }), { stillWanted: () => false });
        expect(connection.send(registerFunctionFrame({ id: 'g' }), { whenClosed: 'skip' })).toBe('skipped');
        connection.send(invokeFunctionFrame({ function_id: 'b', data: 3 }), { onDropped: (e) => (dropped = e) });
      }, 10);
      scheduler.schedule(() => {
        const types = sockets[1].frames().map((f) => f.function_id ?? f.type);
        expect(types).toEqual(['reattach', 'registerfunction', 'a', 'b', 'engine::workers::register']);
        expect(sockets[1].frames()[0]).toEqual({ type: 'reattach', previous_worker_id: 'w-1', reattach_token: 't-1' });
        expect(sockets[0].frames().map((f) => f.type)).toEqual(['registerfunction', 'invokefunction']);
        void connection.close();
      }, 2000);
      scheduler.flush();
      expect(dropped).toBeUndefined();
    });
  });

  it('send$ completes when the frame is handed to the socket, unsubscribing a queued frame unsends it, close errors the rest', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { sockets, factory } = fakeSocketFactory();
      const connection = new Connection(URL, { scheduler, socketFactory: factory });
      const sent = connection.send$(invokeFunctionFrame({ function_id: 'sent', data: 1 }));
      const unwanted = connection.send$(invokeFunctionFrame({ function_id: 'unwanted', data: 2 }));
      const dropped = connection.send$(invokeFunctionFrame({ function_id: 'dropped', data: 3 }));
      expectObservable(sent).toBe('--|');
      expectObservable(unwanted, '-!').toBe('');
      scheduler.schedule(() => sockets[0].open(), 2);
      scheduler.schedule(() => {
        expect(sockets[0].frames().map((f) => f.function_id)).toEqual(['sent']);
        expect(connection.send(pingFrame())).toBe('sent');
        sockets[0].drop();
      }, 3);
      expectObservable(dropped, '---^').toBe('-----------#', undefined, expect.any(ConnectionClosedError));
      scheduler.schedule(() => void connection.close(), 11);
    });
  });

  it('bounds the send queue: a frame beyond maxQueuedFrames fails with SendQueueFullError', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const { factory } = fakeSocketFactory(); // never opens
      const connection = new Connection(URL, { scheduler, maxQueuedFrames: 2, socketFactory: factory });
      let wanted = true;
      connection.send(pingFrame(), { stillWanted: () => wanted });
      connection.send(pingFrame());
      expect(() => connection.send(pingFrame())).toThrow(SendQueueFullError);
      wanted = false; // its caller went away: its slot is reusable
      expect(connection.send(pingFrame())).toBe('queued');
      expect(connection.queuedFrames).toBe(2);
      void connection.close();
      expect(connection.queuedFrames).toBe(0);
    });
  });

  it('refuses to grow the socket buffer past maxBufferedBytes while open', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const { sockets, factory } = fakeSocketFactory();
      const connection = new Connection(URL, {
        scheduler,
        maxBufferedBytes: 1000,
        socketFactory: (url) => {
          const socket = factory(url);
          scheduler.schedule(() => socket.open(), 0);
          return socket;
        },
      });
      scheduler.schedule(() => {
        expect(connection.send(pingFrame())).toBe('sent');
        sockets[0].bufferedAmount = 1001; // the engine stopped reading
        expect(() => connection.send(pingFrame())).toThrow(SendQueueFullError);
        sockets[0].bufferedAmount = 0;
        expect(connection.send(pingFrame())).toBe('sent');
        void connection.close();
      }, 1);
      scheduler.flush();
    });
  });

  it('tells the owners of queued frames when close() drops them', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const { factory } = fakeSocketFactory();
      const connection = new Connection(URL, { scheduler, socketFactory: factory });
      const dropped: Error[] = [];
      connection.send(pingFrame(), { onDropped: (e) => dropped.push(e) });
      void connection.close();
      expect(dropped).toHaveLength(1);
      expect(dropped[0]).toBeInstanceOf(ConnectionClosedError);
      expect((dropped[0] as ConnectionClosedError).code).toBe('CONNECTION_CLOSED');
    });
  });

  it('refuses JSON over 16 MiB (UTF-8 bytes) with PayloadTooLargeError and stays open', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const { sockets, factory } = fakeSocketFactory();
      const connection = new Connection(URL, {
        scheduler,
        socketFactory: (url) => {
          const socket = factory(url);
          scheduler.schedule(() => socket.open(), 0);
          return socket;
        },
      });
      scheduler.schedule(() => {
        // 6 Mi characters of 3 UTF-8 bytes each: 18 MiB on the wire although only 6 Mi UTF-16 units
        const big = '€'.repeat(6 * 1024 * 1024);
        let error: unknown;
        try {
          connection.send(invokeFunctionFrame({ function_id: 'f', data: big }));
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(PayloadTooLargeError);
        expect((error as PayloadTooLargeError).code).toBe('PAYLOAD_TOO_LARGE');
        expect((error as Error).message).toMatch(/channel/);
        // just under the limit passes
        const fits = 'a'.repeat(16 * 1024 * 1024 - 100);
        expect(connection.send(invokeFunctionFrame({ function_id: 'f', data: fits }))).toBe('sent');
        expect(connection.state).toBe('open');
        expect(sockets[0].terminated || sockets[0].closedByClient).toBe(false);
        void connection.close();
      }, 1);
      scheduler.flush();
    });
  });

  it('reports malformed inbound frames to the logger and keeps delivering good ones', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const { sockets, factory } = fakeSocketFactory();
      const warnings: string[] = [];
      const connection = new Connection(URL, {
        scheduler,
        logger: { warn: (message) => warnings.push(message) },
        socketFactory: (url) => {
          const socket = factory(url);
          scheduler.schedule(() => socket.open(), 0);
          return socket;
        },
      });
      const frames: Frame[] = [];
      connection.frames$.subscribe((f) => frames.push(f));
      scheduler.schedule(() => {
        sockets[0].receive('{not json');
        sockets[0].receive({ type: 'invocationresult' });
        sockets[0].receive({ type: 'nonsense' });
        sockets[0].receive('   ');
        sockets[0].receive({ type: 'pong' });
      }, 1);
      scheduler.schedule(() => void connection.close(), 2);
      scheduler.flush();
      expect(frames).toEqual([{ type: 'pong' }]);
      expect(warnings).toHaveLength(3);
      expect(warnings[1]).toMatch(/invocation_id/);
    });
  });
});

describe('Connection streams and fail (virtual time, scripted sockets)', () => {
  it('state$ replays the current state; a late frames$ subscriber gets the frames of the socket open now', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { sockets, factory } = fakeSocketFactory();
      const connection = new Connection(URL, { scheduler, random: () => 0.5, socketFactory: factory });
      scheduler.schedule(() => sockets[0].open(), 1);
      scheduler.schedule(() => sockets[0].receive({ type: 'pong' }), 3);
      scheduler.schedule(() => sockets[0].drop(), 4);
      // the second socket is made at 1004 (backoff 1000 ms)
      scheduler.schedule(() => sockets[1].open(), 1005);
      scheduler.schedule(() => sockets[1].receive({ type: 'pong' }), 1006);
      scheduler.schedule(() => void connection.close(), 1007);
      const types = connection.frames$.pipe(map((frame) => frame.type));
      expectObservable(connection.state$, '--^').toBe('--o-r 1000ms o-(c|)', { o: 'open', r: 'reconnecting', c: 'closed' });
      expectObservable(types, '--^').toBe('---p 1002ms p|', { p: 'pong' });
      expectObservable(connection.state$, '1010ms ^').toBe('1010ms (c|)', { c: 'closed' });
    });
  });

  it('fail(err) closes for good with err: closeError, queued and later sends fail with it, the socket is closed, no reconnect', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { sockets, factory } = fakeSocketFactory();
      const errors: string[] = [];
      const connection = new Connection(URL, { scheduler, random: () => 0.5, socketFactory: factory, logger: { error: (m) => errors.push(m) } });
      const refusal = new Error('refused');
      const dropped: Error[] = [];
      connection.send(pingFrame(), { onDropped: (err) => dropped.push(err) });
      expectObservable(connection.state$).toBe('c-(x|)', { c: 'connecting', x: 'closed' });
      scheduler.schedule(() => connection.fail(refusal), 2);
      scheduler.schedule(() => {
        expect(connection.closeError).toBe(refusal);
        expect(dropped).toEqual([refusal]);
        expect(() => connection.send(pingFrame())).toThrow(refusal);
        expect(sockets[0].closedByClient).toBe(true);
        expect(errors).toEqual(['refused; not reconnecting']);
        connection.fail(new Error('ignored once closed'));
        expect(connection.closeError).toBe(refusal);
      }, 3);
      scheduler.schedule(() => expect(sockets).toHaveLength(1), 100_000);
    });
  });
});

describe('Connection.close', () => {
  it('resolves while still connecting, is idempotent and completes the streams', async () => {
    const { sockets, factory } = fakeSocketFactory();
    const connection = new Connection(URL, { socketFactory: factory });
    const states: string[] = [];
    let completed = false;
    connection.state$.subscribe({ next: (s) => states.push(s), complete: () => (completed = true) });
    const first = connection.close();
    expect(connection.close()).toBe(first);
    await first;
    expect(sockets[0].closedByClient).toBe(true);
    expect(states).toEqual(['connecting', 'closed']);
    expect(completed).toBe(true);
    expect(() => connection.send(pingFrame())).toThrow(ConnectionClosedError);
  });

  it('terminates a socket whose closing handshake does not finish', async () => {
    const { sockets, factory } = fakeSocketFactory();
    const connection = new Connection(URL, {
      closeTimeoutMs: 5,
      socketFactory: (url) => {
        const socket = factory(url);
        socket.close = () => {
          socket.closedByClient = true; // a peer that never answers the Close frame
        };
        setImmediate(() => socket.open());
        return socket;
      },
    });
    await new Promise<void>((resolve) => connection.state$.subscribe((s) => s === 'open' && resolve()));
    await connection.close();
    expect(sockets[0].closedByClient).toBe(true);
    expect(sockets[0].terminated).toBe(true);
  });
});
