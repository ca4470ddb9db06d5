import type { WebSocket } from 'ws';

/**
 * Makes `ws` drop its TCP connection (the peer sees 1006) wherever the WebSocket library would send a
 * Close frame with a code for which `drop(code)` holds — the library does so on its own when the peer sends
 * a frame over `maxPayload` (1009) or a Close frame (echo). The real engine answers neither: it stops
 * reading and drops the socket (PROTOCOL.md §10.1, §10.7). The engine's own `close()` calls go through the
 * same test, so use a predicate that leaves them alone.
 *
 * @example
 * ```ts
 * dropInsteadOfClosing(ws, (code) => code === 1009); // oversized frames drop the socket
 * dropInsteadOfClosing(ws, () => true); // worker socket: a peer's Close is not echoed either
 * ```
 */
export function dropInsteadOfClosing(ws: WebSocket, drop: (code: number | undefined) => boolean): void {
  const close = ws.close.bind(ws);
  ws.close = (code?: number, reason?: string | Buffer) => {
    if (drop(code)) ws.terminate();
    else close(code, reason);
  };
}

/** Payload bytes of the message `ws` was reading when it refused it (best effort; undefined if unknown). */
export function refusedMessageBytes(ws: WebSocket): number | undefined {
  const receiver = (ws as unknown as { _receiver?: { _totalPayloadLength?: unknown } })._receiver;
  return typeof receiver?._totalPayloadLength === 'number' ? receiver._totalPayloadLength : undefined;
}
