/**
 * The iii-rx version, sent in worker metadata. Kept equal to package.json's `version` by `spec/version.spec.ts`.
 *
 * @example
 * ```ts
 * console.log(`iii-rx ${VERSION}`);
 * ```
 */
export const VERSION = '0.1.0';
