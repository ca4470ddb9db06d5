import { Readable } from 'node:stream';
import { filter, firstValueFrom, lastValueFrom, map, take, tap, timer, toArray } from 'rxjs';
import { consume } from '../../lib/demand/consume';
import { pulled } from '../../lib/demand/pulled';

describe('pulled', () => {
  it('reads an async generator only as fast as a consumer behind map/filter finishes', async () => {
    let passed = 0;
    let processed = 0;
    let maxAhead = 0;
    async function* numbers() {
      for (let i = 0; i < 40; i++) yield i;
    }
    const out = await lastValueFrom(
      pulled(numbers()).pipe(
        map((n) => n * 2),
        filter((n) => n % 4 === 0),
        tap(() => (maxAhead = Math.max(maxAhead, ++passed - processed))),
        consume((n) => timer(1).pipe(map(() => (processed++, n)))),
        toArray(),
      ),
    );
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * 4));
    // the generator is asked for the next value only once the one in work is finished
    expect(maxAhead).toBe(1);
  });

  it('subscribed plainly, reads everything like from()', async () => {
    await expect(lastValueFrom(pulled([1, 2, 3]).pipe(toArray()))).resolves.toEqual([1, 2, 3]);
  });

  it('an endless iterable stops at take(n) and its generator is returned', async () => {
    let finished = false;
    function* forever() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finished = true;
      }
    }
    await expect(lastValueFrom(pulled(forever()).pipe(take(3), toArray()))).resolves.toEqual([0, 1, 2]);
    expect(finished).toBe(true);
  });

  it('reads a Node Readable on demand, and destroys it on unsubscribe', async () => {
    let reads = 0;
    const stream = new Readable({
      objectMode: true,
      highWaterMark: 1,
      read() {
        this.push(`line ${reads++}`);
      },
    });
    const first = await firstValueFrom(pulled<string>(stream).pipe(consume((s) => timer(1).pipe(map(() => s)))));
    expect(first).toBe('line 0');
    expect(reads).toBeLessThan(10);
    await new Promise((r) => setImmediate(r));
    expect(stream.destroyed).toBe(true);
  });

  it('errors with the generator error', async () => {
    async function* broken() {
      yield 1;
      throw new Error('disk gone');
    }
    await expect(lastValueFrom(pulled(broken()))).rejects.toThrow('disk gone');
  });

  it('each subscription takes a fresh iterator of a re-iterable source', async () => {
    const list = [7, 8];
    const p = pulled(list);
    await expect(lastValueFrom(p.pipe(toArray()))).resolves.toEqual([7, 8]);
    await expect(lastValueFrom(p.pipe(toArray()))).resolves.toEqual([7, 8]);
  });
});
