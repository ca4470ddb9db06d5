// Signals, resources, zoneless mode and server rendering, without zone.js (this file never loads it).
import {
  createEnvironmentInjector,
  EnvironmentInjector,
  Injector,
  NgZone,
  PLATFORM_ID,
  provideZonelessChangeDetection,
  runInInjectionContext,
} from '@angular/core';
import { firstValueFrom, filter, map, Subject } from 'rxjs';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { InvocationError } from '../../lib/errors/InvocationError';
import { openNodeSocket } from '../../lib/socket/openNodeSocket';
import type { SocketFactory } from '../../lib/socket/SocketLike';
import { provideIiiRx } from '../../lib/angular/provideIiiRx';
import { IiiRxService } from '../../lib/angular/IiiRxService';
import { toStreamResource } from '../../lib/angular/toStreamResource';
import type { IiiRxConfig } from '../../lib/angular/IiiRxConfig';

/** Waits (without asserting any timing) until `condition` holds; the spec's timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('iii-rx/angular signals', () => {
  let engine: EmbeddedEngine;
  let peer: Worker;
  let root: EnvironmentInjector;
  const opened: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const counting: SocketFactory = (url, options) => {
    opened.push(url);
    return openNodeSocket(url, options);
  };

  beforeAll(async () => {
    engine = await startEngine({ port: 0, host: '127.0.0.1' });
    peer = connectWorker(engine.url, { workerName: 'node-peer' });
    peer.registerFunction('math::add', (input: { a: number; b: number }) => input.a + input.b);
    peer.registerFunction('gate::wait', () => gate.then(() => 'released'));
    await firstValueFrom(peer.state$.pipe(filter((s) => s === 'open')));
    root = Injector.create({ providers: [] }) as EnvironmentInjector;
  });

  afterAll(async () => {
    await peer.close();
    root.destroy();
    await engine.close();
  });

  function app(config: IiiRxConfig, platform = 'browser'): { injector: EnvironmentInjector; service: IiiRxService } {
    const injector = createEnvironmentInjector(
      [provideZonelessChangeDetection(), { provide: PLATFORM_ID, useValue: platform }, provideIiiRx(config)],
      root,
    );
    return { injector, service: injector.get(IiiRxService) };
  }

  it('zoneless: the connection state is a signal, and calls become resources', async () => {
    const { injector, service } = app({ url: engine.url, worker: { workerName: 'zoneless' } });
    try {
      expect(NgZone.isInAngularZone()).toBe(false);
      expect(['connecting', 'open']).toContain(service.state());
      await until(() => service.state() === 'open');

      const sum = runInInjectionContext(injector, () => service.triggerResource<number>('math::add', { a: 2, b: 3 }));
      expect(sum.status()).toBe('loading');
      expect(sum.isLoading()).toBe(true);
      await until(() => sum.status() !== 'loading' && sum.status() !== 'streaming');
      expect([sum.status(), sum.value(), sum.error(), sum.isLoading()]).toEqual(['done', 5, undefined, false]);

      // a stream: the latest value while it streams, then done
      const source = new Subject<number>();
      const counted = toStreamResource(source.pipe(map((i) => i + 1)), { injector });
      expect(counted.status()).toBe('loading');
      source.next(0);
      expect([counted.status(), counted.value()]).toEqual(['streaming', 1]);
      for (let i = 1; i < 5; i++) source.next(i);
      expect([counted.status(), counted.value()]).toEqual(['streaming', 5]);
      source.complete();
      expect([counted.status(), counted.value()]).toEqual(['done', 5]);

      // a failing call: status and error
      const missing = service.triggerResource('no::such', {}, undefined, { injector, initialValue: 'none' });
      await until(() => missing.status() === 'error');
      expect(missing.error()).toBeInstanceOf(InvocationError);
      expect(missing.value()).toBe('none');
    } finally {
      injector.destroy();
      await service.close();
    }
    expect(service.state()).toBe('closed');
  });

  it('a resource is stopped, and its call cancelled, when its injector is destroyed', async () => {
    const { injector, service } = app({ url: engine.url, worker: { workerName: 'stops' } });
    try {
      await until(() => service.state() === 'open');
      const child = createEnvironmentInjector([], injector);
      const waiting = toStreamResource(service.trigger<string>('gate::wait', {}), { injector: child });
      await until(() => engine.stats().pendingInvocations > 0);
      expect(waiting.status()).toBe('loading');
      child.destroy();
      expect(waiting.status()).toBe('stopped');
      release();
      // the answer arrives after the stop and is not taken: a later call on the same worker proves it came back
      expect(await firstValueFrom(service.trigger<string>('gate::wait', {}))).toBe('released');
      expect([waiting.status(), waiting.value()]).toEqual(['stopped', undefined]);
    } finally {
      injector.destroy();
      await service.close();
    }
  });

  it('toStreamResource needs an injection context or an injector', () => {
    expect(() => toStreamResource(peer.trigger('math::add', { a: 1, b: 1 }))).toThrow(/inject/i);
  });

  it('server render: no socket is opened, state is closed and calls stay loading', async () => {
    opened.length = 0;
    const before = engine.workerIds().length;
    const { injector, service } = app({ url: engine.url, worker: { workerName: 'ssr', socketFactory: counting } }, 'server');
    try {
      expect(service.server).toBe(true);
      const sum = runInInjectionContext(injector, () => service.triggerResource<number>('math::add', { a: 1, b: 1 }));
      await until(() => service.state() === 'closed');
      expect(sum.status()).toBe('loading');
      expect(opened).toEqual([]);
      expect(engine.workerIds()).toHaveLength(before);
    } finally {
      injector.destroy();
      await service.close();
    }
  });

  it('in a browser the same config does open its socket (the server test can fail)', async () => {
    opened.length = 0;
    const { injector, service } = app({ url: engine.url, worker: { workerName: 'browser', socketFactory: counting } });
    try {
      await until(() => service.state() === 'open');
      expect(opened).toEqual([engine.url]);
    } finally {
      injector.destroy();
      await service.close();
    }
  });
});
