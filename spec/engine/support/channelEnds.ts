import { randomUUID } from 'node:crypto';
import { RawClient } from './RawClient';

/** A channel end's ref as `engine::channels::create` returns it (PROTOCOL.md §6.1). */
export interface ChannelEndRef {
  channel_id: string;
  access_key: string;
  direction: 'read' | 'write';
}

/** Calls `engine::channels::create` through `control` and returns its whole answer frame. */
export async function createChannelFrame(control: RawClient, data: unknown = {}): Promise<Record<string, any>> {
  const id = randomUUID();
  await control.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data });
  return control.next((f) => f.invocation_id === id);
}

/** Creates a channel through `control`; `bufferSize` becomes `buffer_size` when given. */
export async function createChannelEnds(
  control: RawClient,
  bufferSize?: number,
): Promise<{ writer: ChannelEndRef; reader: ChannelEndRef }> {
  return (await createChannelFrame(control, bufferSize === undefined ? {} : { buffer_size: bufferSize })).result;
}

/** The URL of one end of a channel on the engine at `engineUrl` (`dir` defaults to the ref's own). */
export function channelEndUrl(engineUrl: string, ref: ChannelEndRef, dir: string = ref.direction): string {
  return `${engineUrl}/ws/channels/${ref.channel_id}?key=${encodeURIComponent(ref.access_key)}&dir=${dir}`;
}

/** Opens one end with a raw client and records it in `opened`, so that the spec closes it afterwards. */
export async function openChannelEnd(engineUrl: string, ref: ChannelEndRef, opened: RawClient[]): Promise<RawClient> {
  const client = await RawClient.open(channelEndUrl(engineUrl, ref));
  opened.push(client);
  return client;
}
