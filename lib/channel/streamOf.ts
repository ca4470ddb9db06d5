import * as t from 'io-ts';
import { isObservable, map, Observable } from 'rxjs';
import { ChannelReader } from './ChannelReader';
import { decodeValues } from './decodeValues';

/**
 * An io-ts type for a stream of values inside a function's `input` / `output` codec: the caller puts any
 * `Observable` of values in the payload (the payload codec streams it through a channel, pulled on demand
 * when the Observable is pausable), and the handler receives an `Observable` of decoded values — each one
 * checked with `codec`, the first bad one erroring the stream with `DecodeError` (`[3].celsius`). The
 * stream stays pausable: `consume` in the handler holds the channel, and through it the caller's source.
 *
 * Validates a channel reader (as the payload codec delivers a stream's ref) or an Observable; anything
 * else is a decode failure.
 *
 * @example
 * ```ts
 * worker.registerFunction('stats::sum', async ({ values }) => lastValueFrom(values.pipe(reduce((a, n) => a + n, 0))), {
 *   input: t.type({ values: streamOf(t.number) }),
 * });
 * worker.trigger('stats::sum', { values: of(1, 2, 3) }).subscribe(console.log); // 6
 * ```
 */
export function streamOf<C extends t.Mixed>(
  codec: C,
  name = `Stream<${codec.name}>`,
): t.Type<Observable<t.TypeOf<C>>, Observable<t.OutputOf<C>>, unknown> {
  return new t.Type<Observable<t.TypeOf<C>>, Observable<t.OutputOf<C>>, unknown>(
    name,
    (u): u is Observable<t.TypeOf<C>> => isObservable(u),
    (u, context) => {
      if (u instanceof ChannelReader) return t.success(u.values$(codec));
      if (isObservable(u)) return t.success(u.pipe(decodeValues(codec)));
      return t.failure(u, context, `expected a stream of ${codec.name} (an Observable, or a channel reader)`);
    },
    (values) => values.pipe(map((v) => codec.encode(v))),
  );
}
