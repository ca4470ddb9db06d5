import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { openNodeSocket } from '../../lib/socket/openNodeSocket';
import { trackSockets } from '../../lib/socket/trackSockets';

describe('trackSockets (loopback ws server)', () => {
  let server: WebSocketServer;
  let url: string;

  beforeEach(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  function opened(count: number): Promise<void> {
    return new Promise((resolve) => {
      let seen = 0;
      server.on('connection', () => ++seen === count && resolve());
    });
  }

  it('closes every open socket, keeps the user handlers, and forgets closed ones', async () => {
    const tracked = trackSockets(openNodeSocket);
    const closes: number[] = [];
    const messages: string[] = [];
    const a = tracked.factory(url);
    const b = tracked.factory(url);
    const openA = new Promise<void>((open) => a.setHandlers({ open }));
    const openB = new Promise<void>((open) => b.setHandlers({ open }));
    await Promise.all([openA, openB]);
    const received = new Promise<void>((resolve) =>
      a.setHandlers({ close: (code) => closes.push(code), message: (data) => (messages.push(String(data)), resolve()) }),
    );
    b.setHandlers({ close: (code) => closes.push(code) });
    for (const client of server.clients) client.send('hello');
    await received;
    expect(tracked.openCount).toBe(2);
    await tracked.closeAll(1001, 'bye');
    expect(tracked.openCount).toBe(0);
    expect(closes).toEqual([1001, 1001]);
    expect(messages).toEqual(['hello']);
    expect(a.readyState).toBe(3);
  });

  it('terminates a socket that is still connecting', async () => {
    const tracked = trackSockets(openNodeSocket);
    const socket = tracked.factory(url);
    const codes: number[] = [];
    socket.setHandlers({ close: (code) => codes.push(code), error: () => undefined });
    await tracked.closeAll();
    expect(codes).toEqual([1006]);
  });

  it('terminates a socket whose peer never answers the close handshake', async () => {
    const tracked = trackSockets(openNodeSocket);
    const one = opened(1);
    const socket = tracked.factory(url);
    const codes: number[] = [];
    socket.setHandlers({ close: (code) => codes.push(code) });
    await one;
    // the server stops reading: the Close frame is never answered
    for (const client of server.clients) (client as unknown as { _socket: { pause(): void } })._socket.pause();
    await tracked.closeAll(1000, 'done', 50);
    expect(codes).toEqual([1006]);
    expect(tracked.openCount).toBe(0);
  });

  it('resolves at once with nothing open', async () => {
    const tracked = trackSockets(openNodeSocket);
    await expect(tracked.closeAll()).resolves.toBeUndefined();
  });
});
