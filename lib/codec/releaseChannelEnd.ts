import type { SocketFactory } from '../socket/SocketLike';

/**
 * Takes a channel end nobody will use and drops it at once, so that the engine frees the channel now rather
 * than at its TTL sweep (PROTOCOL.md §6.7). If the end was already taken, the engine just closes the socket
 * (§6.2 step 3). Errors are ignored: the point is only to release.
 *
 * @example
 * ```ts
 * releaseChannelEnd(worker.socketFactory, channel.reader.url);
 * ```
 */
export function releaseChannelEnd(factory: SocketFactory, url: string): void {
  let socket: ReturnType<SocketFactory> | undefined;
  try {
    socket = factory(url);
  } catch {
    return;
  }
  const opened = socket;
  opened.setHandlers({
    open: () => opened.terminate(),
    error: () => undefined,
    close: () => undefined,
  });
}
