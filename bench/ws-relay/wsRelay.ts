/**
 * The plain `ws` relay baseline for the channel benchmarks (no iii at all): a relay server that forwards
 * every message from the socket on `/w` to the socket on `/r`, pausing the writer socket while the reader
 * socket holds more than `markBytes` unsent (resuming on the send callback), plus a raw writer (64 KiB
 * frames, waiting on `bufferedAmount`) and a raw reader. Each runs in its own process (see
 * channel-throughput.ts, which forks them).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** Starts the relay; resolves with its URL and a close function. */
export async function startWsRelay(markBytes = 1024 * 1024): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 100 * 1024 * 1024 });
  let writer: WebSocket | undefined;
  let reader: WebSocket | undefined;
  const early: { data: WebSocket.RawData; isBinary: boolean }[] = [];
  let writerDone = false;
  const forward = (data: WebSocket.RawData, isBinary: boolean) => {
    const r = reader!;
    r.send(data, { binary: isBinary }, () => {
      if (r.bufferedAmount <= markBytes && writer && (writer as unknown as { isPaused: boolean }).isPaused) writer.resume();
    });
    if (r.bufferedAmount > markBytes) writer?.pause();
  };
  wss.on('connection', (ws, req) => {
    if (req.url?.startsWith('/w')) {
      writer = ws;
      ws.on('message', (data, isBinary) => {
        if (reader) forward(data, isBinary);
        else {
          early.push({ data, isBinary });
          if (early.length > 16) ws.pause();
        }
      });
      ws.on('close', () => {
        writerDone = true;
        reader?.close(1000);
      });
    } else {
      reader = ws;
      for (const m of early.splice(0)) forward(m.data, m.isBinary);
      writer?.resume();
      if (writerDone) ws.close(1000);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

/** A raw `ws` writer: sends `bytes` in `frame`-sized binary frames, waiting while bufferedAmount > mark. */
export function rawWrite(url: string, bytes: number, frame = 64 * 1024, markBytes = 1024 * 1024): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const chunk = Buffer.alloc(frame, 0x5a);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        if (ws.bufferedAmount > markBytes) return;
        const n = Math.min(frame, bytes - sent);
        sent += n;
        ws.send(n === frame ? chunk : chunk.subarray(0, n), { binary: true }, (err) => {
          if (err) reject(err);
          else pump();
        });
      }
      if (ws.bufferedAmount === 0 && ws.readyState === WebSocket.OPEN) {
        ws.close(1000, 'stream_complete');
      }
    };
    ws.on('open', pump);
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
}

/** A raw `ws` reader: counts binary bytes until the socket closes. */
export function rawRead(url: string, onBytes?: (n: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 100 * 1024 * 1024 });
    let total = 0;
    ws.on('message', (data: Buffer) => {
      total += data.length;
      onBytes?.(data.length);
    });
    ws.on('close', () => resolve(total));
    ws.on('error', reject);
  });
}
