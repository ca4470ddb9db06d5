/**
 * How much of a stream has passed one end of a channel so far: payload bytes (UTF-8 for text) and frames.
 *
 * @example
 * ```ts
 * source$.pipe(writeChannel(writer)).subscribe(({ bytes, frames }) => console.log(bytes, frames));
 * ```
 */
export interface ChannelProgress {
  readonly bytes: number;
  readonly frames: number;
}
