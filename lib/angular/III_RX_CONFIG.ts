import { InjectionToken } from '@angular/core';
import type { IiiRxConfig } from './IiiRxConfig';

/**
 * The injection token of the iii-rx configuration; `provideIiiRx(config)` provides it.
 *
 * @example
 * ```ts
 * const config = inject(III_RX_CONFIG);
 * console.log(config.url);
 * ```
 */
export const III_RX_CONFIG = new InjectionToken<IiiRxConfig>('III_RX_CONFIG');
