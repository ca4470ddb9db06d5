/**
 * WebSocket frame opcodes (RFC 6455 §5.2), for the few places that read frames themselves: the channel read
 * socket on the client, and the engine's channel writer and reader scanners.
 *
 * @example
 * ```ts
 * const isClose = (firstByte & 0x0f) === WS_OPCODE.CLOSE;
 * ```
 */
export const WS_OPCODE = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;
