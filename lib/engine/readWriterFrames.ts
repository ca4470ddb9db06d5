import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { FramePool } from './FramePool';
import { WS_OPCODE } from '../socket/wsOpcodes';

const { CONTINUATION, BINARY, CLOSE } = WS_OPCODE;

type Unmask = (buffer: Buffer, mask: Buffer) => void;

/** XORs `buffer` with the 4-byte `mask` in place (the payload starts at `buffer[0]`). */
function unmaskJs(buffer: Buffer, mask: Buffer): void {
  const n = buffer.length;
  let i = 0;
  // whole 32-bit words where the buffer is aligned (the mask then repeats as one word)
  const misalign = (4 - (buffer.byteOffset & 3)) & 3;
  for (; i < misalign && i < n; i++) buffer[i] ^= mask[i & 3];
  const words = (n - i) >>> 2;
  if (words > 0) {
    const view = new Uint32Array(buffer.buffer, buffer.byteOffset + i, words);
    const m = Buffer.from([mask[i & 3], mask[(i + 1) & 3], mask[(i + 2) & 3], mask[(i + 3) & 3]]);
    const word = new Uint32Array(m.buffer, m.byteOffset, 1)[0];
    for (let w = 0; w < words; w++) view[w] ^= word;
    i += words * 4;
  }
  for (; i < n; i++) buffer[i] ^= mask[i & 3];
}

/** The native unmask of the optional `bufferutil` (as `ws` uses it), else the JS one. */
const unmask: Unmask = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const native = require('bufferutil') as { unmask?: Unmask };
    if (typeof native.unmask === 'function') {
      const fast = native.unmask;
      return (buffer: Buffer, mask: Buffer) => (buffer.length < 32 ? unmaskJs(buffer, mask) : fast(buffer, mask));
    }
  } catch {
    // not installed (or no require in this build): the JS version
  }
  return unmaskJs;
})();

/** The binary frame being read: its mask, length and what of its payload has arrived. */
interface OwnFrame {
  mask: Buffer;
  length: number;
  payload?: Buffer;
  filled: number;
  /** Where the payload goes instead of a buffer, when the channel relays it as it arrives. */
  relay?: FrameRelay;
}

/** A channel relaying one frame's payload straight on (see {@link WriterFrameSink}). */
export interface FrameRelay {
  /** The next unmasked piece of the payload, in order. */
  piece(bytes: Buffer): void;
  /** The payload is complete. */
  end(): void;
}

/** Who may take a large binary frame as it arrives instead of as one assembled message. */
export interface WriterFrameSink {
  /** A binary frame of `length` bytes begins: a relay to stream it through, or undefined for a message. */
  relayFrame(length: number): FrameRelay | undefined;
}

/** Where large binary frames may go as they arrive: the sink, and the size from which they are offered to it. */
export interface RelayOptions {
  sink: WriterFrameSink;
  /** Frames from this size on are offered (smaller ones are assembled: cheaper per frame). */
  minBytes: number;
}

/** `mask` rotated so that it applies to payload bytes from `offset` on. */
function maskFrom(mask: Buffer, offset: number): Buffer {
  const o = offset & 3;
  return o === 0 ? mask : Buffer.from([mask[o], mask[(o + 1) & 3], mask[(o + 2) & 3], mask[(o + 3) & 3]]);
}

/**
 * Reads the single-frame binary messages of a channel **writer** socket itself, copying each payload
 * (unmasked) into one buffer of the frame's size as the bytes arrive, and hands them to the `ws` socket's
 * listeners as its own `'message'` events. `ws` alone keeps every network chunk of a frame until the frame
 * is complete and then copies them into a new buffer. Every other frame — text, fragmented messages,
 * Ping/Pong — goes to the `ws` receiver byte for byte, and a Close or anything out of the ordinary (a bad
 * header, an unmasked frame, a frame over `maxPayload`) hands the rest of the connection back to `ws`, so
 * every answer, close code and error stays exactly what `ws` does. Nothing changes on the wire.
 *
 * With `pool`, the payload of a large binary frame (1 MiB or more) arriving over several chunks is assembled
 * into a buffer taken from the pool; whoever handles the `'message'` gives it back ({@link FramePool.give})
 * once nothing reads it any more. A frame cut off by the end of the connection is discarded and its buffer
 * given back here.
 *
 * With `relay`, its `sink` (the channel) may take a binary frame of `minBytes` or more as it arrives: its
 * payload then goes on piece by piece, unmasked, and is never assembled at all.
 *
 * Call it right after the upgrade completed, with the raw socket `ws` runs on.
 *
 * @example
 * ```ts
 * wss.handleUpgrade(req, socket, head, (ws) => {
 *   channel.attachWriter(ws);
 *   readWriterFrames(socket, ws, maxPayloadBytes, undefined, framePool);
 * });
 * ```
 */
export function readWriterFrames(
  socket: Duplex,
  ws: WebSocket,
  maxPayload: number,
  relay?: RelayOptions,
  pool?: FramePool,
): void {
  const listeners = socket.listeners('data') as ((this: Duplex, chunk: Buffer) => void)[];
  // the WebSocket's own reader must be the only 'data' listener; otherwise leave it in charge
  if (listeners.length !== 1) return;
  const toWs = listeners[0];
  const receiver = (ws as unknown as { _receiver?: { _writableState?: { errorEmitted?: boolean } } })._receiver;
  const header = Buffer.alloc(14);
  let headerBytes = 0;
  let own: OwnFrame | undefined;
  /** Bytes of the current frame still to forward to `ws` (a frame it reads). */
  let forwarding = 0;
  /** A fragmented message is in progress: its frames all go to `ws`. */
  let inMessage = false;

  /** Hands bytes to the `ws` reader; false (and this reader stops) once `ws` failed the connection. */
  const feedWs = (bytes: Buffer): boolean => {
    if (receiver?._writableState?.errorEmitted) {
      socket.removeListener('data', onData);
      return false;
    }
    toWs.call(socket, bytes);
    return true;
  };

  const handBack = (rest: Buffer) => {
    socket.removeListener('data', onData);
    socket.on('data', toWs);
    if (rest.length > 0) toWs.call(socket, rest);
  };

  const deliver = (payload: Buffer, mask: Buffer) => {
    unmask(payload, mask);
    ws.emit('message', payload, true);
  };

  const onData = (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length) {
      if (forwarding > 0) {
        const n = Math.min(forwarding, chunk.length - i);
        forwarding -= n;
        if (!feedWs(chunk.subarray(i, i + n))) return;
        i += n;
        continue;
      }
      if (own) {
        const frame: OwnFrame = own;
        const want = frame.length - frame.filled;
        const available = chunk.length - i;
        if (frame.relay) {
          // straight on: unmask the piece where it is and pass it
          const n = Math.min(want, available);
          const piece = chunk.subarray(i, i + n);
          unmask(piece, maskFrom(frame.mask, frame.filled));
          frame.filled += n;
          i += n;
          if (frame.filled === frame.length) own = undefined;
          frame.relay.piece(piece);
          if (frame.filled === frame.length) frame.relay.end();
          continue;
        }
        if (!frame.payload && available >= want) {
          // the whole payload is in this chunk: unmask it where it is
          own = undefined;
          deliver(chunk.subarray(i, i + want), frame.mask);
          i += want;
          continue;
        }
        const payload = (frame.payload ??= pool?.pools(frame.length) ? pool.take(frame.length) : Buffer.allocUnsafe(frame.length));
        const n = Math.min(want, available);
        chunk.copy(payload, frame.filled, i, i + n);
        frame.filled += n;
        i += n;
        if (frame.filled === frame.length) {
          own = undefined;
          deliver(payload, frame.mask);
        }
        continue;
      }
      // a frame header
      header[headerBytes++] = chunk[i++];
      if (headerBytes < 2) continue;
      const len7 = header[1] & 0x7f;
      const masked = (header[1] & 0x80) !== 0;
      const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
      if (headerBytes < need) continue;
      const bytes = Buffer.from(header.subarray(0, headerBytes));
      headerBytes = 0;
      const fin = (header[0] & 0x80) !== 0;
      const rsv = header[0] & 0x70;
      const opcode = header[0] & 0x0f;
      let length = len7;
      if (len7 === 126) length = header.readUInt16BE(2);
      else if (len7 === 127) length = header.readUInt32BE(2) * 2 ** 32 + header.readUInt32BE(6);
      const unusual =
        !masked ||
        rsv !== 0 ||
        opcode > 0xa ||
        (opcode > BINARY && opcode < CLOSE) ||
        (opcode >= CLOSE && (!fin || len7 > 125)) ||
        opcode === CLOSE ||
        (opcode === BINARY && fin && !inMessage && length > maxPayload);
      if (unusual) {
        // `ws` answers these exactly as before, and after a Close the connection is its own
        handBack(Buffer.concat([bytes, chunk.subarray(i)]));
        return;
      }
      if (opcode === BINARY && fin && !inMessage) {
        const mask = Buffer.from(header.subarray(need - 4, need));
        if (length === 0) ws.emit('message', Buffer.alloc(0), true);
        else own = { mask, length, filled: 0, relay: relay && length >= relay.minBytes ? relay.sink.relayFrame(length) : undefined };
        continue;
      }
      // everything else is read by `ws` as it arrives: text, fragmented messages, Ping/Pong
      if (opcode < CLOSE) {
        if (opcode !== CONTINUATION) inMessage = !fin;
        else if (fin) inMessage = false;
      }
      if (!feedWs(bytes)) return;
      forwarding = length;
    }
  };

  socket.removeListener('data', toWs);
  socket.on('data', onData);
  if (pool) {
    // the connection ended inside a frame: the partial payload is discarded (as `ws` does), its buffer reused
    socket.once('close', () => {
      if (own?.payload) pool.give(own.payload);
      own = undefined;
    });
  }
}
