import { createHash } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { DemoProducer } from '../../../lib/cli/demo/DemoProducer';
import { demoData } from '../../../lib/cli/demo/demoData';
import { DEMO_FUNCTIONS, registerDemoFunctions } from '../../../lib/cli/demo/registerDemoFunctions';
import type { EmbeddedEngine } from '../../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../../lib/engine/startEngine';
import { InvocationError } from '../../../lib/errors';
import { connectWorker } from '../../../lib/worker/connectWorker';
import type { Worker } from '../../../lib/worker/Worker';

const MiB = 1024 * 1024;

describe('demo functions and DemoProducer on the embedded engine (two workers)', () => {
  let engine: EmbeddedEngine;
  let consumer: Worker;
  let producerWorker: Worker;
  let producer: DemoProducer;
  const progress: number[] = [];

  beforeAll(async () => {
    engine = await startEngine({ port: 0, host: '127.0.0.1' });
    consumer = connectWorker(engine.url, { workerName: 'demo-consumer-spec' });
    registerDemoFunctions(consumer, { onDigestProgress: (bytes) => progress.push(bytes), highWaterMark: 4 });
    await firstValueFrom(consumer.trigger(DEMO_FUNCTIONS.square, { x: 1 }));
    producerWorker = connectWorker(engine.url, { workerName: 'demo-producer-spec' });
    producer = new DemoProducer(producerWorker);
  });
  afterAll(async () => {
    await Promise.all([consumer?.close(), producerWorker?.close()]);
    await engine?.close();
  });

  it('streams bytes into demo::digest, which hashes and counts exactly what was sent', async () => {
    progress.length = 0;
    const expected = createHash('sha256');
    let lines = 0;
    for await (const chunk of demoData(4 * MiB + 5)) {
      expected.update(chunk);
      lines += chunk.filter((b) => b === 10).length;
    }
    const sent: number[] = [];
    const outcome = await producer.stream(demoData(4 * MiB + 5), (bytes) => sent.push(bytes));
    expect(outcome.sentBytes).toBe(4 * MiB + 5);
    expect(outcome.sentSha256).toBe(expected.digest('hex'));
    expect(outcome.digest).toEqual({ bytes: 4 * MiB + 5, frames: 65, lines, sha256: outcome.sentSha256 });
    expect(sent.at(-1)).toBe(4 * MiB + 5);
    expect(progress.at(-1)).toBe(4 * MiB + 5);
  });

  it('digests an empty stream', async () => {
    const outcome = await producer.stream(demoData(0));
    expect(outcome.digest).toEqual({ bytes: 0, frames: 0, lines: 0, sha256: createHash('sha256').digest('hex') });
  });

  it('fans out concurrent demo::square calls and checks every answer', async () => {
    const outcome = await producer.fanOut(200);
    expect(outcome).toMatchObject({ calls: 200, correct: 200 });
  });

  it('reads demo::ticks back through a channel whatever the number of values (a stream function)', async () => {
    expect(await producer.ticks(300)).toMatchObject({ asked: 300, count: 300, sum: 45_150, streamed: true });
    expect(await producer.ticks(1)).toMatchObject({ asked: 1, count: 1, sum: 1, streamed: true });
    expect(await producer.ticks(0)).toMatchObject({ asked: 0, count: 0, sum: 0, streamed: true });
  });

  it('answers bad input with invocation_failed naming the expected shape', async () => {
    const call = (id: string, data: unknown) => firstValueFrom(producerWorker.trigger(id, data));
    await expect(call(DEMO_FUNCTIONS.digest, { input: 'nope' })).rejects.toMatchObject({
      code: 'invocation_failed',
      message: expect.stringContaining('expects { input: <channel reader ref> }'),
    });
    await expect(call(DEMO_FUNCTIONS.square, { x: '2' })).rejects.toBeInstanceOf(InvocationError);
    await expect(call(DEMO_FUNCTIONS.ticks, { n: -1 })).rejects.toMatchObject({ code: 'invocation_failed' });
  });
});
