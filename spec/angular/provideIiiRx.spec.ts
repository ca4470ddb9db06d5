import { createEnvironmentInjector, EnvironmentInjector, Injector } from '@angular/core';
import { firstValueFrom, filter, from, lastValueFrom } from 'rxjs';
import { collectBytes } from '../../lib/channel/collectBytes';
import { writeChannel } from '../../lib/channel/writeChannel';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { InvocationError } from '../../lib/errors/InvocationError';
import { provideIiiRx } from '../../lib/angular/provideIiiRx';
import { IiiRxService } from '../../lib/angular/IiiRxService';
import { III_RX_CONFIG } from '../../lib/angular/III_RX_CONFIG';

/** Calls `id` until the engine answers function_not_found (the engine drops a closed worker's functions). */
async function waitUntilGone(caller: Worker, id: string): Promise<string> {
  for (;;) {
    try {
      await firstValueFrom(caller.trigger(id, {}, { timeoutMs: 5_000 }));
    } catch (err) {
      if (err instanceof InvocationError && err.code === 'function_not_found') return err.code;
      throw err;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('provideIiiRx / IiiRxService (no zone)', () => {
  let engine: EmbeddedEngine;
  let peer: Worker;
  let root: EnvironmentInjector;

  beforeAll(async () => {
    engine = await startEngine({ port: 0, host: '127.0.0.1' });
    peer = connectWorker(engine.url, { workerName: 'node-peer' });
    peer.registerFunction('math::add', (input: { a: number; b: number }) => input.a + input.b);
    await firstValueFrom(peer.state$.pipe(filter((s) => s === 'open')));
    root = Injector.create({ providers: [] }) as EnvironmentInjector;
  });

  afterAll(async () => {
    await peer.close();
    root.destroy();
    await engine.close();
  });

  it('provides the config and one service per injector that triggers and serves functions', async () => {
    const config = { url: engine.url, worker: { workerName: 'angular-app' } };
    const injector = createEnvironmentInjector([provideIiiRx(config)], root);
    try {
      expect(injector.get(III_RX_CONFIG)).toBe(config);
      const service = injector.get(IiiRxService);
      expect(injector.get(IiiRxService)).toBe(service);
      expect(service.worker.url).toBe(engine.url);

      expect(await firstValueFrom(service.state$.pipe(filter((s) => s === 'open')))).toBe('open');
      expect(await firstValueFrom(service.trigger<number>('math::add', { a: 2, b: 40 }))).toBe(42);

      service.registerFunction('ui::shout', (input: { text: string }) => input.text.toUpperCase());
      expect(await firstValueFrom(peer.trigger<string>('ui::shout', { text: 'hi' }))).toBe('HI');

      const frame = firstValueFrom(service.frames$.pipe(filter((f) => f.type === 'invocationresult')));
      await firstValueFrom(service.trigger('math::add', { a: 1, b: 1 }));
      expect((await frame).type).toBe('invocationresult');
    } finally {
      injector.destroy();
    }
  });

  it('creates channels whose ends stream through the engine', async () => {
    const injector = createEnvironmentInjector([provideIiiRx({ url: engine.url })], root);
    try {
      const service = injector.get(IiiRxService);
      const channel = await firstValueFrom(service.createChannel({ bufferSize: 4 }));
      expect(channel.readerRef.channel_id).toBe(channel.writerRef.channel_id);
      const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
      const body = firstValueFrom(channel.reader.pipe(collectBytes({ maxBytes: 1 << 20 })));
      const written = await lastValueFrom(from(['head', bytes]).pipe(writeChannel(channel.writer)));
      expect(written.bytes).toBe(4 + bytes.byteLength);
      const received = await body;
      expect(Buffer.from(received.subarray(0, 4)).toString()).toBe('head');
      expect(Buffer.compare(Buffer.from(received.subarray(4)), Buffer.from(bytes))).toBe(0);
    } finally {
      injector.destroy();
    }
  });

  it('closes the worker when its injector is destroyed', async () => {
    const injector = createEnvironmentInjector([provideIiiRx({ url: engine.url })], root);
    const service = injector.get(IiiRxService);
    service.registerFunction('ui::ephemeral', () => 'here');
    await firstValueFrom(service.state$.pipe(filter((s) => s === 'open')));
    expect(await firstValueFrom(peer.trigger<string>('ui::ephemeral', {}))).toBe('here');

    const states: string[] = [];
    const sub = service.state$.subscribe((s) => states.push(s));
    injector.destroy();
    await service.close(); // the same close the injector started; idempotent
    sub.unsubscribe();
    expect(service.worker.state).toBe('closed');
    expect(states[states.length - 1]).toBe('closed');
    expect(await waitUntilGone(peer, 'ui::ephemeral')).toBe('function_not_found');
  });

  it('needs provideIiiRx: without it the service cannot be injected', () => {
    const injector = createEnvironmentInjector([], root);
    try {
      expect(() => injector.get(IiiRxService)).toThrow(/No provider|NullInjector/);
    } finally {
      injector.destroy();
    }
  });
});
