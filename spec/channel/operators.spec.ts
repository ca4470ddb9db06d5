import { TestScheduler } from 'rxjs/testing';
import { binaryItems } from '../../lib/channel/binaryItems';
import { textItems } from '../../lib/channel/textItems';
import { jsonLines } from '../../lib/channel/jsonLines';
import { observeValues } from '../../lib/channel/observeValues';
import { progress } from '../../lib/channel/progress';
import { collectBytes } from '../../lib/channel/collectBytes';
import { DecodeError } from '../../lib/errors/DecodeError';
import { CollectLimitError } from '../../lib/errors/CollectLimitError';
import { PayloadTooLargeError } from '../../lib/errors/PayloadTooLargeError';
import type { ChannelItem } from '../../lib/channel/ChannelItem';

const bin = (...bytes: number[]) => new Uint8Array(bytes);

describe('channel operators', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('binaryItems and textItems split a mixed stream by frame type', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const items = cold<ChannelItem>('a-b-c-d|', { a: 'hi', b: bin(1), c: bin(2, 3), d: 'yo' });
      expectObservable(items.pipe(binaryItems())).toBe('--b-c--|', { b: bin(1), c: bin(2, 3) });
      expectObservable(items.pipe(textItems())).toBe('a-----d|', { a: 'hi', d: 'yo' });
    });
  });

  it('jsonLines parses lines spanning messages and many lines per message, skipping blanks', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const text = cold('a-b-c---d|', { a: '{"n":1}\n{"n"', b: ':2}\n\n', c: '[3]\n"x"\n', d: '4' });
      expectObservable(text.pipe(jsonLines())).toBe('a-b-(cd)-(e|)', {
        a: { n: 1 },
        b: { n: 2 },
        c: [3],
        d: 'x',
        e: 4,
      });
    });
  });

  it('jsonLines errors with DecodeError naming the bad line', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const text = cold('a-b|', { a: '1\n', b: 'nope\n' });
      expectObservable(text.pipe(jsonLines())).toBe(
        'a-#',
        { a: 1 },
        expect.objectContaining({ code: 'DECODE_ERROR', message: expect.stringContaining('line 2') }),
      );
    });
    let caught: unknown;
    new TestScheduler(() => undefined).run(({ cold }) => {
      cold('a|', { a: '{' }).pipe(jsonLines()).subscribe({ error: (e) => (caught = e) });
    });
    expect(caught).toBeInstanceOf(DecodeError);
  });

  it('jsonLines refuses an unfinished line longer than its bound', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const text = cold('a-b|', { a: '"abc', b: 'defgh' });
      expectObservable(text.pipe(jsonLines({ maxLineChars: 6 }))).toBe(
        '--#',
        undefined,
        expect.any(PayloadTooLargeError),
      );
    });
  });

  it('observeValues keeps binary frames as values between NDJSON values, in order', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const items = cold<ChannelItem>('a-b-c|', { a: '{"k":1}\n', b: bin(7), c: 'null\n' });
      expectObservable(items.pipe(observeValues({ requireEnd: false }))).toBe('a-b-c|', { a: { k: 1 }, b: bin(7), c: null });
    });
  });

  it('progress emits running byte and frame totals (UTF-8 bytes for text)', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const items = cold<ChannelItem>('a-b-c|', { a: 'é', b: bin(1, 2, 3), c: '' });
      expectObservable(items.pipe(progress())).toBe('a-b-c|', {
        a: { bytes: 2, frames: 1 },
        b: { bytes: 5, frames: 2 },
        c: { bytes: 5, frames: 3 },
      });
    });
  });

  it('collectBytes concatenates within the limit and refuses past it, unsubscribing the source', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const items = cold<ChannelItem>('a-b-c|', { a: 'ab', b: bin(1, 2), c: bin(3) });
      expectObservable(items.pipe(collectBytes({ maxBytes: 5 }))).toBe('-----(r|)', {
        r: Buffer.from([0x61, 0x62, 1, 2, 3]),
      });
      const big = cold<ChannelItem>('a-b-c|', { a: 'ab', b: bin(1, 2), c: bin(3) });
      expectObservable(big.pipe(collectBytes({ maxBytes: 4 }))).toBe('----#', undefined, expect.any(CollectLimitError));
      expectSubscriptions(big.subscriptions).toBe('^---!');
    });
  });
});
