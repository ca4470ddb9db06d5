import { firstValueFrom, VirtualTimeScheduler } from 'rxjs';
import { EmbeddedEngine } from '../../../lib/engine/EmbeddedEngine';
import type { EngineLogDetails } from '../../../lib/engine/EngineLogger';
import type { QueueDelivery } from '../../../lib/engine/queue/MemoryQueue';
import { startEngine } from '../../../lib/engine/startEngine';
import { connectWorker } from '../../../lib/worker/connectWorker';
import type { FunctionContext } from '../../../lib/worker/FunctionContext';
import type { Worker } from '../../../lib/worker/Worker';
import { eventually } from '../support/httpCall';

/** Moves a virtual clock forward by `ms`, running whatever falls due. */
function advance(clock: VirtualTimeScheduler, ms: number): void {
  clock.maxFrames = clock.frame + ms;
  clock.flush();
  clock.frame = clock.maxFrames;
}

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('the enqueue action without a queue (PROTOCOL.md §11.3)', () => {
  let engine: EmbeddedEngine;
  let worker: Worker;

  beforeAll(async () => {
    engine = await startEngine({ port: 0 });
    worker = connectWorker(engine.url);
  });

  afterAll(async () => {
    await worker.close();
    await engine.close();
  });

  it('fails with upstream\'s enqueue_error', async () => {
    await expect(firstValueFrom(worker.trigger('spec::any', { a: 1 }, { action: { enqueue: 'q' } }))).rejects.toMatchObject({
      code: 'enqueue_error',
      message: expect.stringMatching(/No queue provider is installed\..*\(underlying: Function engine::queue::enqueue not found\)$/),
    });
  });

  it('hands the message to a worker that registers engine::queue::enqueue, with the provider contract', async () => {
    const provider = connectWorker(engine.url);
    try {
      const inputs: any[] = [];
      provider.registerFunction('engine::queue::enqueue', (input: any) => {
        inputs.push(input);
        if (input.queue === 'refuse') throw Object.assign(new Error('queue is paused'), { code: 'paused' });
        return { accepted: true };
      });
      await eventually(() => engine.functionIds().includes('engine::queue::enqueue'));
      const receipt = await firstValueFrom(
        worker.trigger<{ messageReceiptId: string }>('spec::target', { order: 7 }, { action: { enqueue: 'orders' }, traceparent: TRACEPARENT, baggage: 'tenant=a,iii.function.id=old' }),
      );
      expect(receipt).toEqual({ messageReceiptId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(inputs[0]).toEqual({
        queue: 'orders',
        function_id: 'spec::target',
        data: { order: 7 },
        messageReceiptId: receipt.messageReceiptId,
        traceparent: TRACEPARENT,
        baggage: 'tenant=a,iii.function.id=spec::target',
      });
      await expect(firstValueFrom(worker.trigger('spec::target', {}, { action: { enqueue: 'refuse' } }))).rejects.toMatchObject({
        code: 'enqueue_error',
        message: expect.stringMatching(/invocation_failed: queue is paused$/),
      });
    } finally {
      await provider.close();
    }
  });
});

describe('the built-in queue (--queue)', () => {
  let engine: EmbeddedEngine;
  let clock: VirtualTimeScheduler;
  let worker: Worker;
  let deliveries: QueueDelivery[];
  const warnings: Array<{ message: string; details?: EngineLogDetails }> = [];

  beforeEach(async () => {
    clock = new VirtualTimeScheduler();
    clock.frame = Date.parse('2026-12-01T00:00:00Z');
    engine = await startEngine({
      port: 0,
      queue: { clock, backoffDelayMs: 1000, maxBytes: 4096 },
      logger: { warn: (message, details) => warnings.push({ message, details }) },
    });
    worker = connectWorker(engine.url);
    deliveries = [];
    engine.triggerModules?.queue?.onDelivery((d) => deliveries.push(d));
  });

  afterEach(async () => {
    await worker.close();
    await engine.close();
  });

  it('delivers an enqueued message to its function with the data as sent, and the caller gets a receipt', async () => {
    const seen: Array<{ input: unknown; context: FunctionContext }> = [];
    worker.registerFunction('mail::send', (input, context) => {
      seen.push({ input, context });
      return 'sent';
    });
    await eventually(() => engine.functionIds().includes('mail::send'));
    const receipt = await firstValueFrom(worker.trigger<{ messageReceiptId: string }>('mail::send', { to: 'a@b.c' }, { action: { enqueue: 'emails' } }));
    await eventually(() => deliveries.length === 1);
    expect(seen[0].input).toEqual({ to: 'a@b.c' });
    expect(seen[0].context.callerWorkerId).toBeUndefined();
    expect(deliveries[0]).toMatchObject({ messageId: receipt.messageReceiptId, queue: 'emails', functionId: 'mail::send', attempt: 1, fate: 'acked' });
  });

  it('retries a failing delivery after backoff × 2^(attempt−1), then dead-letters it; the list is a built-in and can be redriven', async () => {
    let failUntil = Infinity;
    let attempts = 0;
    worker.registerFunction('mail::flaky', () => {
      attempts++;
      if (attempts < failUntil) throw new Error(`smtp down (${attempts})`);
      return 'ok';
    });
    await eventually(() => engine.functionIds().includes('mail::flaky'));
    await firstValueFrom(worker.trigger('mail::flaky', { n: 1 }, { action: { enqueue: 'emails' } }));

    await eventually(() => deliveries.length === 1);
    expect(deliveries[0].fate).toBe('retrying');
    advance(clock, 999);
    expect(attempts).toBe(1);
    advance(clock, 1);
    await eventually(() => deliveries.length === 2);
    advance(clock, 1999);
    expect(attempts).toBe(2);
    advance(clock, 1);
    await eventually(() => deliveries.length === 3);
    expect(deliveries.map((d) => [d.attempt, d.fate])).toEqual([
      [1, 'retrying'],
      [2, 'retrying'],
      [3, 'dead'],
    ]);

    const list = await firstValueFrom(worker.trigger<{ dead_letters: any[] }>('iii::queue::dead_letters', { queue: 'emails' }));
    expect(list.dead_letters).toEqual([
      expect.objectContaining({ queue: 'emails', function_id: 'mail::flaky', data: { n: 1 }, attempts: 3, error: expect.objectContaining({ code: 'invocation_failed', message: 'smtp down (3)' }) }),
    ]);
    expect(warnings.some((w) => w.message === 'message dead-lettered after its last attempt')).toBe(true);

    failUntil = 0;
    expect(await firstValueFrom(worker.trigger('iii::queue::redrive', {}))).toEqual({ redriven: 1 });
    await eventually(() => deliveries.length === 4);
    expect(deliveries[3]).toMatchObject({ attempt: 1, fate: 'acked' });
    expect((await firstValueFrom(worker.trigger<{ dead_letters: unknown[] }>('iii::queue::dead_letters', {}))).dead_letters).toEqual([]);
  });

  it('publishes a copy to every durable:subscriber of the topic, with its own queue_config', async () => {
    const got: Record<string, unknown[]> = { a: [], b: [] };
    let bFailures = 2;
    worker.registerFunction('orders::audit', (input) => {
      got.a.push(input);
    });
    worker.registerFunction('orders::ship', (input) => {
      got.b.push(input);
      if (bFailures-- > 0) throw new Error('carrier busy');
    });
    worker.registerTrigger({ type: 'durable:subscriber', functionId: 'orders::audit', config: { topic: 'orders' } });
    worker.registerTrigger({
      type: 'durable:subscriber',
      functionId: 'orders::ship',
      config: { topic: 'orders', queue_config: { type: 'standard', maxRetries: 3, backoffDelayMs: 200 } },
    });
    worker.registerTrigger({ type: 'durable:subscriber', functionId: 'orders::audit', config: { topic: 'other' } });
    await eventually(() => engine.stats().triggers === 3 && engine.functionIds().length === 2);
    const reply = await firstValueFrom(worker.trigger('iii::durable::publish', { topic: 'orders', data: { id: 9 } }));
    expect(reply).toBeUndefined();
    const shipped = () => deliveries.filter((d) => d.functionId === 'orders::ship').length;
    await eventually(() => got.a.length === 1 && shipped() === 1);
    advance(clock, 199);
    expect(got.b).toHaveLength(1);
    advance(clock, 1);
    await eventually(() => shipped() === 2);
    advance(clock, 399);
    expect(got.b).toHaveLength(2);
    advance(clock, 1);
    await eventually(() => shipped() === 3);
    expect(got).toEqual({ a: [{ id: 9 }], b: [{ id: 9 }, { id: 9 }, { id: 9 }] });
    expect(deliveries.filter((d) => d.topic === 'orders' && d.functionId === 'orders::ship').map((d) => d.fate)).toEqual(['retrying', 'retrying', 'acked']);
  });

  it('skips a subscriber whose condition returns false, and counts a failing condition as a failed delivery', async () => {
    const got: unknown[] = [];
    worker.registerFunction('spec::big-only', (input: { amount: number }) => {
      if (input.amount < 0) throw new Error('negative');
      return input.amount > 100;
    });
    worker.registerFunction('spec::big-orders', (input) => {
      got.push(input);
    });
    worker.registerTrigger({
      type: 'durable:subscriber',
      functionId: 'spec::big-orders',
      config: { topic: 'payments', condition_function_id: 'spec::big-only', queue_config: { maxRetries: 0 } },
    });
    await eventually(() => engine.stats().triggers === 1 && engine.functionIds().length === 2);
    for (const amount of [5, 500, -1]) await firstValueFrom(worker.trigger('iii::durable::publish', { topic: 'payments', data: { amount } }));
    await eventually(() => deliveries.length === 3);
    expect(got).toEqual([{ amount: 500 }]);
    expect(deliveries.map((d) => [d.outcome === 'skipped' ? 'skipped' : 'error' in d.outcome ? 'error' : 'ran', d.fate])).toEqual(
      expect.arrayContaining([
        ['skipped', 'acked'],
        ['ran', 'acked'],
        ['error', 'dead'],
      ]),
    );
  });

  it('refuses messages past its byte cap with queue_full, reaching the caller as enqueue_error', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    worker.registerFunction('spec::slowpoke', () => blocked);
    await eventually(() => engine.functionIds().includes('spec::slowpoke'));
    const big = 'x'.repeat(3000);
    await firstValueFrom(worker.trigger('spec::slowpoke', big, { action: { enqueue: 'bulk' } }));
    await expect(firstValueFrom(worker.trigger('spec::slowpoke', big, { action: { enqueue: 'bulk' } }))).rejects.toMatchObject({
      code: 'enqueue_error',
      message: expect.stringMatching(/(^|: )queue_full: /),
    });
    expect(engine.triggerModules?.queue?.heldBytes).toBe(3002);
    release();
    await eventually(() => engine.triggerModules?.queue?.heldBytes === 0);
  });
});
