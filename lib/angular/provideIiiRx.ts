import { DestroyRef, EnvironmentProviders, inject, makeEnvironmentProviders, NgZone, PLATFORM_ID } from '@angular/core';
import type { IiiRxConfig } from './IiiRxConfig';
import { III_RX_CONFIG } from './III_RX_CONFIG';
import { IiiRxService } from './IiiRxService';

/**
 * Providers for an app (or any environment injector) that talks to an iii engine: the configuration under
 * `III_RX_CONFIG` and one `IiiRxService`, which connects when first injected and closes when the injector is
 * destroyed. No decorators and no Angular compiler are involved, so it works in AOT and JIT apps alike, with
 * zone.js or zoneless. In a server render (`PLATFORM_ID` `'server'`) the service opens no socket.
 *
 * @example
 * ```ts
 * bootstrapApplication(AppComponent, {
 *   providers: [provideIiiRx({ url: 'ws://127.0.0.1:49134', worker: { workerName: 'web-ui' } })],
 * });
 * ```
 */
export function provideIiiRx(config: IiiRxConfig): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: III_RX_CONFIG, useValue: config },
    {
      provide: IiiRxService,
      useFactory: () => {
        const server = inject(PLATFORM_ID, { optional: true }) === 'server';
        const service = new IiiRxService(inject(III_RX_CONFIG), inject(NgZone, { optional: true }), { server });
        // closing cannot fail in a way anyone could act on once the injector is gone
        inject(DestroyRef).onDestroy(() => void service.close().catch(() => undefined));
        return service;
      },
    },
  ]);
}
