import { firstValueFrom, ignoreElements, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { HttpRequest, writeHttpResponse } from '../../lib';
import { startTestEngine, TestEngine } from '../../lib/testing';

// Only the public API: `iii-rx` and `iii-rx/testing`.
describe('iii-rx/testing', () => {
  let t: TestEngine;

  beforeEach(async () => {
    t = await startTestEngine({ startTime: Date.parse('2026-12-01T12:00:00Z'), queue: { backoffDelayMs: 500 } });
  });

  afterEach(() => t.close());

  it('serves a worker\'s http route on a free port and tells which input the function got', async () => {
    const worker = t.connectWorker({ workerName: 'orders' });
    worker.registerFunction('orders::get', (req: HttpRequest) => ({ body: { id: req.path_params.id, q: req.query_params.q } }));
    worker.registerTrigger({ type: 'http', functionId: 'orders::get', config: { api_path: 'orders/:id' } });
    await t.sync(worker);

    const invocation = t.nextInvocation('orders::get');
    const res = await t.request('GET', '/orders/7?q=x');
    expect([res.status, res.json]).toEqual([200, { id: '7', q: 'x' }]);
    expect(t.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await invocation).input).toMatchObject({ method: 'GET', path: 'orders/:id', path_params: { id: '7' } });
  });

  it('sends JSON bodies and reads streamed replies', async () => {
    const worker = t.connectWorker();
    worker.registerFunction('echo::stream', (req: HttpRequest<{ words: string[] }>) =>
      writeHttpResponse(req.response, { headers: { 'content-type': 'text/plain' }, body: of(...(req.body?.words ?? [])) }).pipe(ignoreElements()),
    );
    worker.registerTrigger({ type: 'http', functionId: 'echo::stream', config: { api_path: 'echo', http_method: 'POST' } });
    await t.sync(worker);
    const res = await t.request('POST', 'echo', { body: { words: ['a', 'b', 'c'] } });
    expect([res.status, res.headers['content-type'], res.text]).toEqual([200, 'text/plain', 'abc']);
  });

  it('ticks a cron binding on the virtual clock and resolves with the fire', async () => {
    const worker = t.connectWorker();
    worker.registerFunction('reports::hourly', (input: { scheduled_time: string }) => `report for ${input.scheduled_time}`);
    worker.registerTrigger({ type: 'cron', functionId: 'reports::hourly', config: { expression: '0 0 * * * *' } });
    await t.sync(worker);

    const first = await t.tickCron('reports::hourly');
    expect(first.outcome).toEqual({ result: 'report for 2026-12-01T13:00:00+00:00' });
    const second = await t.tickCron('reports::hourly');
    expect(second.outcome).toEqual({ result: 'report for 2026-12-01T14:00:00+00:00' });
    expect(t.clock.now()).toBe(Date.parse('2026-12-01T14:00:00Z'));
  });

  it('publishes and awaits the delivery; a failing subscriber retries as the clock moves, then dead-letters', async () => {
    const worker = t.connectWorker();
    const shipped: unknown[] = [];
    worker.registerFunction('orders::ship', (order) => {
      shipped.push(order);
    });
    worker.registerFunction('orders::bill', () => {
      throw new Error('card declined');
    });
    worker.registerTrigger({ type: 'durable:subscriber', functionId: 'orders::ship', config: { topic: 'orders' } });
    worker.registerTrigger({ type: 'durable:subscriber', functionId: 'orders::bill', config: { topic: 'orders', queue_config: { maxRetries: 1 } } });
    await t.sync(worker);

    const first = await t.publish('orders', { id: 1 });
    expect(first.map((d) => [d.functionId, d.fate]).sort()).toEqual([
      ['orders::bill', 'retrying'],
      ['orders::ship', 'acked'],
    ]);
    expect(shipped).toEqual([{ id: 1 }]);
    const last = t.nextDelivery((d) => d.functionId === 'orders::bill');
    t.advanceClock(500);
    expect(await last).toMatchObject({ attempt: 2, fate: 'dead' });
    const dead = await firstValueFrom(worker.trigger<{ dead_letters: unknown[] }>('iii::queue::dead_letters', { topic: 'orders' }));
    expect(dead.dead_letters).toEqual([expect.objectContaining({ function_id: 'orders::bill', data: { id: 1 }, attempts: 2 })]);
  });

  it('delivers a message enqueued by a worker', async () => {
    const worker = t.connectWorker();
    worker.registerFunction('mail::send', () => 'sent');
    await t.sync(worker);
    const delivered = t.nextDelivery((d) => d.queue === 'emails');
    const receipt = await firstValueFrom(worker.trigger<{ messageReceiptId: string }>('mail::send', { to: 'x@y.z' }, { action: { enqueue: 'emails' } }));
    expect(await delivered).toMatchObject({ messageId: receipt.messageReceiptId, functionId: 'mail::send', fate: 'acked', outcome: { result: 'sent' } });
  });

  it('reports a binding nothing serves on the worker\'s triggerErrors$ and in the engine log', async () => {
    const worker = t.connectWorker();
    const failure = firstValueFrom(worker.triggerErrors$);
    const reg = worker.registerTrigger({ type: 'webhook', functionId: 'hooks::in', config: {} });
    expect(await failure).toMatchObject({ id: reg.id, triggerType: 'webhook', code: 'trigger_type_not_found' });
    expect(t.warningsAbout(reg.id)).toHaveLength(1);
  });

  it('closes the workers it connected and fails waits still pending', async () => {
    const worker = t.connectWorker();
    await t.sync(worker);
    const pending = t.nextInvocation('never::called');
    await t.close();
    await expect(pending).rejects.toMatchObject({ code: 'TEST_ENGINE_CLOSED', message: 'the test engine was closed' });
    expect(worker.state).toBe('closed');
  });
});

describe('iii-rx/testing with a TestScheduler clock', () => {
  it('runs cron on the TestScheduler', async () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const t = await startTestEngine({ clock: scheduler });
    try {
      const worker = t.connectWorker();
      worker.registerFunction('tick::tock', () => 'tock');
      worker.registerTrigger({ type: 'cron', functionId: 'tick::tock', config: { expression: '*/30 * * * * *' } });
      await t.sync(worker);
      expect((await t.tickCron('tick::tock')).outcome).toEqual({ result: 'tock' });
      expect(scheduler.now()).toBe(30_000);
    } finally {
      await t.close();
    }
  });
});
