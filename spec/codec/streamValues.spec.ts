import { lastValueFrom, Observable, range, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ChannelHost } from '../../lib/channel/ChannelHost';
import { framedValues, streamValues, toChannelItem } from '../../lib/codec/streamValues';
import { IiiRxError } from '../../lib/errors/IiiRxError';
import { PayloadEncodeError } from '../../lib/errors/PayloadEncodeError';
import { encodeStreamBegin } from '../../lib/protocol/streamEnd';
import { FakeSocket } from '../connection/FakeSocket';

/** The first frame of every iii-rx stream (protocol/streamEnd). */
const BEGIN = encodeStreamBegin();

const READ = { channel_id: '6f1d2c3b-4a59-4e8f-9a0b-1c2d3e4f5a6b', access_key: 'a2b3c4d5-e6f7-4a8b-9c0d-e1f2a3b4c5d6', direction: 'read' };
const WRITE = { ...READ, direction: 'write' };

/** A scripted socket that opens as soon as its owner listens (the network under virtual time). */
class OpeningSocket extends FakeSocket {
  override setHandlers(handlers: Parameters<FakeSocket['setHandlers']>[0]): void {
    super.setHandlers(handlers);
    this.open();
  }
  /** A clean close is echoed with its own code. */
  override close(code?: number): void {
    this.closedByClient = true;
    this.drop(code ?? 1005);
  }
}

/** A channel host whose `engine::channels::create` answers `create$`, over scripted channel sockets. */
function scriptedHost(create$: Observable<unknown>) {
  const sockets: FakeSocket[] = [];
  const host: ChannelHost = {
    url: 'ws://engine.test',
    socketFactory: (url) => {
      const socket = new OpeningSocket(url);
      sockets.push(socket);
      return socket;
    },
    trigger: () => create$,
  };
  return { host, sockets };
}

describe('streamValues', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('emits the reader ref, subscribes the source once the channel exists, and unsubscribing stops the source', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const { host, sockets } = scriptedHost(cold('--r|', { r: { reader: READ, writer: WRITE } }));
      const values = hot('-a-b-c-d-e-f-g');
      expectObservable(streamValues(host, values), '^-------!').toBe('--r', { r: READ });
      expectSubscriptions(values.subscriptions).toBe('--^-----!');
      scheduler.schedule(() => {
        expect(sockets.map((s) => new URL(s.url).searchParams.get('dir'))).toEqual(['write', 'read']);
        // the writer was dropped and the untaken reader half taken and dropped: the engine frees the channel
        expect(sockets.every((s) => s.terminated)).toBe(true);
        expect(sockets[0].sent).toEqual([BEGIN, '"b"\n', '"c"\n', '"d"\n']);
      }, 9);
    });
  });

  it('unsubscribing before the channel exists never subscribes the source', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const create = cold('----r|', { r: { reader: READ, writer: WRITE } });
      const { host, sockets } = scriptedHost(create);
      const values = cold('a|');
      expectObservable(streamValues(host, values), '^-!').toBe('');
      expectSubscriptions(create.subscriptions).toBe('^-!');
      expectSubscriptions(values.subscriptions).toBe([]);
      scheduler.schedule(() => expect(sockets).toEqual([]), 5);
    });
  });

  it('ends a finished source with the end record and completes once the writer closed normally', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { host, sockets } = scriptedHost(cold('r|', { r: { reader: READ, writer: WRITE } }));
      const values = cold('-a-b|', { a: { n: 1 }, b: new Uint8Array([1]) });
      expectObservable(streamValues(host, values)).toBe('r---|', { r: READ });
      expectSubscriptions(values.subscriptions).toBe('^---!');
      scheduler.schedule(() => {
        expect(sockets).toHaveLength(1);
        expect(sockets[0].sent).toEqual([BEGIN, '{"n":1}\n', '\u0001', '{"$iii_rx":"end"}\n']);
        expect(sockets[0].closedByClient).toBe(true);
      }, 5);
    });
  });

  it('a failing source sends an error record with its code and message and tells onSourceError', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { host, sockets } = scriptedHost(cold('r|', { r: { reader: READ, writer: WRITE } }));
      const failures: Error[] = [];
      const values = cold('-a#', { a: 1 }, new IiiRxError('NOT_ALLOWED', 'nope'));
      expectObservable(streamValues(host, values, { onSourceError: (e) => failures.push(e) })).toBe('r-|', { r: READ });
      scheduler.schedule(() => {
        expect(sockets[0].sent).toEqual([BEGIN, '1\n', '{"$iii_rx":"error","code":"NOT_ALLOWED","message":"nope"}\n']);
        expect(failures.map((e) => e.message)).toEqual(['nope']);
      }, 4);
    });
  });
});

describe('framedValues', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('a plain Error travels as stream_failed; a value that cannot travel fails the stream and unsubscribes the source', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('a#', { a: null }, new Error('boom'));
      expectObservable(framedValues(failing)).toBe('a(b|)', {
        a: 'null\n',
        b: '{"$iii_rx":"error","code":"stream_failed","message":"boom"}\n',
      });
      const reserved = cold('-a-b-c', { a: 1, b: { $iii_rx: 'end' }, c: 3 });
      expectObservable(framedValues(reserved)).toBe('-a-(b|)', {
        a: '1\n',
        b: expect.stringMatching(/^\{"\$iii_rx":"error","code":"PAYLOAD_NOT_JSON","message":"a stream value is an object whose first key is/),
      });
      expectSubscriptions(reserved.subscriptions).toBe('^--!');
    });
  });

  it('a synchronous burst: 64 values one per frame, the rest batched as NDJSON lines; a synchronous bad value stops the source', async () => {
    const frames = await lastValueFrom(framedValues(range(1, 1000)).pipe(toArray()));
    expect(frames.slice(0, 64)).toEqual(Array.from({ length: 64 }, (_, i) => `${i + 1}\n`));
    expect(frames).toHaveLength(66);
    expect(frames[64]).toBe(Array.from({ length: 936 }, (_, i) => `${i + 65}\n`).join(''));
    expect(frames[65]).toBe('{"$iii_rx":"end"}\n');
    let produced = 0;
    const bad = new Observable<unknown>((subscriber) => {
      for (let i = 0; i < 10 && !subscriber.closed; i++) {
        produced++;
        subscriber.next(i === 2 ? { $iii_rx: 'x' } : i);
      }
      subscriber.complete();
    });
    const badFrames = await lastValueFrom(framedValues(bad).pipe(toArray()));
    expect(produced).toBe(3);
    expect(badFrames.slice(0, 2)).toEqual(['0\n', '1\n']);
    expect(badFrames[2]).toMatch(/"code":"PAYLOAD_NOT_JSON"/);
  });

  it('toChannelItem: bytes stay binary, undefined is null, a reserved end record is refused', () => {
    expect(toChannelItem(new Uint8Array([1]))).toEqual(new Uint8Array([1]));
    expect(toChannelItem(undefined)).toBe('null\n');
    expect(toChannelItem({ a: [1] })).toBe('{"a":[1]}\n');
    expect(() => toChannelItem({ $iii_rx: 'end' })).toThrow(PayloadEncodeError);
    expect(() => toChannelItem(10n)).toThrow(PayloadEncodeError);
    expect(toChannelItem({ x: 1, $iii_rx: 'end' })).toBe('{"x":1,"$iii_rx":"end"}\n');
  });});
