/** Id prefixes of the real engine's optional built-ins the embedded engine does not serve, with their module. */
export const UPSTREAM_ONLY_FUNCTIONS: ReadonlyArray<readonly [prefix: string, module: string]> = [
  ['engine::health::', 'iii-observability'],
  ['metrics::', 'iii-observability'],
  ['logs::', 'iii-observability'],
  ['traces::', 'iii-observability'],
  ['rollups::', 'iii-observability'],
  ['sampling::', 'iii-observability'],
  ['alerts::', 'iii-observability'],
  ['configuration::', 'configuration (mandatory upstream module)'],
];

/**
 * The upstream module that serves `functionId` on a default real engine when the embedded engine does not
 * (PROTOCOL.md §10.5: absent ⇒ `function_not_found` plus a warning naming the module), else undefined.
 *
 * @example
 * ```ts
 * upstreamModuleOf('metrics::list'); // 'iii-observability'
 * upstreamModuleOf('media::thumb'); // undefined
 * ```
 */
export function upstreamModuleOf(functionId: string): string | undefined {
  return UPSTREAM_ONLY_FUNCTIONS.find(([prefix]) => functionId.startsWith(prefix))?.[1];
}
