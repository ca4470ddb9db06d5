import { from, Observable, ObservableInput, Subscription } from 'rxjs';
import type { ChannelItem } from './ChannelItem';
import type { ChannelReader } from './ChannelReader';
import type { ReadFlowOptions } from './ReadSession';

/** Options of {@link readChannel}. */
export interface ReadChannelOptions extends ReadFlowOptions {
  /** How many items `project` works on at once. Default 1 (in order). */
  concurrency?: number;
}

/**
 * Reads a channel with the consumer's work inside the operator, so the library knows when an item is
 * finished: `project` runs for each item (at most `concurrency` at once) and its Observable/Promise output
 * is merged into the result. While more than `highWaterMarkBytes` bytes (or `highWaterMark` items) are in
 * flight (waiting + in `project`) the socket is paused — the engine then stops reading the writer — and it
 * resumes at the low marks. Same as `reader.pipe(consume(project, { concurrency }))`, with the read's marks
 * set here.
 * With `concurrency` 1 the output keeps the channel's order.
 *
 * Completes after the writer finished and every `project` completed; errors on socket failure (after
 * the items that did arrive were processed) or as soon as a `project` errors. Unsubscribing drops the socket.
 *
 * @example
 * ```ts
 * readChannel(reader, (chunk) => uploadPart(chunk), { concurrency: 4, highWaterMark: 8 })
 *   .subscribe({ complete: () => console.log('all parts uploaded') });
 * ```
 */
export function readChannel<R>(
  reader: ChannelReader,
  project: (item: ChannelItem, index: number) => ObservableInput<R>,
  options: ReadChannelOptions = {},
): Observable<R> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const { concurrency: _c, ...flow } = options;
  return new Observable<R>((subscriber) => {
    const inner = new Subscription();
    let index = 0;
    let driving = false;
    let again = false;
    const drive = () => {
      if (driving) {
        again = true;
        return;
      }
      driving = true;
      try {
        do {
          again = false;
          while (!subscriber.closed && session.active < concurrency) {
            const item = session.take();
            if (item === undefined) break;
            start(item);
          }
        } while (again && !subscriber.closed);
      } finally {
        driving = false;
      }
      if (subscriber.closed) return;
      if (session.drained && session.error) subscriber.error(session.error);
      else if (session.done) subscriber.complete();
    };
    const start = (item: ChannelItem) => {
      let finished = false;
      let sub: Subscription | undefined;
      let output: ObservableInput<R>;
      try {
        output = project(item, index++);
      } catch (err) {
        subscriber.error(err);
        return;
      }
      sub = from(output).subscribe({
        next: (value) => subscriber.next(value),
        error: (err) => subscriber.error(err),
        complete: () => {
          finished = true;
          if (sub) inner.remove(sub);
          session.release(item);
          drive();
        },
      });
      if (!finished) inner.add(sub);
    };
    let session: ReturnType<ChannelReader['openSession']>;
    try {
      session = reader.openSession(flow, drive);
    } catch (err) {
      subscriber.error(err);
      return;
    }
    session.start();
    return () => {
      inner.unsubscribe();
      session.close();
    };
  });
}
