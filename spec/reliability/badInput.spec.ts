import { randomUUID } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { PayloadTooLargeError } from '../../lib/errors/PayloadTooLargeError';
import { errorOf, syncWithEngine, whenOpen } from '../worker/workerTestKit';
import { openWorker, RawClient } from '../engine/support/RawClient';
import { recordingLogger } from './support/recordingLogger';

/** `depth` nested objects as JSON text (built as text: the value itself would overflow JSON.stringify). */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Bad input found by the fuzzer (spec/reliability/fuzz.spec.ts), kept as fixed regressions. */
describe('bad input regressions', () => {
  let engine: EmbeddedEngine;
  const { logger, entries } = recordingLogger();
  const raws: RawClient[] = [];
  const workers: Worker[] = [];

  beforeAll(async () => {
    engine = await startEngine({ port: 0, logger });
  });

  afterEach(async () => {
    await Promise.all(raws.splice(0).map((c) => c.close(true)));
    await Promise.all(workers.splice(0).map((w) => w.close()));
  });

  afterAll(async () => {
    await engine.close();
  });

  it('drops and logs a frame nested deeper than 128 levels; 128 levels still pass', async () => {
    const { client } = await openWorker(engine.url);
    raws.push(client);
    const deepId = randomUUID();
    const okId = randomUUID();
    const before = entries.length;
    // the SDK-style metadata call would otherwise store a value no later JSON.stringify survives
    await client.send(`{"type":"invokefunction","invocation_id":"${deepId}","function_id":"engine::workers::register","data":{"name":"deep","extra":${nested(5000)}}}`);
    await client.send(`{"type":"invokefunction","invocation_id":"${okId}","function_id":"engine::functions::list","data":${nested(120)}}`);
    const reply = await client.next((f) => f.invocation_id === okId || f.invocation_id === deepId);
    expect(reply.invocation_id).toBe(okId);
    expect(reply.error).toBeUndefined();
    expect(entries.slice(before)).toContainEqual({
      level: 'warn',
      message: 'dropped frame',
      details: expect.objectContaining({ reason: 'TOO_DEEP' }),
    });
    // everyone can still list workers
    const listId = randomUUID();
    await client.send({ type: 'invokefunction', invocation_id: listId, function_id: 'engine::workers::list', data: {} });
    expect((await client.next((f) => f.invocation_id === listId)).result.workers.length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('the client refuses a JSON message over 16 MiB with PayloadTooLargeError that points to channels, and stays connected', async () => {
    const callee = connectWorker(engine.url);
    const caller = connectWorker(engine.url);
    workers.push(callee, caller);
    callee.registerFunction('bad::len', (s: string) => s.length);
    await syncWithEngine(callee);
    await whenOpen(caller);
    const err = await errorOf(caller.trigger('bad::len', 'x'.repeat(16 * 1024 * 1024 + 1)));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((err as Error).message).toMatch(/channel/);
    expect(caller.state).toBe('open');
    await expect(firstValueFrom(caller.trigger('bad::len', 'y'.repeat(1024)))).resolves.toBe(1024);
  });
});
