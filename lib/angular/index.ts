// The public API of `iii-rx/angular`. Explicit re-exports only. Needs `@angular/core` (an optional peer of iii-rx).
export { provideIiiRx } from './provideIiiRx';
export { IiiRxService } from './IiiRxService';
export type { IiiRxServiceContext } from './IiiRxService';
export { toStreamResource } from './toStreamResource';
export type { StreamResource, StreamResourceOptions, StreamResourceStatus } from './StreamResource';
export { III_RX_CONFIG } from './III_RX_CONFIG';
export type { IiiRxConfig } from './IiiRxConfig';
export type { ZoneLike } from './ZoneLike';
export { enterZone } from './enterZone';
export { zoneAwareSocketFactory } from './zoneAwareSocketFactory';
export type { ZoneAwareSocketOptions } from './zoneAwareSocketFactory';
