// The Angular entry point (iii-rx/angular) in Chromium, with real zone.js patching the DOM WebSocket. Bundled by
// spec/browser/browserHarness.ts from the built dist/browser/angular.js.
import 'zone.js';
import { createEnvironmentInjector, EnvironmentInjector, Injector, NgZone } from '@angular/core';
import { firstValueFrom, filter } from 'rxjs';
import { IiiRxService, provideIiiRx } from '../../../lib/angular/index';
import type { IiiRxConfig } from '../../../lib/angular/index';

/** What the Angular page reports back to the spec. */
export interface AngularReport {
  zoneLoaded: boolean;
  outside: { unstableDuringIncomingCalls: number; handlerInZone: boolean[]; resultInZone: boolean; stateInZone: boolean };
  inside: { unstableDuringIncomingCalls: number };
  closedOnDestroy: string;
}

declare global {
  interface Window {
    runAngularScenario(engineUrl: string): Promise<AngularReport>;
  }
}

const zone = new NgZone({ enableLongStackTrace: false });
const root = Injector.create({ providers: [{ provide: NgZone, useValue: zone }] }) as EnvironmentInjector;

function bootstrap(config: IiiRxConfig): { injector: EnvironmentInjector; service: IiiRxService } {
  return zone.run(() => {
    const injector = createEnvironmentInjector([provideIiiRx(config)], root);
    return { injector, service: injector.get(IiiRxService) };
  });
}

/** Node calls `id` on this page `n` times (through `node::callPage`); counts how often the zone became unstable. */
async function unstableDuring(service: IiiRxService, id: string, n: number): Promise<number> {
  let unstable = 0;
  const sub = zone.onUnstable.subscribe(() => unstable++);
  try {
    // subscribed outside the zone and not re-entered: only the socket traffic itself could make the zone unstable
    await zone.runOutsideAngular(() => firstValueFrom(service.worker.trigger('node::callPage', { id, n })));
  } finally {
    sub.unsubscribe();
  }
  return unstable;
}

window.runAngularScenario = async (engineUrl: string): Promise<AngularReport> => {
  const outsideApp = bootstrap({ url: engineUrl, worker: { workerName: 'angular-outside' } });
  const handlerInZone: boolean[] = [];
  let outside: AngularReport['outside'];
  let closedOnDestroy = '';
  try {
    const service = outsideApp.service;
    await firstValueFrom(service.worker.state$.pipe(filter((s) => s === 'open')));
    service.registerFunction('page::outside', () => {
      handlerInZone.push(NgZone.isInAngularZone());
      return true;
    });
    const unstableDuringIncomingCalls = await unstableDuring(service, 'page::outside', 10);
    const resultInZone = await new Promise<boolean>((resolve, reject) =>
      service.trigger('node::echo', { from: 'angular' }).subscribe({
        next: () => resolve(NgZone.isInAngularZone()),
        error: reject,
      }),
    );
    const stateInZone = await new Promise<boolean>((resolve) =>
      service.state$.subscribe(() => resolve(NgZone.isInAngularZone())).unsubscribe(),
    );
    outside = { unstableDuringIncomingCalls, handlerInZone, resultInZone, stateInZone };
  } finally {
    outsideApp.injector.destroy();
    await outsideApp.service.close();
    closedOnDestroy = outsideApp.service.worker.state;
  }

  const insideApp = bootstrap({ url: engineUrl, zone: 'inside', worker: { workerName: 'angular-inside' } });
  let inside: AngularReport['inside'];
  try {
    await firstValueFrom(insideApp.service.worker.state$.pipe(filter((s) => s === 'open')));
    insideApp.service.registerFunction('page::inside', () => true);
    inside = { unstableDuringIncomingCalls: await unstableDuring(insideApp.service, 'page::inside', 3) };
  } finally {
    insideApp.injector.destroy();
    await insideApp.service.close();
  }
  return { zoneLoaded: typeof (globalThis as { Zone?: unknown }).Zone !== 'undefined', outside, inside, closedOnDestroy };
};
