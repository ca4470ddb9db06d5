import { PayloadEncodeError } from '../errors/PayloadEncodeError';
import { PayloadTooLargeError } from '../errors/PayloadTooLargeError';
import type { OutboundFrame } from '../protocol/OutboundFrame';
import { utf8Length } from './utf8Length';

/**
 * The JSON text of one outbound frame, checked against the byte limit of one engine frame.
 *
 * @throws PayloadEncodeError when the frame is not serialisable
 * @throws PayloadTooLargeError when the text is over `maxBytes` UTF-8 bytes
 * @example
 * ```ts
 * socket.send(encodeFrame(pingFrame(), 16 * 1024 * 1024));
 * ```
 */
export function encodeFrame(frame: OutboundFrame, maxBytes: number): string {
  let text: string;
  try {
    text = JSON.stringify(frame);
  } catch (err) {
    throw new PayloadEncodeError(`frame is not serialisable as JSON: ${(err as Error).message}`, { cause: err });
  }
  // UTF-8 needs at most 3 bytes per UTF-16 unit, so short texts need no measuring.
  if (text.length * 3 > maxBytes) {
    const bytes = utf8Length(text);
    if (bytes > maxBytes) {
      throw new PayloadTooLargeError(
        `${frame.type} frame is ${bytes} bytes, over the ${maxBytes}-byte limit of one engine frame; ` +
          'send large data through a channel (createChannel) and pass its ref instead',
      );
    }
  }
  return text;
}
