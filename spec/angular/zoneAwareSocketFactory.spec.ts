import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { zoneAwareSocketFactory } from '../../lib/angular/zoneAwareSocketFactory';
import type { ZoneLike } from '../../lib/angular/ZoneLike';
import { openNodeSocket } from '../../lib/socket/openNodeSocket';

/** Tracks whether code runs outside "Angular" (the zone's outer zone). */
class TrackingZone implements ZoneLike {
  outside = false;
  run<T>(fn: () => T): T {
    const was = this.outside;
    this.outside = false;
    try {
      return fn();
    } finally {
      this.outside = was;
    }
  }
  runOutsideAngular<T>(fn: () => T): T {
    const was = this.outside;
    this.outside = true;
    try {
      return fn();
    } finally {
      this.outside = was;
    }
  }
}

describe('zoneAwareSocketFactory', () => {
  let wss: WebSocketServer;
  let url: string;

  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  });

  afterAll(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  it('opens the socket and runs every event and send callback outside the zone, passing everything through', async () => {
    const zone = new TrackingZone();
    let openedOutside: boolean | undefined;
    const factory = zoneAwareSocketFactory(zone, (u, o) => {
      openedOutside = zone.outside;
      return openNodeSocket(u, o);
    });
    const socket = factory(url);
    expect(openedOutside).toBe(true);
    expect(socket.canPause).toBe(true);
    const seen: string[] = [];
    const closed = new Promise<number>((resolve) =>
      socket.setHandlers({
        open: () => {
          seen.push(`open:${zone.outside}`);
          socket.send('ping', (err) => seen.push(`sent:${zone.outside}:${err ?? 'ok'}`));
        },
        message: (data, isBinary) => {
          seen.push(`message:${zone.outside}:${String(data)}:${isBinary}`);
          socket.close(1000, 'bye');
        },
        close: (code) => {
          seen.push(`close:${zone.outside}`);
          resolve(code);
        },
      }),
    );
    expect(await closed).toBe(1000);
    expect(seen).toEqual(['open:true', 'sent:true:ok', 'message:true:ping:false', 'close:true']);
    expect(socket.readyState).toBe(3);
  });
});
