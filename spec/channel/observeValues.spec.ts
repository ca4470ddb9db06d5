import { TestScheduler } from 'rxjs/testing';
import type { ChannelItem } from '../../lib/channel/ChannelItem';
import { observeValues } from '../../lib/channel/observeValues';
import { ChannelClosedError } from '../../lib/errors/ChannelClosedError';
import { StreamError } from '../../lib/errors/StreamError';
import { StreamTruncatedError } from '../../lib/errors/StreamTruncatedError';
import { encodeStreamBegin, encodeStreamEnd } from '../../lib/protocol/streamEnd';

const END = encodeStreamEnd({ kind: 'end' });
const BEGIN = encodeStreamBegin();

describe('observeValues', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('completes when the socket closes after the end record; values and bytes pass in order', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const items = cold<ChannelItem>('a-b-e-|', { a: '{"k":1}\n', b: new Uint8Array([7]), e: END });
      expectObservable(items.pipe(observeValues())).toBe('a-b---|', { a: { k: 1 }, b: new Uint8Array([7]) });
    });
  });

  it('an error record errors at once with the producer code and message, and unsubscribes the channel', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const record = encodeStreamEnd({ kind: 'error', code: 'NOT_ALLOWED', message: 'nope' });
      const items = cold<ChannelItem>('a-e----|', { a: '1\n', e: record });
      const error = new StreamError('NOT_ALLOWED', 'nope');
      expectObservable(items.pipe(observeValues())).toBe('a-#', { a: 1 }, error);
      expectSubscriptions(items.subscriptions).toBe('^-!');
    });
  });

  it('a stream that began with a begin record and closes without its end record is truncated; requireEnd: false accepts it', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const items = cold<ChannelItem>('s-a-b|', { s: BEGIN, a: '1\n', b: '2\n' });
      expectObservable(items.pipe(observeValues())).toBe(
        '--a-b#',
        { a: 1, b: 2 },
        expect.any(StreamTruncatedError),
      );
      expectObservable(items.pipe(observeValues({ requireEnd: false }))).toBe('--a-b|', { a: 1, b: 2 });
    });
  });

  it('a stream without records (an iii-sdk writer) completes at the close, unless requireEnd: true', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const items = cold<ChannelItem>('a-b|', { a: '1\n', b: '2\n' });
      expectObservable(items.pipe(observeValues())).toBe('a-b|', { a: 1, b: 2 });
      expectObservable(items.pipe(observeValues({ requireEnd: true }))).toBe('a-b#', { a: 1, b: 2 }, expect.any(StreamTruncatedError));
      const dropped = new ChannelClosedError('writer_lost');
      // without a begin record a dropped socket is the engine's report (opt-in channelReportWriterLoss): it passes
      expectObservable(cold<ChannelItem>('a-#', { a: '1\n' }, dropped).pipe(observeValues())).toBe('a-#', { a: 1 }, dropped);
    });
  });

  it('the begin record is never a value, wherever it appears, and the begin/end records pass demand-free', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const items = cold<ChannelItem>('s-a-e|', { s: BEGIN, a: '{"k":1}\n', e: END });
      expectObservable(items.pipe(observeValues())).toBe('--a--|', { a: { k: 1 } });
      expectSubscriptions(items.subscriptions).toBe('^----!');
    });
  });

  it('unsubscribing mid-stream unsubscribes the channel, whatever records were seen', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const items = cold<ChannelItem>('s-a-b-e|', { s: BEGIN, a: '1\n', b: '2\n', e: END });
      expectObservable(items.pipe(observeValues()), '---!').toBe('--a', { a: 1 });
      expectSubscriptions(items.subscriptions).toBe('^--!');
    });
  });

  it('a dropped socket before the end record is a truncation, other errors pass; after it, the stream counts as complete', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const dropped = new ChannelClosedError('dropped');
      expectObservable(cold<ChannelItem>('s-a-#', { s: BEGIN, a: '1\n' }, dropped).pipe(observeValues())).toBe(
        '--a-#',
        { a: 1 },
        expect.objectContaining({ name: 'StreamTruncatedError', cause: dropped }),
      );
      const refused = new Error('404');
      expectObservable(cold<ChannelItem>('#', undefined, refused).pipe(observeValues())).toBe('#', undefined, refused);
      expectObservable(cold<ChannelItem>('a-e-#', { a: '1\n', e: END }, dropped).pipe(observeValues())).toBe('a---|', { a: 1 });
    });
  });

  it('ignores items after the end record and reads a malformed record as stream_failed', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<ChannelItem>('e-a|', { e: END, a: '1\n' }).pipe(observeValues())).toBe('---|');
      expectObservable(cold<ChannelItem>('e|', { e: '{"$iii_rx":' }).pipe(observeValues())).toBe(
        '#',
        undefined,
        expect.objectContaining({ code: 'stream_failed' }),
      );
    });
  });
});
