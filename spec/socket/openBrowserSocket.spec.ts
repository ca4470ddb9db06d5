import { once } from 'node:events';
import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { openBrowserSocket, DomWebSocketConstructor } from '../../lib/socket/openBrowserSocket';
import { SocketLike } from '../../lib/socket/SocketLike';
import { SocketError } from '../../lib/errors/SocketError';
import { PayloadTooLargeError } from '../../lib/errors/PayloadTooLargeError';

// Node 20 has no DOM WebSocket; the `ws` client implements the same DOM surface (addEventListener, binaryType,
// bufferedAmount), so it stands in for the browser here. The same adapter runs in real Chromium in spec/browser/.
const DomLike = WebSocket as unknown as DomWebSocketConstructor;

interface Recorded {
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  messages: Array<{ data: string | Uint8Array; isBinary: boolean }>;
  errors: Error[];
  closeCount: () => number;
}

function record(socket: SocketLike): Recorded {
  const messages: Recorded['messages'] = [];
  const errors: Error[] = [];
  let closes = 0;
  let onOpen!: () => void;
  let onClose!: (v: { code: number; reason: string }) => void;
  const opened = new Promise<void>((r) => (onOpen = r));
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClose = r));
  socket.setHandlers({
    open: () => onOpen(),
    message: (data, isBinary) => messages.push({ data, isBinary }),
    error: (err) => errors.push(err),
    close: (code, reason) => {
      closes++;
      onClose({ code, reason });
    },
  });
  return { opened, closed, messages, errors, closeCount: () => closes };
}

describe('openBrowserSocket (DOM WebSocket adapter)', () => {
  let wss: WebSocketServer;
  let url: string;
  const serverSockets: WebSocket[] = [];

  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (ws, req) => {
      serverSockets.push(ws);
      if (req.url === '/echo') ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      if (req.url === '/big') ws.send(Buffer.alloc(2048, 7));
    });
  });

  afterAll(async () => {
    for (const ws of serverSockets) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  function nextServerSocket(): Promise<WebSocket> {
    return new Promise((resolve) => wss.once('connection', (ws) => resolve(ws)));
  }

  it('keeps text as string and turns binary into a plain Uint8Array', async () => {
    const socket = openBrowserSocket(`${url}/echo`, { WebSocket: DomLike });
    const rec = record(socket);
    await rec.opened;
    expect(socket.readyState).toBe(1);
    expect(socket.canPause).toBe(false);
    expect(socket.ping).toBeUndefined();
    const sent: Array<Error | undefined> = [];
    socket.send('héllo ✓', (err) => sent.push(err));
    socket.send(new Uint8Array([0, 1, 2, 255]), (err) => sent.push(err));
    socket.send(new Uint8Array(new Uint8Array([9, 8, 7, 6, 5]).buffer, 1, 3));
    while (rec.messages.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect(rec.messages[0]).toEqual({ data: 'héllo ✓', isBinary: false });
    expect(rec.messages[1].isBinary).toBe(true);
    expect(rec.messages[1].data).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(rec.messages[1].data)).toBe(false);
    expect(Array.from(rec.messages[1].data as Uint8Array)).toEqual([0, 1, 2, 255]);
    expect(Array.from(rec.messages[2].data as Uint8Array)).toEqual([8, 7, 6]);
    expect(sent).toEqual([undefined, undefined]);
    socket.close(1000, 'done');
    expect(await rec.closed).toEqual({ code: 1000, reason: 'done' });
    expect(rec.closeCount()).toBe(1);
    expect(socket.readyState).toBe(3);
  });

  it('keeps delivering while "paused": a DOM socket cannot stop reading', async () => {
    const socket = openBrowserSocket(`${url}/echo`, { WebSocket: DomLike });
    const rec = record(socket);
    await rec.opened;
    socket.pause();
    socket.send('a');
    socket.send('b');
    while (rec.messages.length < 2) await new Promise((r) => setTimeout(r, 5));
    socket.resume();
    expect(rec.messages.map((m) => m.data)).toEqual(['a', 'b']);
    socket.close();
    await rec.closed;
  });

  it('calls send callbacks only once their bytes left the buffer, in order, so writers feel backpressure', async () => {
    const serverSide = nextServerSocket();
    const socket = openBrowserSocket(`${url}/sink`, { WebSocket: DomLike, sendBufferBytes: 0 });
    const rec = record(socket);
    await rec.opened;
    const server = await serverSide;
    server.pause(); // the peer stops reading: TCP fills up, then the client's own buffer grows
    const chunk = new Uint8Array(1024 * 1024).fill(1);
    const total = 24;
    const done: number[] = [];
    const violations: string[] = [];
    let enqueued = 0;
    let received = 0;
    server.on('message', (data: Buffer) => (received += data.length));
    for (let i = 0; i < total; i++) {
      enqueued += chunk.byteLength;
      const endOffset = enqueued;
      socket.send(chunk, (err) => {
        if (err) violations.push(`cb ${i} failed: ${err.message}`);
        // with sendBufferBytes 0 a callback means: everything up to this message has left the buffer
        if (enqueued - socket.bufferedAmount < endOffset) violations.push(`cb ${i} ran with its bytes still buffered`);
        done.push(i);
      });
    }
    expect(socket.bufferedAmount).toBeGreaterThan(0);
    await Promise.resolve();
    await Promise.resolve();
    expect(done.length).toBeLessThan(total);
    server.resume();
    while (done.length < total) await new Promise((r) => setTimeout(r, 5));
    expect(violations).toEqual([]);
    expect(done).toEqual(Array.from({ length: total }, (_, i) => i));
    while (received < total * chunk.byteLength) await new Promise((r) => setTimeout(r, 5));
    socket.close();
    await rec.closed;
  });

  it('fails sends on a socket that is not open, and pending callbacks when it closes', async () => {
    const serverSide = nextServerSocket();
    const socket = openBrowserSocket(`${url}/sink`, { WebSocket: DomLike, sendBufferBytes: 0 });
    const rec = record(socket);
    const early = await new Promise<Error | undefined>((resolve) => socket.send('too early', resolve));
    expect(early).toBeInstanceOf(SocketError);
    await rec.opened;
    const server = await serverSide;
    server.pause();
    const results: Array<Error | undefined> = [];
    const chunk = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 16; i++) socket.send(chunk, (err) => results.push(err));
    socket.terminate();
    expect(await rec.closed).toEqual({ code: 1006, reason: '' });
    expect(results.length).toBe(16);
    expect(results.some((e) => e instanceof SocketError)).toBe(true);
    const late = await new Promise<Error | undefined>((resolve) => socket.send('late', resolve));
    expect(late).toBeInstanceOf(SocketError);
    socket.terminate();
    socket.close();
    expect(rec.closeCount()).toBe(1);
    server.resume();
  });

  it('reports a refused upgrade (HTTP 404) as SocketError and close 1006', async () => {
    const http = await import('node:http');
    const refusing = http.createServer((_req, res) => res.writeHead(404).end('Channel not found'));
    refusing.listen(0, '127.0.0.1');
    await once(refusing, 'listening');
    try {
      const port = (refusing.address() as AddressInfo).port;
      const socket = openBrowserSocket(`ws://127.0.0.1:${port}/ws/channels/x?key=secret&dir=read`, { WebSocket: DomLike });
      const rec = record(socket);
      expect(await rec.closed).toEqual({ code: 1006, reason: '' });
      expect(rec.errors).toHaveLength(1);
      expect(rec.errors[0]).toBeInstanceOf(SocketError);
      expect(rec.errors[0].message).not.toContain('secret');
    } finally {
      refusing.closeAllConnections();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('refuses an inbound message above maxPayload with PayloadTooLargeError and close 1009', async () => {
    const socket = openBrowserSocket(`${url}/big`, { WebSocket: DomLike, maxPayload: 1024 });
    const rec = record(socket);
    expect(await rec.closed).toEqual({ code: 1009, reason: '' });
    expect(rec.messages).toEqual([]);
    expect(rec.errors[0]).toBeInstanceOf(PayloadTooLargeError);
    expect((rec.errors[0] as PayloadTooLargeError).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('times out a handshake that never completes', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((s) => held.push(s));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const port = (silent.address() as AddressInfo).port;
      const socket = openBrowserSocket(`ws://127.0.0.1:${port}/`, { WebSocket: DomLike, handshakeTimeoutMs: 50 });
      const rec = record(socket);
      expect(await rec.closed).toEqual({ code: 1006, reason: '' });
      expect(rec.errors[0]).toBeInstanceOf(SocketError);
      expect(rec.errors[0].message).toMatch(/timed out/);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('closes cleanly while still connecting', async () => {
    const socket = openBrowserSocket(`${url}/echo`, { WebSocket: DomLike });
    const rec = record(socket);
    socket.close(1000, 'never mind');
    const closed = await rec.closed;
    expect(closed.code).toBe(1006);
    expect(rec.closeCount()).toBe(1);
  });

  it('throws SocketError without a WebSocket class or with a bad URL', () => {
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    g.WebSocket = undefined;
    try {
      expect(() => openBrowserSocket(url)).toThrow(SocketError);
    } finally {
      g.WebSocket = saved;
    }
    expect(() => openBrowserSocket('not a url', { WebSocket: DomLike })).toThrow(SocketError);
  });
});
