import { isLeft } from 'fp-ts/lib/Either';
import type * as t from 'io-ts';
import { map, OperatorFunction } from 'rxjs';
import { DecodeError } from '../errors/DecodeError';
import { describeErrors } from '../protocol/decodeFrame';

/**
 * Decodes each value of a stream with an io-ts codec: a value that fits is passed on as the codec's type,
 * the first one that does not errors the stream with `DecodeError`, whose `path` names the bad field
 * (`[3].celsius`: value number 3 of the stream, field `celsius`). Built on `map`, so it keeps a channel
 * reader's demand link (`consume` after it still paces the reader).
 *
 * @example
 * ```ts
 * const Reading = t.type({ sensor: t.string, celsius: t.number });
 * reader.values$().pipe(decodeValues(Reading)).subscribe((r) => console.log(r.celsius.toFixed(1)));
 * ```
 */
export function decodeValues<A>(codec: t.Decoder<unknown, A>): OperatorFunction<unknown, A> {
  return map((value: unknown, index: number) => {
    const decoded = codec.decode(value);
    if (!isLeft(decoded)) return decoded.right;
    const { path, message } = describeErrors(decoded.left);
    const full = `[${index}]${path && !path.startsWith('[') ? '.' : ''}${path}`;
    throw new DecodeError(`channel value ${index} does not match ${codec.name} at ${full}: ${message}`, full);
  });
}
