import type { Observable } from 'rxjs';
import type { SocketFactory } from '../socket/SocketLike';

/**
 * What channels need from a worker connection: the engine address (channel sockets live on the same
 * listener), an optional socket factory, and a way to call an engine function. A `Worker` satisfies it.
 *
 * @example
 * ```ts
 * const host: ChannelHost = { url: engine.url, trigger: (id, payload) => worker.trigger(id, payload) };
 * createChannel(host).subscribe((channel) => ...);
 * ```
 */
export interface ChannelHost {
  /** The engine address the worker connected to, e.g. `ws://127.0.0.1:49134`. */
  readonly url: string;
  /** Opens channel sockets; defaults to `ws` on Node. */
  readonly socketFactory?: SocketFactory;
  /** Calls a function through the engine and emits its result once. */
  trigger(functionId: string, payload: unknown): Observable<unknown>;
}
