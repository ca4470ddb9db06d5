import * as t from 'io-ts';
import { firstValueFrom, lastValueFrom, Observable, of, reduce } from 'rxjs';
import { isLeft } from 'fp-ts/lib/Either';
import { streamOf } from '../../lib/channel/streamOf';
import { ChannelFixture, startChannelFixture } from './support/channelFixture';

describe('streamOf: streams of typed values in function codecs', () => {
  let fx: ChannelFixture;
  beforeAll(async () => {
    fx = await startChannelFixture();
    fx.worker.registerFunction(
      'spec::sum',
      async (input: { label: string; values: Observable<number> }) => {
        const total = await lastValueFrom(input.values.pipe(reduce((a, n) => a + n, 0)));
        return `${input.label}=${total}`;
      },
      { input: t.type({ label: t.string, values: streamOf(t.number) }) },
    );
  });
  afterAll(async () => {
    await fx.close();
  });

  it('the handler receives an Observable of decoded values; the caller passes any Observable', async () => {
    await expect(firstValueFrom(fx.worker.trigger('spec::sum', { label: 'n', values: of(1, 2, 3.5) }))).resolves.toBe(
      'n=6.5',
    );
  });

  it('a value of the wrong type fails the stream with the path of the value', async () => {
    const err = await firstValueFrom(fx.worker.trigger('spec::sum', { label: 'n', values: of(1, 'two', 3) })).catch(
      (e: Error) => e,
    );
    expect(String((err as Error).message)).toContain('channel value 1 does not match number at [1]');
  });

  it('refuses what is not a stream', () => {
    const decoded = streamOf(t.number).decode(42);
    expect(isLeft(decoded)).toBe(true);
  });
});
