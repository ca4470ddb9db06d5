import type { ChannelHost } from '../channel/ChannelHost';
import type { Logger } from '../connection/Logger';
import { channelPayloadCodec } from './channelPayloadCodec';
import type { PayloadCodec } from './PayloadCodec';

/**
 * The payload codec a worker uses: the one it was given (or made by the given factory from its channel
 * host), else `channelPayloadCodec(host)` that logs a failing payload Observable through `logger`.
 *
 * @example
 * ```ts
 * const codec = defaultPayloadCodec(options.payloadCodec, host, logger);
 * ```
 */
export function defaultPayloadCodec(
  option: PayloadCodec | ((host: ChannelHost) => PayloadCodec) | undefined,
  host: ChannelHost,
  logger: Logger,
): PayloadCodec {
  if (option === undefined) {
    return channelPayloadCodec(host, {
      onStreamError: (err, path) =>
        logger.error?.(`the Observable at ${path || '(root)'} of a payload failed: ${err.message}`, err),
    });
  }
  return typeof option === 'function' ? option(host) : option;
}
