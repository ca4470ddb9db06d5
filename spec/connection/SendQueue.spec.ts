import { SendQueue } from '../../lib/connection/SendQueue';
import { SendQueueFullError } from '../../lib/errors/SendQueueFullError';

describe('SendQueue', () => {
  it('is bounded in UTF-8 bytes as well as frames; unwanted frames free their bytes first', () => {
    const queue = new SendQueue(100, 10);
    let wanted = true;
    queue.push('€€', { stillWanted: () => wanted }); // 6 bytes although 2 UTF-16 units
    expect(() => queue.push('abcde', {})).toThrow(SendQueueFullError);
    wanted = false;
    queue.push('abcde', {});
    queue.push('fghij', {});
    expect(queue.length).toBe(2);
    expect(() => queue.push('k', {})).toThrow(/maxQueuedBytes/);
  });

  it('drains in order, skipping frames no longer wanted, and tells each owner', () => {
    const queue = new SendQueue(10, 1000);
    const flushed: string[] = [];
    const written: string[] = [];
    queue.push('a', { onFlushed: () => flushed.push('a') });
    queue.push('b', { stillWanted: () => false, onFlushed: () => flushed.push('b') });
    queue.push('c', { onFlushed: () => flushed.push('c') });
    queue.drain((text) => written.push(text));
    expect(written).toEqual(['a', 'c']);
    expect(flushed).toEqual(['a', 'c']);
    expect(queue.length).toBe(0);
    queue.push('d'.repeat(1000), {}); // the drained bytes were released
  });

  it('drop tells the owners still waiting, and the logger about frames without one', () => {
    const queue = new SendQueue(10, 1000);
    const dropped: Error[] = [];
    const warnings: string[] = [];
    queue.push('a', { onDropped: (err) => dropped.push(err) });
    queue.push('b', { stillWanted: () => false, onDropped: (err) => dropped.push(err) });
    queue.push('c', {});
    const err = new Error('closed');
    queue.drop(err, { warn: (m) => warnings.push(m) });
    expect(dropped).toEqual([err]);
    expect(warnings).toEqual(['a queued frame was not sent because the connection closed']);
    expect(queue.length).toBe(0);
  });
});
