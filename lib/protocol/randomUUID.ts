/** The one Web Crypto method iii-rx needs, declared here so the client's types need neither DOM nor @types/node. */
interface CryptoLike {
  randomUUID(): string;
}

/**
 * A random (v4) UUID from `globalThis.crypto.randomUUID`, available in Node ≥ 19 (and 20 is the minimum), browsers
 * in secure contexts (https, localhost) and web workers.
 *
 * @example
 * ```ts
 * randomUUID(); // '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d'
 * ```
 */
export function randomUUID(): string {
  return (globalThis as unknown as { crypto: CryptoLike }).crypto.randomUUID();
}
