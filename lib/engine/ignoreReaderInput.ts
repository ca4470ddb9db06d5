import type { Duplex } from 'node:stream';
import { WS_OPCODE } from '../socket/wsOpcodes';

const { CLOSE } = WS_OPCODE;

/**
 * Follows the frame boundaries of a client→server WebSocket byte stream without keeping any payload: it
 * holds at most one frame header (14 bytes) and reports each frame's opcode.
 *
 * @example
 * ```ts
 * const scanner = new WebSocketFrameScanner((opcode) => console.log(opcode));
 * scanner.push(Buffer.from([0x88, 0x80, 1, 2, 3, 4])); // logs 8 (a masked, empty Close)
 * ```
 */
export class WebSocketFrameScanner {
  private header: number[] = [];
  private skip = 0;

  constructor(private readonly onFrame: (opcode: number) => void) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.header.push(chunk[i++]);
      const h = this.header;
      if (h.length < 2) continue;
      const len7 = h[1] & 0x7f;
      const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      const need = 2 + extended + (h[1] & 0x80 ? 4 : 0);
      if (h.length < need) continue;
      let length = len7;
      if (len7 === 126) length = (h[2] << 8) | h[3];
      else if (len7 === 127) length = (h[2] * 2 ** 24 + (h[3] << 16) + (h[4] << 8) + h[5]) * 2 ** 32 + (h[6] * 2 ** 24 + (h[7] << 16) + (h[8] << 8) + h[9]);
      this.header = [];
      this.skip = length;
      this.onFrame(h[0] & 0x0f);
    }
  }
}

/**
 * Makes a channel reader socket unread, as the real engine leaves it (PROTOCOL.md §10.3): the WebSocket
 * library no longer sees what the reader sends, so its Close and Ping frames go unanswered while the engine
 * keeps forwarding; a dead reader is noticed only when the connection itself ends. The bytes are scanned
 * (never stored) so that a Close can be reported through `onClose`, once.
 *
 * Call it right after the upgrade completed on `socket` (the raw TCP socket the WebSocket runs on).
 *
 * @example
 * ```ts
 * wss.handleUpgrade(req, socket, head, (ws) => {
 *   channel.attachReader(ws);
 *   ignoreReaderInput(socket, () => log.warn('reader sent Close: ignored, as upstream'));
 * });
 * ```
 */
export function ignoreReaderInput(socket: Duplex, onClose: () => void): void {
  let closeSeen = false;
  const scanner = new WebSocketFrameScanner((opcode) => {
    if (opcode === CLOSE && !closeSeen) {
      closeSeen = true;
      onClose();
    }
  });
  // the WebSocket's own reader is the only 'data' listener of an upgraded socket
  socket.removeAllListeners('data');
  socket.on('data', (chunk: Buffer) => scanner.push(chunk));
}
