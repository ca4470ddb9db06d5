import type { Logger } from '../connection/Logger';
import { ChannelClosedError } from '../errors/ChannelClosedError';
import { StreamError } from '../errors/StreamError';
import { StreamTruncatedError } from '../errors/StreamTruncatedError';
import { wireErrorOf } from '../errors/wireErrorOf';
import { decodeStreamRecord, encodeStreamBegin, encodeStreamEnd, isStreamEnd, StreamEnd } from '../protocol/streamEnd';
import type { ChannelItem } from './ChannelItem';

/**
 * Whether a stream must end with an end record (`protocol/streamEnd`):
 * - `'auto'` (default): only if it began with a begin record (an iii-rx writer); a stream without one (an
 *   iii-sdk or other writer) ends normally at a bare close;
 * - `true`: always — a close without an end record is a truncation;
 * - `false`: never — a bare close completes even after a begin record (an error record still errors).
 */
export type RequireEnd = boolean | 'auto';

/** Reader-side options about stream records. */
export interface StreamReadOptions {
  /** Whether the stream must end with an end record (default `'auto'`, see {@link RequireEnd}). */
  requireEnd?: RequireEnd;
}

/** Writer-side options about stream records. */
export interface StreamWriteOptions {
  /**
   * Frame the stream with its records (default `true`): a begin record first, then the end record, or the
   * error record when the source fails. `false` writes exactly the source's items (e.g. a protocol whose
   * peer interprets text frames, like an HTTP response channel); a failing source then drops the socket.
   */
  records?: boolean;
  /** Told when the source fails (its error also travels to the reader as the error record). */
  logger?: Logger;
}

/**
 * The reading side of the stream records (internal): takes the records off the items, remembers the end,
 * and decides at close how the stream ended.
 *
 * @example
 * ```ts
 * const records = new StreamRecordReader('auto');
 * if (records.accept(item)) deliver(item);
 * const failure = records.settle(closeError); // undefined = complete
 * ```
 */
export class StreamRecordReader {
  private begun = false;
  private endRecord: StreamEnd | undefined;

  constructor(private readonly requireEnd: RequireEnd = 'auto') {}

  /** Whether `item` is data to pass on: false for a record, and for anything after the end record. */
  accept(item: ChannelItem): boolean {
    if (this.endRecord) return false;
    if (typeof item !== 'string' || item.charCodeAt(0) !== 123 || !isStreamEnd(item)) return true;
    const record = decodeStreamRecord(item);
    if (record.kind === 'begin') this.begun = true;
    else this.endRecord = record;
    return false;
  }

  /** The end record seen so far, if any. */
  get end(): StreamEnd | undefined {
    return this.endRecord;
  }

  /** The error of an error record, once one arrived (the stream fails at once, after the items before it). */
  get failure(): StreamError | undefined {
    const end = this.endRecord;
    return end?.kind === 'error' ? new StreamError(end.code, end.message) : undefined;
  }

  /**
   * How the stream ended, given how its socket ended (`closeError`: undefined for a bare close): undefined
   * for a completion, else the error to report.
   */
  settle(closeError?: Error): Error | undefined {
    const end = this.endRecord;
    if (end) return end.kind === 'error' ? new StreamError(end.code, end.message) : undefined;
    const mustEnd = this.requireEnd === true || (this.requireEnd === 'auto' && this.begun);
    if (closeError) {
      if (!(closeError instanceof ChannelClosedError) || !(mustEnd || this.begun)) return closeError;
      return new StreamTruncatedError(`the stream was cut off before its end record: ${closeError.message}`, { cause: closeError });
    }
    if (!mustEnd) return undefined;
    return new StreamTruncatedError(
      this.begun
        ? 'the stream closed without its end record: the iii-rx writer stopped before finishing (died, cancelled or dropped)'
        : 'the stream closed without an end record, which was required',
    );
  }
}

/**
 * The writing side of the stream records (internal): the begin record, the closing record (once), and
 * which frames are its own (they are not counted as progress).
 *
 * @example
 * ```ts
 * const records = new StreamRecordWriter(true);
 * queue(records.first()); // ... items ...; queue(records.last());
 * ```
 */
export class StreamRecordWriter {
  private closed = false;
  private readonly beginText = encodeStreamBegin();
  private lastText: string | undefined;

  constructor(readonly enabled: boolean) {}

  /** The first frame (the begin record), or undefined when records are off. */
  first(): string | undefined {
    return this.enabled ? this.beginText : undefined;
  }

  /** Notes a source item: a source that writes its own end record (a value stream) gets no second one. */
  observe(item: ChannelItem): void {
    if (!this.enabled || this.closed || typeof item !== 'string' || !isStreamEnd(item)) return;
    if (decodeStreamRecord(item).kind !== 'begin') this.closed = true;
  }

  /**
   * The closing frame, once: the end record, or the error record of `err` (an `IiiRxError` keeps its code,
   * any other error gets `stream_failed`). Undefined when records are off or the stream already has one.
   */
  last(err?: Error): string | undefined {
    if (!this.enabled || this.closed) return undefined;
    this.closed = true;
    this.lastText = encodeStreamEnd(
      err === undefined ? { kind: 'end' } : { kind: 'error', ...wireErrorOf(err, StreamError.defaultCode) },
    );
    return this.lastText;
  }

  /** Whether a frame is one this writer added (not the source's). */
  isOwn(item: ChannelItem): boolean {
    return typeof item === 'string' && (item === this.beginText || item === this.lastText);
  }
}
