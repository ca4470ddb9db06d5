import { createHash } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { ChannelNotFoundError } from '../../lib/errors/ChannelNotFoundError';
import { SocketError } from '../../lib/errors/SocketError';
import { defaultSocketFactory } from '../../lib/socket/defaultSocketFactory';
import { openChannelReadSocket } from '../../lib/socket/openChannelReadSocket';
import type { SocketLike } from '../../lib/socket/SocketLike';

/** What a client socket reported, in order. */
interface Seen {
  events: string[];
  messages: { data: string | Uint8Array; isBinary: boolean }[];
  errors: Error[];
  closed: Promise<{ code: number; reason: string }>;
}

function watch(socket: SocketLike, onMessage?: (data: string | Uint8Array) => void): Seen {
  const seen = { events: [] as string[], messages: [] as Seen['messages'], errors: [] as Error[] } as Seen;
  seen.closed = new Promise((resolve) => {
    socket.setHandlers({
      open: () => seen.events.push('open'),
      message: (data, isBinary) => {
        seen.events.push('message');
        seen.messages.push({ data, isBinary });
        onMessage?.(data);
      },
      error: (err) => {
        seen.events.push('error');
        seen.errors.push(err);
      },
      close: (code, reason) => {
        seen.events.push('close');
        resolve({ code, reason });
      },
    });
  });
  return seen;
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A server that completes the WebSocket handshake itself and hands over the raw TCP socket. */
async function rawServer(onSocket: (socket: Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('upgrade', (req, socket: Socket) => {
    sockets.add(socket);
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    onSocket(socket);
  });
  const url = await listen(server);
  return {
    url,
    close: async () => {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

describe('openChannelReadSocket', () => {
  let server: Server;
  let wss: WebSocketServer;
  let url: string;
  let onConnection: (ws: WebSocket) => void;

  beforeEach(async () => {
    server = createServer();
    wss = new WebSocketServer({ server, perMessageDeflate: false });
    wss.on('connection', (ws) => onConnection(ws));
    url = await listen(server);
  });

  afterEach(async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    await closeServer(server);
  });

  it('is what the Node default factory opens for the read end of a channel, and only for it', async () => {
    onConnection = () => undefined;
    const channelUrl = (dir: string) => `${url}/ws/channels/0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa?key=k&dir=${dir}`;
    const probe = openChannelReadSocket(channelUrl('read'));
    const sockets = [defaultSocketFactory(channelUrl('read')), defaultSocketFactory(channelUrl('write')), defaultSocketFactory(url), probe];
    const closed = sockets.map((socket) => watch(socket).closed);
    expect(sockets.slice(0, 3).map((socket) => Object.getPrototypeOf(socket) === Object.getPrototypeOf(probe))).toEqual([true, false, false]);
    for (const socket of sockets) socket.terminate();
    await Promise.all(closed);
  });

  it('delivers text and binary messages of every length class unchanged, fragmented ones reassembled', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0);
    for (let i = 0; i < big.length; i += 4093) big[i] = i & 0xff;
    const sent: { data: Buffer | string; binary: boolean }[] = [
      { data: '', binary: false },
      { data: '\ufeffhé 😀', binary: false },
      { data: Buffer.alloc(0), binary: true },
      { data: Buffer.alloc(125, 1), binary: true },
      { data: Buffer.alloc(126, 2), binary: true },
      { data: Buffer.alloc(65535, 3), binary: true },
      { data: Buffer.alloc(65536, 4), binary: true },
      { data: big, binary: true },
    ];
    onConnection = (ws) => {
      for (const m of sent) ws.send(m.data, { binary: m.binary });
      // one text message in three fragments, then one binary message in two
      ws.send('frag', { binary: false, fin: false });
      ws.send('ment', { binary: false, fin: false });
      ws.send('ed', { binary: false, fin: true });
      ws.send(Buffer.from([1, 2]), { binary: true, fin: false });
      ws.send(Buffer.from([3]), { binary: true, fin: true });
      ws.close(1000, 'done');
    };
    const seen = watch(openChannelReadSocket(`${url}/ws/channels/c?key=k&dir=read`));
    expect(await seen.closed).toEqual({ code: 1000, reason: 'done' });
    expect(seen.errors).toEqual([]);
    // binary compared by length and digest (a deep comparison of megabytes is slow)
    const show = (data: string | Uint8Array, isBinary: boolean) =>
      isBinary ? `${(data as Uint8Array).length}:${createHash('sha256').update(data as Uint8Array).digest('hex')}` : data;
    const expected = [
      ...sent.map((m) => ({ data: show(m.data, m.binary), isBinary: m.binary })),
      { data: 'fragmented', isBinary: false },
      { data: show(Buffer.from([1, 2, 3]), true), isBinary: true },
    ];
    expect(seen.messages.map((m) => ({ data: show(m.data, m.isBinary), isBinary: m.isBinary }))).toEqual(expected);
    expect(seen.messages.filter((m) => m.isBinary).every((m) => Buffer.isBuffer(m.data))).toBe(true);
  });

  it('answers a ping with a pong carrying its payload, and a close with the same code', async () => {
    const pong = new Promise<string>((resolve) => {
      onConnection = (ws) => {
        ws.on('pong', (data) => {
          resolve(data.toString());
          ws.close(4001, 'bye');
        });
        ws.ping('are you there');
      };
    });
    const serverSawClose = new Promise<number>((resolve) => wss.once('connection', (ws) => ws.on('close', (code) => resolve(code))));
    const seen = watch(openChannelReadSocket(`${url}/ws/channels/c?key=k&dir=read`));
    expect(await pong).toBe('are you there');
    expect(await seen.closed).toEqual({ code: 4001, reason: 'bye' });
    expect(await serverSawClose).toBe(4001);
  });

  it('reports a close without status as 1005', async () => {
    onConnection = (ws) => ws.close();
    const seen = watch(openChannelReadSocket(`${url}/ws/channels/c?key=k&dir=read`));
    expect((await seen.closed).code).toBe(1005);
  });

  it('pause holds further messages (and the TCP stream) until resume, in order', async () => {
    onConnection = (ws) => {
      for (let i = 0; i < 5; i++) ws.send(Buffer.alloc(1000, i));
      ws.close(1000);
    };
    let socket!: SocketLike;
    const atPause: number[] = [];
    let resumed = false;
    const seen: Seen = watch((socket = openChannelReadSocket(`${url}/ws/channels/c?key=k&dir=read`)), () => {
      if (seen.messages.length === 2 && !resumed) {
        socket.pause();
        setTimeout(() => {
          atPause.push(seen.messages.length);
          resumed = true;
          socket.resume();
        }, 100);
      }
    });
    await seen.closed;
    expect(atPause).toEqual([2]);
    expect(seen.messages.map((m) => (m.data as Uint8Array)[0])).toEqual([0, 1, 2, 3, 4]);
  });

  it('sends masked frames the server reads', async () => {
    const received = new Promise<string>((resolve) => {
      onConnection = (ws) => ws.on('message', (data) => resolve(data.toString()));
    });
    const socket = openChannelReadSocket(`${url}/ws/channels/c?key=k&dir=read`);
    const seen = watch(socket);
    await new Promise<void>((resolve) => {
      socket.setHandlers({ open: () => resolve(), close: () => undefined });
    });
    const sent = new Promise<Error | undefined>((resolve) => socket.send('x'.repeat(70_000), resolve));
    expect(await sent).toBeUndefined();
    expect(await received).toBe('x'.repeat(70_000));
    socket.terminate();
    expect(seen.errors).toEqual([]);
  });

  it('fails with ChannelNotFoundError on HTTP 404, hiding the key', async () => {
    const plain = createServer();
    plain.on('upgrade', (_req, socket: Socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    const base = await listen(plain);
    try {
      const seen = watch(openChannelReadSocket(`${base}/ws/channels/c?key=secret&dir=read`));
      expect((await seen.closed).code).toBe(1006);
      expect(seen.errors[0]).toBeInstanceOf(ChannelNotFoundError);
      expect(seen.errors[0].message).not.toContain('secret');
      expect(seen.events).toEqual(['error', 'close']);
    } finally {
      await closeServer(plain);
    }
  });

  it('fails with a SocketError when the connection is refused, and terminate while connecting closes with 1006', async () => {
    const refused = watch(openChannelReadSocket('ws://127.0.0.1:1/ws/channels/c?key=k&dir=read'));
    expect((await refused.closed).code).toBe(1006);
    expect(refused.errors[0]).toBeInstanceOf(SocketError);
    const socket = openChannelReadSocket(`${url}/ws/channels/c?key=k&dir=read`);
    const early = watch(socket);
    socket.terminate();
    expect(await early.closed).toEqual({ code: 1006, reason: '' });
    expect(early.events).toEqual(['close']);
  });

  it('reads frames split anywhere across TCP chunks, one byte at a time', async () => {
    const raw = await rawServer((socket) => {
      const payload = Buffer.alloc(300, 9);
      const frames = Buffer.concat([Buffer.from([0x82, 126, 0x01, 0x2c]), payload, Buffer.from([0x81, 2]), Buffer.from('ok'), Buffer.from([0x88, 0])]);
      let i = 0;
      const drip = () => {
        if (i >= frames.length) return;
        socket.write(frames.subarray(i, ++i), () => setImmediate(drip));
      };
      drip();
      socket.on('data', () => socket.end());
    });
    try {
      const seen = watch(openChannelReadSocket(`${raw.url}/ws/channels/c?key=k&dir=read`));
      expect((await seen.closed).code).toBe(1005);
      expect(seen.messages.map((m) => (m.isBinary ? Buffer.from(m.data as Uint8Array).length : m.data))).toEqual([300, 'ok']);
    } finally {
      await raw.close();
    }
  });

  it.each([
    ['a masked frame from the server', Buffer.from([0x82, 0x81, 1, 2, 3, 4, 5]), 1002],
    ['an unknown opcode', Buffer.from([0x83, 0]), 1002],
    ['invalid UTF-8 in a text message', Buffer.from([0x81, 2, 0xc3, 0x28]), 1007],
    ['a message over maxPayload', Buffer.from([0x82, 126, 0x04, 0x01]), 1009],
  ])('fails with a SocketError and closes with the matching code on %s', async (_name, frame, code) => {
    const closeCodes: number[] = [];
    const raw = await rawServer((socket) => {
      socket.write(frame);
      socket.on('data', (chunk: Buffer) => {
        // the client's Close: masked, its code in the first two payload bytes
        if ((chunk[0] & 0x0f) === 0x8 && chunk.length >= 8) closeCodes.push(((chunk[6] ^ chunk[2]) << 8) | (chunk[7] ^ chunk[3]));
      });
    });
    try {
      const seen = watch(openChannelReadSocket(`${raw.url}/ws/channels/c?key=k&dir=read`, { maxPayload: 1024 }));
      expect((await seen.closed).code).toBe(code);
      expect(seen.errors).toHaveLength(1);
      expect(seen.errors[0]).toBeInstanceOf(SocketError);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closeCodes).toEqual([code]);
    } finally {
      await raw.close();
    }
  });
});
