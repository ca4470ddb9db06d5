import { firstValueFrom, Subject, VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EmbeddedEngine } from '../../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../../lib/engine/startEngine';
import { connectWorker } from '../../../lib/worker/connectWorker';
import type { FunctionContext } from '../../../lib/worker/FunctionContext';
import type { Worker } from '../../../lib/worker/Worker';
import { eventually } from '../support/httpCall';
import { openWorker } from '../support/RawClient';

const START = Date.parse('2026-12-01T14:58:00Z');

/** Moves a virtual clock forward by `ms`, running whatever falls due. */
function advance(clock: VirtualTimeScheduler, ms: number): void {
  clock.maxFrames = clock.frame + ms;
  clock.flush();
  clock.frame = clock.maxFrames;
}

describe('cron triggers on a virtual clock (PROTOCOL.md §11.2)', () => {
  let engine: EmbeddedEngine;
  let clock: VirtualTimeScheduler;
  let worker: Worker;

  /** Waits until the engine runs a job for `functionId` (the binding travelled over the socket). */
  const scheduled = (functionId: string) =>
    eventually(() => engine.triggerModules?.cron?.list().find((j) => j.functionId === functionId && j.nextFireMs !== undefined));

  beforeEach(async () => {
    clock = new VirtualTimeScheduler();
    clock.frame = START;
    engine = await startEngine({ port: 0, cron: { clock } });
    worker = connectWorker(engine.url);
  });

  afterEach(async () => {
    await worker.close();
    await engine.close();
  });

  it('fires at each match with the real engine\'s input and the binding metadata', async () => {
    const calls: Array<{ input: any; context: FunctionContext }> = [];
    worker.registerFunction('spec::tick', (input, context) => {
      calls.push({ input, context });
    });
    const reg = worker.registerTrigger({ type: 'cron', functionId: 'spec::tick', config: { expression: '*/10 * * * * *' }, metadata: { team: 'ops' } });
    await scheduled('spec::tick');

    advance(clock, 9_999);
    expect(calls).toHaveLength(0);
    advance(clock, 1);
    await eventually(() => calls.length === 1);
    expect(calls[0].input).toEqual({
      trigger: 'cron',
      job_id: reg.id,
      scheduled_time: '2026-12-01T14:58:10+00:00',
      actual_time: '2026-12-01T14:58:10.000000000+00:00',
    });
    expect(calls[0].context.metadata).toEqual({ team: 'ops' });
    expect(calls[0].context.callerWorkerId).toBeUndefined();
    expect(calls[0].context.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    await eventually(() => engine.triggerModules?.cron?.list()[0]?.nextFireMs === START + 20_000);
    advance(clock, 10_000);
    await eventually(() => calls.length === 2);
    expect(calls[1].input.scheduled_time).toBe('2026-12-01T14:58:20+00:00');
  });

  it('runs one fire at a time and does not catch up on matches missed while the function ran', async () => {
    const started: string[] = [];
    let finish!: () => void;
    worker.registerFunction('spec::slow', (input: { scheduled_time: string }) => {
      started.push(input.scheduled_time);
      return new Promise<void>((resolve) => (finish = resolve));
    });
    worker.registerTrigger({ type: 'cron', functionId: 'spec::slow', config: { expression: '* * * * * *' } });
    await scheduled('spec::slow');

    advance(clock, 1_000);
    await eventually(() => started.length === 1);
    advance(clock, 5_000); // five more matches pass while the first fire runs
    expect(engine.triggerModules?.cron?.list()[0].nextFireMs).toBeUndefined();
    finish();
    const job = await eventually(() => engine.triggerModules?.cron?.list().find((j) => j.nextFireMs !== undefined));
    expect(job.nextFireMs).toBe(START + 7_000); // the next match after now, not the missed ones
    advance(clock, 1_000);
    await eventually(() => started.length === 2);
    expect(started).toEqual(['2026-12-01T14:58:01+00:00', '2026-12-01T14:58:07+00:00']);
    finish();
  });

  it('skips a fire when the condition returns false or fails, and fires otherwise', async () => {
    const fired: string[] = [];
    let verdict: unknown = false;
    worker.registerFunction('spec::gate', () => {
      if (verdict instanceof Error) throw verdict;
      return verdict;
    });
    worker.registerFunction('spec::gated', (input: { scheduled_time: string }) => {
      fired.push(input.scheduled_time);
    });
    worker.registerTrigger({ type: 'cron', functionId: 'spec::gated', config: { expression: '*/2 * * * * *', condition_function_id: 'spec::gate' } });
    await scheduled('spec::gated');
    const fires: string[] = [];
    engine.triggerModules?.cron?.onFire((f) => fires.push(f.outcome === 'skipped' ? 'skipped' : 'error' in f.outcome ? 'failed' : 'ran'));

    advance(clock, 2_000);
    await eventually(() => fires.length === 1);
    verdict = new Error('gate broken');
    await scheduled('spec::gated');
    advance(clock, 2_000);
    await eventually(() => fires.length === 2);
    verdict = 'anything but false';
    await scheduled('spec::gated');
    advance(clock, 2_000);
    await eventually(() => fires.length === 3);
    expect(fires).toEqual(['skipped', 'skipped', 'ran']);
    expect(fired).toEqual(['2026-12-01T14:58:06+00:00']);
  });

  it('stops firing once the trigger is unregistered', async () => {
    let calls = 0;
    worker.registerFunction('spec::stopped', () => {
      calls++;
    });
    const reg = worker.registerTrigger({ type: 'cron', functionId: 'spec::stopped', config: { expression: '* * * * * *' } });
    await scheduled('spec::stopped');
    reg.unregister();
    await eventually(() => engine.triggerModules?.cron?.list().length === 0);
    advance(clock, 10_000);
    expect(calls).toBe(0);
  });

  it('refuses a missing expression, a five-field expression and a live id registered again', async () => {
    const errors: unknown[] = [];
    const sub = worker.triggerErrors$.subscribe((e) => errors.push(e));
    worker.registerTrigger({ type: 'cron', functionId: 'spec::x', config: {} });
    worker.registerTrigger({ type: 'cron', functionId: 'spec::x', config: { expression: '*/1 * * * *' } });
    await eventually(() => errors.length === 2);
    sub.unsubscribe();
    expect(errors).toEqual([
      expect.objectContaining({ code: 'trigger_registration_failed', message: 'Cron expression is required' }),
      expect.objectContaining({ code: 'trigger_registration_failed', message: expect.stringMatching(/^Invalid cron expression '\*\/1 \* \* \* \*': /) }),
    ]);

    // the SDK never reuses an id, so the duplicate is sent as raw frames
    const { client } = await openWorker(engine.url);
    try {
      const frame = { type: 'registertrigger', id: 'job-1', trigger_type: 'cron', function_id: 'spec::x', config: { expression: '@daily' } };
      await client.send(frame);
      await client.send(frame);
      const refusal = await client.next((f) => f.type === 'triggerregistrationresult');
      expect(refusal).toMatchObject({ id: 'job-1', trigger_type: 'cron', error: { code: 'trigger_registration_failed', message: "Cron job 'job-1' is already registered" } });
    } finally {
      await client.close();
    }
  });
});

describe('cron triggers on a TestScheduler', () => {
  it('fires when the TestScheduler is flushed', async () => {
    const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    testScheduler.maxFrames = Number.POSITIVE_INFINITY;
    const engine = await startEngine({ port: 0, cron: { clock: testScheduler } });
    const worker = connectWorker(engine.url);
    try {
      const inputs = new Subject<unknown>();
      const fired = firstValueFrom(inputs);
      worker.registerFunction('spec::flushed', (input: unknown) => inputs.next(input));
      worker.registerTrigger({ type: 'cron', functionId: 'spec::flushed', config: { expression: '@hourly' } });
      await eventually(() => engine.triggerModules?.cron?.list()[0]?.nextFireMs !== undefined);
      testScheduler.flush();
      expect(await fired).toMatchObject({ trigger: 'cron', scheduled_time: '1970-01-01T01:00:00+00:00' });
    } finally {
      await worker.close();
      await engine.close();
    }
  });
});
