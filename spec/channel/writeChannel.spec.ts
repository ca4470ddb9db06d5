import { map, Observable, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ChannelWriter } from '../../lib/channel/ChannelWriter';
import { writeChannel } from '../../lib/channel/writeChannel';
import { ChannelOverflowError } from '../../lib/errors/ChannelOverflowError';
import { FakeSocket } from '../connection/FakeSocket';
import { pausableTicks } from '../demand/support/pausableTicks';

const REF = { channel_id: '6f1d2c3b-4a59-4e8f-9a0b-1c2d3e4f5a6b', access_key: 'a2b3c4d5-e6f7-4a8b-9c0d-e1f2a3b4c5d6', direction: 'write' as const };

/**
 * A write socket whose network the test drains by hand under virtual time: each `send` adds its bytes to
 * `bufferedAmount` and its callback waits until `drain()` hands that frame to the network. What was sent
 * is told to `wire`.
 */
class SlowNetworkSocket extends FakeSocket {
  private readonly unsent: { size: number; cb?: (err?: Error) => void }[] = [];

  constructor(
    url: string,
    private readonly wire: Subject<string>,
  ) {
    super(url);
  }

  override send(data: string | Uint8Array, cb?: (err?: Error) => void): void {
    if (this.readyState !== 1) {
      cb?.(new Error('not open'));
      return;
    }
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    this.bufferedAmount += Buffer.byteLength(text);
    this.unsent.push({ size: Buffer.byteLength(text), cb });
    this.wire.next(text);
  }

  /** The network takes the oldest unsent frame. */
  drain(): void {
    const frame = this.unsent.shift();
    if (!frame) return;
    this.bufferedAmount -= frame.size;
    frame.cb?.();
  }

  /** Called once the socket closed or dropped (the test's network stops driving it). */
  onGone?: () => void;

  override close(code = 1005): void {
    this.closedByClient = true;
    this.drop(code);
  }

  override drop(code = 1006): void {
    super.drop(code);
    this.onGone?.();
  }
}

/**
 * A writer on a {@link SlowNetworkSocket}; `network` events drive it — `o` opens the socket, `d` drains one
 * frame — from the socket's creation until it closes.
 */
function slowWriter(network: Observable<string>): { writer: ChannelWriter; sockets: SlowNetworkSocket[]; wire: Subject<string> } {
  const sockets: SlowNetworkSocket[] = [];
  const wire = new Subject<string>();
  const writer = new ChannelWriter('ws://engine.test', REF, {
    records: false,
    socketFactory: (url) => {
      const socket = new SlowNetworkSocket(url, wire);
      sockets.push(socket);
      const link = network.subscribe((event) => (event === 'o' ? socket.open() : socket.drain()));
      socket.onGone = () => link.unsubscribe();
      return socket;
    },
  });
  return { writer, sockets, wire };
}

describe('writeChannel', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('holds a pausable source while the socket is above its high mark and resumes it at the low mark', () => {
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const seen = new Subject<string>();
      const network = hot('--o-----ddd-------dd-d');
      const { writer, wire } = slowWriter(network);
      const write$ = pausableTicks(['a', 'b', 'c', 'd', 'e', 'f'], seen).pipe(
        writeChannel(writer, { highWaterMarkBytes: 2, lowWaterMarkBytes: 0 }),
      );
      // 'a' waits for the socket to open; b and c go out at once; d is taken, stays queued and the source is
      // held (3 bytes unsent > 2) until the network has taken everything (0 ≤ low mark), then e and f follow;
      // the write completes once the last frame left and the socket closed normally
      expectObservable(seen).toBe('a--bcd-----ef|');
      expectObservable(wire).toBe('--abc-----def');
      expectObservable(write$.pipe(map((p) => p.frames))).toBe('--123-----456--------|', { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6 });
      expectSubscriptions(network.subscriptions).toBe('^--------------------!');
    });
  });

  it('a socket below its mark does not hold the source; the write completes once every frame left', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const seen = new Subject<string>();
      const network = hot('-o--d-d');
      const { writer } = slowWriter(network);
      const write$ = pausableTicks(['a', 'b'], seen).pipe(writeChannel(writer));
      expectObservable(seen).toBe('a-b|');
      expectObservable(write$).toBe('-xy---|', { x: { bytes: 1, frames: 1 }, y: { bytes: 2, frames: 2 } });
    });
  });

  it('a hot source that cannot pause fills the queue, then the write errors with ChannelOverflowError and unsubscribes it', () => {
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const { writer } = slowWriter(hot('-o'));
      const source = hot('--abcdef');
      const write$ = source.pipe(writeChannel(writer, { highWaterMarkBytes: 1, maxQueuedItems: 3 }));
      // a goes out (1 byte unsent, at the mark), b goes out too (the check is before each send: 1 ≤ 1), then
      // c, d and e wait in the queue; f would be the fourth queued item
      expectObservable(write$).toBe('--xy---#', { x: { bytes: 1, frames: 1 }, y: { bytes: 2, frames: 2 } }, overflowError());
      expectSubscriptions(source.subscriptions).toBe('^------!');
      expectObservable(writer.done$).toBe('--xy---#', { x: { bytes: 1, frames: 1 }, y: { bytes: 2, frames: 2 } }, overflowError());
    });
  });
});

/** Matches the overflow error by type and code (its message names the bounds). */
function overflowError(): unknown {
  return expect.objectContaining({ name: ChannelOverflowError.name, code: new ChannelOverflowError('x').code });
}
