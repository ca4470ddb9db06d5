import { ENGINE_FUNCTIONS, PROTOCOL } from '../../protocol/constants';
import type { ChannelBroker } from '../ChannelBroker';
import type { BuiltinFunction } from './BuiltinFunction';
import { readBuiltinInput } from './readBuiltinInput';

/**
 * The effective capacity for a requested `buffer_size`: absent or `null` ⇒ 64, then at most 1024 and at
 * least 1. Undefined for a value upstream cannot deserialise (not a non-negative integer).
 *
 * @example
 * ```ts
 * channelCapacity(0); // 1
 * channelCapacity(5000); // 1024
 * channelCapacity(1.5); // undefined
 * ```
 */
export function channelCapacity(requested: unknown): number | undefined {
  if (requested === undefined || requested === null) return PROTOCOL.channelBufferDefault;
  // upstream reads a usize: any non-negative integer up to 2^64-1 (then clamped)
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 0 || requested >= 2 ** 64) return undefined;
  return Math.max(PROTOCOL.channelBufferMin, Math.min(requested, PROTOCOL.channelBufferMax));
}

/** Limits of `engine::channels::create`. */
export interface ChannelsCreateLimits {
  /** Open channels one worker connection may have created; one more gets `channel_limit`. Default: no limit. */
  maxChannelsPerWorker?: number;
  /** Channels in the engine's table (tombstones included); one more gets `channel_limit`. Default: no limit. */
  maxChannels?: number;
}

/**
 * `engine::channels::create`: `{buffer_size?}` → `{writer, reader}` refs sharing one id and key
 * (PROTOCOL.md §5). Sets no owner, like upstream; with `maxChannelsPerWorker` a connection that already has
 * that many open channels gets error code `channel_limit` instead.
 *
 * @example
 * ```ts
 * const fn = channelsCreate(broker);
 * fn.invoke({ buffer_size: 8 }, {}); // { result: { writer: {...}, reader: {...} } }
 * ```
 */
export function channelsCreate(broker: ChannelBroker, limits: ChannelsCreateLimits = {}): BuiltinFunction {
  const id = ENGINE_FUNCTIONS.channelsCreate;
  const maxPerWorker = limits.maxChannelsPerWorker ?? Infinity;
  return {
    id,
    description: 'Create a channel: a bounded FIFO of messages between one writer socket and one reader socket',
    invoke(data, context) {
      // an array fills the fields in order (`[8]` ⇒ buffer 8), unknown keys are ignored (PROTOCOL.md §10.5)
      const read = readBuiltinInput(id, 'CreateChannelInput', [{ name: 'buffer_size', kind: 'usize' }], data);
      if ('error' in read) return read;
      const capacity = channelCapacity(read.input.buffer_size) as number;
      const creator = context.caller?.workerId;
      if (creator !== undefined && Number.isFinite(maxPerWorker)) {
        const open = broker.openCreatedBy(creator);
        if (open >= maxPerWorker) {
          return {
            error: {
              code: 'channel_limit',
              message:
                `this connection already has ${open} open channels (maxChannelsPerWorker ${maxPerWorker}); ` +
                'finish or close some before creating more',
            },
          };
        }
      }
      if (limits.maxChannels !== undefined && broker.size >= limits.maxChannels) {
        return {
          error: {
            code: 'channel_limit',
            message: `the engine already holds ${broker.size} channels (maxChannels ${limits.maxChannels}); try again later`,
          },
        };
      }
      const channel = broker.create(capacity, undefined, creator);
      const ref = (direction: 'read' | 'write') => ({
        channel_id: channel.id,
        access_key: channel.accessKey,
        direction,
      });
      return { result: { writer: ref('write'), reader: ref('read') } };
    },
  };
}
