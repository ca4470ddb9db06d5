import type { Subscription } from 'rxjs';

/**
 * The hook through which every payload passes on its way between user code and the wire: incoming call
 * data and trigger results are decoded (refs become live channel ends), outgoing payloads and handler
 * results are encoded (live ends and Observables become refs).
 */
export interface PayloadCodec {
  /** Wire JSON → user value. Throws a `DecodeError` naming the bad path. */
  decode(value: unknown): unknown;
  /**
   * User value → wire JSON. May start background work (pumping an Observable into a channel); that work
   * belongs to `scope` when given: unsubscribing it stops the pumps and frees their channels.
   */
  encode(value: unknown, scope?: Subscription): Promise<unknown>;
  /**
   * Whether `encode` would change `value`. When it answers `false` the value is sent as it is, synchronously
   * (a call goes out in the same turn as the subscribe). Left out: always encode.
   */
  needsEncoding?(value: unknown): boolean;
}

/** A codec that passes values through unchanged. */
export const identityCodec: PayloadCodec = {
  decode: (value) => value,
  encode: async (value) => value,
  needsEncoding: () => false,
};
