import { WebSocketFrameScanner } from '../../lib/engine/ignoreReaderInput';

/** A masked client frame with `payload` bytes of payload. */
function frame(opcode: number, payload: number): Buffer {
  const header =
    payload < 126 ? [0x80 | opcode, 0x80 | payload]
    : payload < 65536 ? [0x80 | opcode, 0x80 | 126, payload >> 8, payload & 0xff]
    : [0x80 | opcode, 0x80 | 127, 0, 0, 0, 0, (payload >>> 24) & 0xff, (payload >> 16) & 0xff, (payload >> 8) & 0xff, payload & 0xff];
  return Buffer.concat([Buffer.from(header), Buffer.alloc(4), Buffer.alloc(payload, 7)]);
}

describe('WebSocketFrameScanner', () => {
  it('reports each frame opcode across any chunking, without keeping payloads', () => {
    const stream = Buffer.concat([frame(0x2, 3), frame(0x9, 0), frame(0x1, 300), frame(0x2, 70_000), frame(0x8, 2)]);
    for (const size of [1, 7, 1000, stream.length]) {
      const seen: number[] = [];
      const scanner = new WebSocketFrameScanner((op) => seen.push(op));
      for (let i = 0; i < stream.length; i += size) scanner.push(stream.subarray(i, i + size));
      expect(seen).toEqual([0x2, 0x9, 0x1, 0x2, 0x8]);
    }
  });
});
