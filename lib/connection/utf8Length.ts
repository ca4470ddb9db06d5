/**
 * The UTF-8 byte length of a string, without encoding it where the platform can count (Node's `Buffer`).
 *
 * @example
 * ```ts
 * utf8Length('€'); // 3
 * ```
 */
export const utf8Length: (text: string) => number =
  typeof Buffer !== 'undefined'
    ? (text) => Buffer.byteLength(text, 'utf8')
    : (() => {
        const encoder = new TextEncoder();
        return (text: string) => encoder.encode(text).length;
      })();
