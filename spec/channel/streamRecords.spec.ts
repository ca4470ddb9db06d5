import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ChannelReader } from '../../lib/channel/ChannelReader';
import { StreamRecordReader, StreamRecordWriter } from '../../lib/channel/streamRecords';
import { consume } from '../../lib/demand/consume';
import { ChannelClosedError } from '../../lib/errors/ChannelClosedError';
import { IiiRxError } from '../../lib/errors/IiiRxError';
import { StreamError } from '../../lib/errors/StreamError';
import { StreamTruncatedError } from '../../lib/errors/StreamTruncatedError';
import { decodeStreamRecord, encodeStreamBegin, encodeStreamEnd } from '../../lib/protocol/streamEnd';
import type { SocketHandlers } from '../../lib/socket/SocketLike';
import { FakeSocket } from '../connection/FakeSocket';

const BEGIN = encodeStreamBegin();
const END = encodeStreamEnd({ kind: 'end' });
const FAILED = encodeStreamEnd({ kind: 'error', code: 'NOT_ALLOWED', message: 'nope' });
const REF = { channel_id: '6f1d2c3b-4a59-4e8f-9a0b-1c2d3e4f5a6b', access_key: 'a2b3c4d5-e6f7-4a8b-9c0d-e1f2a3b4c5d6', direction: 'read' as const };

/** A scripted channel socket that can pause, counting the pauses (the network under virtual time). */
class PausableSocket extends FakeSocket {
  override readonly canPause = true as false; // FakeSocket types it as false; this one pauses
  pauses = 0;
  resumes = 0;
  private onMessage: SocketHandlers['message'];
  override setHandlers(handlers: SocketHandlers): void {
    super.setHandlers(handlers);
    this.onMessage = handlers.message;
  }
  /** A binary frame arrives from the peer. */
  receiveBytes(bytes: Uint8Array): void {
    this.onMessage?.(bytes, true);
  }
  override pause(): void {
    this.pauses++;
  }
  override resume(): void {
    this.resumes++;
  }
}

function scriptedReader(options: ConstructorParameters<typeof ChannelReader>[2] = {}) {
  const sockets: PausableSocket[] = [];
  const reader = new ChannelReader('ws://engine.test', REF, {
    ...options,
    socketFactory: (url) => {
      const socket = new PausableSocket(url);
      sockets.push(socket);
      return socket;
    },
  });
  return { reader, sockets };
}

describe('stream records', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('encode and decode: begin, end and error records; the writer adds each closing record once', () => {
    expect(BEGIN).toBe('{"$iii_rx":"begin","v":1}\n');
    expect(decodeStreamRecord(BEGIN)).toEqual({ kind: 'begin' });
    expect(decodeStreamRecord(END)).toEqual({ kind: 'end' });
    const writer = new StreamRecordWriter(true);
    expect(writer.first()).toBe(BEGIN);
    expect(writer.last(new IiiRxError('NOT_ALLOWED', 'nope'))).toBe(FAILED);
    expect(writer.last()).toBeUndefined();
    expect(writer.isOwn(FAILED)).toBe(true);
    expect(writer.isOwn('data')).toBe(false);
    const valueStream = new StreamRecordWriter(true);
    valueStream.observe(END); // a value stream wrote its own end record
    expect(valueStream.last()).toBeUndefined();
    expect(new StreamRecordWriter(true).last(new Error('plain'))).toContain('"code":"stream_failed"');
    const off = new StreamRecordWriter(false);
    expect([off.first(), off.last()]).toEqual([undefined, undefined]);
  });

  it('requireEnd: auto needs an end record only after a begin record; true always; false never', () => {
    const settle = (requireEnd: boolean | 'auto', items: string[], closeError?: Error) => {
      const records = new StreamRecordReader(requireEnd);
      const data = items.filter((i) => records.accept(i));
      return { data, end: records.settle(closeError) };
    };
    expect(settle('auto', ['a', 'b'])).toEqual({ data: ['a', 'b'], end: undefined });
    expect(settle('auto', [BEGIN, 'a']).end).toBeInstanceOf(StreamTruncatedError);
    expect(settle('auto', [BEGIN, 'a', END, 'late'])).toEqual({ data: ['a'], end: undefined });
    expect(settle(true, ['a']).end).toBeInstanceOf(StreamTruncatedError);
    expect(settle(false, [BEGIN, 'a']).end).toBeUndefined();
    expect(settle(false, [BEGIN, FAILED]).end).toEqual(new StreamError('NOT_ALLOWED', 'nope'));
    const dropped = new ChannelClosedError('writer_lost');
    expect(settle('auto', ['a'], dropped).end).toBe(dropped);
    expect(settle('auto', [BEGIN, 'a'], dropped).end).toMatchObject({ name: 'StreamTruncatedError', cause: dropped });
  });

  it('a reader takes the records off every view: text$ and bytes$ share the socket and complete after the end record', () => {
    scheduler.run(({ expectObservable }) => {
      const { reader, sockets } = scriptedReader();
      expectObservable(reader.text$).toBe('-a---|', { a: 'a' });
      expectObservable(reader.bytes$).toBe('--b--|', { b: new Uint8Array([7]) });
      scheduler.schedule(() => sockets[0].receive(BEGIN), 0);
      scheduler.schedule(() => sockets[0].receive('a'), 1);
      scheduler.schedule(() => sockets[0].receiveBytes(new Uint8Array([7])), 2);
      scheduler.schedule(() => sockets[0].receive(END), 3);
      scheduler.schedule(() => sockets[0].drop(1005), 5);
    });
  });

  it('an error record errors the reader with StreamError after the items before it, and drops the socket', () => {
    scheduler.run(({ expectObservable }) => {
      const { reader, sockets } = scriptedReader();
      expectObservable(reader).toBe('-a-#', { a: 'a' }, new StreamError('NOT_ALLOWED', 'nope'));
      scheduler.schedule(() => sockets[0].receive(BEGIN), 0);
      scheduler.schedule(() => sockets[0].receive('a'), 1);
      scheduler.schedule(() => sockets[0].receive(FAILED), 3);
      scheduler.schedule(() => expect(sockets[0].terminated).toBe(true), 4);
    });
  });

  it('a close after a begin record and without an end record is a truncation; without a begin record it is an end', () => {
    scheduler.run(({ expectObservable }) => {
      const begun = scriptedReader();
      expectObservable(begun.reader).toBe('-a-#', { a: 'a' }, expect.any(StreamTruncatedError));
      scheduler.schedule(() => begun.sockets[0].receive(BEGIN), 0);
      scheduler.schedule(() => begun.sockets[0].receive('a'), 1);
      scheduler.schedule(() => begun.sockets[0].drop(1005), 3);

      const sdk = scriptedReader();
      expectObservable(sdk.reader).toBe('-a-|', { a: 'a' });
      scheduler.schedule(() => sdk.sockets[0].receive('a'), 1);
      scheduler.schedule(() => sdk.sockets[0].drop(1005), 3);

      const dropped = scriptedReader();
      expectObservable(dropped.reader).toBe(
        '-a-#',
        { a: 'a' },
        expect.objectContaining({ name: 'StreamTruncatedError', cause: expect.any(ChannelClosedError) }),
      );
      scheduler.schedule(() => dropped.sockets[0].receive(BEGIN), 0);
      scheduler.schedule(() => dropped.sockets[0].receive('a'), 1);
      scheduler.schedule(() => dropped.sockets[0].drop(1011), 3);

      const strict = scriptedReader({ requireEnd: true });
      expectObservable(strict.reader).toBe('-a-#', { a: 'a' }, expect.any(StreamTruncatedError));
      scheduler.schedule(() => strict.sockets[0].receive('a'), 1);
      scheduler.schedule(() => strict.sockets[0].drop(1005), 3);
    });
  });

  it('records do not count against the marks, and unsubscribing still drops the socket', () => {
    scheduler.run(({ expectObservable }) => {
      const { reader, sockets } = scriptedReader({ highWaterMark: 1, lowWaterMark: 0 });
      const work = new Subject<void>();
      // a busy consumer holds 'a' in flight: one item, at the mark
      expectObservable(reader.pipe(consume(() => work)), '^-----!').toBe('');
      scheduler.schedule(() => sockets[0].receive(BEGIN), 0);
      scheduler.schedule(() => sockets[0].receive('a'), 1);
      scheduler.schedule(() => sockets[0].receive(BEGIN), 2);
      scheduler.schedule(() => expect(sockets[0].pauses).toBe(0), 3);
      scheduler.schedule(() => sockets[0].receive('b'), 4);
      scheduler.schedule(() => expect(sockets[0].pauses).toBe(1), 5);
      scheduler.schedule(() => expect(sockets[0].terminated).toBe(true), 7);
    });
  });
});
