import './zoneFlags';
import 'zone.js';
import { createEnvironmentInjector, EnvironmentInjector, Injector, NgZone } from '@angular/core';
import { firstValueFrom, filter, from, lastValueFrom, of, tap } from 'rxjs';
import { writeChannel } from '../../lib/channel/writeChannel';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { provideIiiRx } from '../../lib/angular/provideIiiRx';
import { IiiRxService } from '../../lib/angular/IiiRxService';
import type { IiiRxConfig } from '../../lib/angular/IiiRxConfig';
import type { Channel } from '../../lib/channel/Channel';
import type { ChannelReader } from '../../lib/channel/ChannelReader';
import { openNodeSocket } from '../../lib/socket/openNodeSocket';
import type { SocketFactory, SocketHandlers, SocketLike } from '../../lib/socket/SocketLike';

declare const Zone: { current: { run<T>(fn: () => T): T } };

/**
 * Node's `ws` sockets are EventEmitters that zone.js (browser build) does not patch. In a browser, zone.js runs a
 * DOM WebSocket's listeners in the zone that was current when they were added (in the socket's constructor).
 * This factory gives a real loopback socket that same behaviour, so the spec sees what an app would.
 */
const openedUrls: string[] = [];
const zonePatchedLikeDom: SocketFactory = (url, options) => {
  openedUrls.push(url);
  const zoneAtCreation = Zone.current;
  const socket: SocketLike = openNodeSocket(url, options);
  const inZone =
    <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      if (fn) zoneAtCreation.run(() => fn(...args));
    };
  return {
    get readyState() {
      return socket.readyState;
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    canPause: socket.canPause,
    setHandlers: (h: SocketHandlers) =>
      socket.setHandlers({
        open: inZone(h.open),
        message: inZone(h.message),
        close: inZone(h.close),
        error: inZone(h.error),
        activity: inZone(h.activity),
      }),
    send: (data, cb) => socket.send(data, cb),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close: (code, reason) => socket.close(code, reason),
    terminate: () => socket.terminate(),
  };
};

// Runs with real zone.js and a real NgZone: what matters is whether socket traffic makes the zone unstable
// (which is what triggers change detection in an app).
describe('IiiRxService with an NgZone', () => {
  let engine: EmbeddedEngine;
  let peer: Worker;
  let zone: NgZone;
  let root: EnvironmentInjector;

  beforeAll(async () => {
    engine = await startEngine({ port: 0, host: '127.0.0.1' });
    peer = connectWorker(engine.url, { workerName: 'node-peer' });
    peer.registerFunction('math::add', (input: { a: number; b: number }) => input.a + input.b);
    peer.registerFunction('feed::values', () => of({ n: 1 }, { n: 2 }), { stream: true });
    await firstValueFrom(peer.state$.pipe(filter((s) => s === 'open')));
    zone = new NgZone({ enableLongStackTrace: false });
    root = Injector.create({ providers: [{ provide: NgZone, useValue: zone }] }) as EnvironmentInjector;
  });

  afterAll(async () => {
    await peer.close();
    root.destroy();
    await engine.close();
  });

  /** Bootstraps the service inside the Angular zone, as an app does, and waits until it is open. */
  async function start(config: IiiRxConfig): Promise<{ injector: EnvironmentInjector; service: IiiRxService }> {
    const { injector, service } = zone.run(() => {
      const injector = createEnvironmentInjector([provideIiiRx(config)], root);
      return { injector, service: injector.get(IiiRxService) };
    });
    await firstValueFrom(service.state$.pipe(filter((s) => s === 'open')));
    return { injector, service };
  }

  /** Lets the peer call `id` on the service `n` times and counts how often the Angular zone became unstable. */
  async function unstableDuringCalls(id: string, n: number): Promise<number> {
    let unstable = 0;
    const sub = zone.onUnstable.subscribe(() => unstable++);
    try {
      for (let i = 0; i < n; i++) await firstValueFrom(peer.trigger(id, { i }));
    } finally {
      sub.unsubscribe();
    }
    return unstable;
  }

  /**
   * Creates a channel through the service and streams through it, both ends subscribed *outside* the zone (so only
   * the service decides where data is delivered): text and bytes to `reader.pipe(...)`, then NDJSON to `values$()`.
   */
  async function readThroughChannel(service: IiiRxService) {
    let channelInZone: boolean | undefined;
    const channel = await new Promise<Channel>((resolve, reject) =>
      service.createChannel({ bufferSize: 4 }).subscribe({
        next: (c) => {
          channelInZone = NgZone.isInAngularZone();
          resolve(c);
        },
        error: reject,
      }),
    );
    const itemInZone: boolean[] = [];
    let unstable = 0;
    const watch = zone.onUnstable.subscribe(() => unstable++);
    try {
      await zone.runOutsideAngular(() =>
        Promise.all([
          lastValueFrom(channel.reader.pipe(tap(() => itemInZone.push(NgZone.isInAngularZone())))),
          lastValueFrom(from(['a', new Uint8Array(100_000), 'b']).pipe(writeChannel(channel.writer))),
        ]),
      );
    } finally {
      watch.unsubscribe();
    }
    // a value stream (a function registered with { stream: true }): reader.values$() and service.stream()
    const valuesInZone: boolean[] = [];
    const reader = await firstValueFrom(service.trigger<ChannelReader>('feed::values', {}));
    await zone.runOutsideAngular(() =>
      lastValueFrom(reader.values$().pipe(tap(() => valuesInZone.push(NgZone.isInAngularZone())))),
    );
    await zone.runOutsideAngular(() =>
      lastValueFrom(service.stream('feed::values', {}).pipe(tap(() => valuesInZone.push(NgZone.isInAngularZone())))),
    );
    const socketsOpened = openedUrls.filter((u) => u.includes(`/ws/channels/${channel.readerRef.channel_id}`)).length;
    return { channelInZone, itemInZone, valuesInZone, socketsOpened, unstable };
  }

  it('runs socket traffic and handlers outside the zone, and results, state and channel data inside', async () => {
    const { injector, service } = await start({ url: engine.url, worker: { workerName: 'zoned-outside', socketFactory: zonePatchedLikeDom } });
    try {
      const handlerInZone: boolean[] = [];
      service.registerFunction('ui::outside', () => {
        handlerInZone.push(NgZone.isInAngularZone());
        return 'ok';
      });
      expect(await unstableDuringCalls('ui::outside', 10)).toBe(0);
      expect(handlerInZone).toEqual(Array(10).fill(false));

      const resultInZone = await new Promise<boolean>((resolve, reject) =>
        service.trigger<number>('math::add', { a: 1, b: 2 }).subscribe({
          next: () => resolve(NgZone.isInAngularZone()),
          error: reject,
        }),
      );
      expect(resultInZone).toBe(true);
      const stateInZone = await new Promise<boolean>((resolve) => {
        const sub = service.state$.subscribe(() => resolve(NgZone.isInAngularZone()));
        sub.unsubscribe();
      });
      expect(stateInZone).toBe(true);

      const { channelInZone, itemInZone, valuesInZone, socketsOpened, unstable } = await readThroughChannel(service);
      expect(channelInZone).toBe(true);
      expect(socketsOpened).toBe(2);
      // channel data re-enters the zone the service was created in, as call results do (reader items and values$())
      expect(itemInZone.length).toBeGreaterThanOrEqual(3);
      expect(itemInZone.every((inside) => inside)).toBe(true);
      expect(valuesInZone).toEqual([true, true, true, true]);
      expect(unstable).toBeGreaterThan(0);
    } finally {
      injector.destroy();
      await service.close();
    }
  });

  it("with channelData: 'outside' keeps channel data out of the zone (no change detection for a busy channel)", async () => {
    const { injector, service } = await start({
      url: engine.url,
      channelData: 'outside',
      worker: { workerName: 'zoned-channels-outside', socketFactory: zonePatchedLikeDom },
    });
    try {
      const { channelInZone, itemInZone, valuesInZone, socketsOpened, unstable } = await readThroughChannel(service);
      expect(channelInZone).toBe(true);
      expect(socketsOpened).toBe(2);
      expect(itemInZone.length).toBeGreaterThanOrEqual(3);
      expect(itemInZone.every((inside) => !inside)).toBe(true);
      // service.stream re-enters like a call result; the reader's own values$() stays outside
      expect(valuesInZone).toEqual([false, false, true, true]);
      expect(unstable).toBe(0);
    } finally {
      injector.destroy();
      await service.close();
    }
  });

  it("with zone: 'inside' leaves socket work in the zone the service was made in", async () => {
    const { injector, service } = await start({ url: engine.url, zone: 'inside', worker: { workerName: 'zoned-inside', socketFactory: zonePatchedLikeDom } });
    try {
      service.registerFunction('ui::inside', () => 'ok');
      expect(await unstableDuringCalls('ui::inside', 3)).toBeGreaterThan(0);
    } finally {
      injector.destroy();
      await service.close();
    }
  });
});
