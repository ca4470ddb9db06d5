import { NEVER, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../lib/engine/startEngine';
import { InvocationError } from '../../lib/errors/InvocationError';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { syncWithEngine, whenOpen } from './workerTestKit';

/**
 * Marble teardown of `worker.trigger` against the embedded engine: the payload is a cold marble Observable
 * and the caller's timers (the call timeout) run on a TestScheduler that the test steps by hand, while the
 * sockets run in real time. Virtual time stands still while the test awaits the engine, so every
 * subscription log reads in frames (one `-` = 10 frames).
 */
describe('worker.trigger teardown (marbles, embedded engine)', () => {
  let engine: EmbeddedEngine;
  let callee: Worker;
  let caller: Worker;
  let scheduler: TestScheduler;
  let failNow: Subject<never>;

  /** Runs the virtual actions due up to `frame` and moves the clock there. */
  const advanceTo = (frame: number) => {
    scheduler.maxFrames = frame;
    scheduler.flush();
    scheduler.frame = frame;
  };

  beforeAll(async () => {
    engine = await startEngine({ port: 0 });
    callee = connectWorker(engine.url, { workerName: 'marble-callee' });
    callee.registerFunction('m::hold', () => NEVER);
    callee.registerFunction('m::fail-on-cue', () => failNow);
    await syncWithEngine(callee);
  });

  beforeEach(async () => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    failNow = new Subject<never>();
    caller = connectWorker(engine.url, { workerName: 'marble-caller', scheduler });
    await whenOpen(caller);
  });

  afterEach(async () => {
    await caller.close();
    await until(() => engine.stats().channelSockets === 0);
  });

  afterAll(async () => {
    await callee.close();
    await engine.close();
  });

  it('unsubscribing from the call unsubscribes the payload Observable', async () => {
    const values = scheduler.createColdObservable('a-b-c-d-e-f-g-h-i-j');
    const call = caller.trigger('m::hold', { values }).subscribe({ error: () => undefined });
    await until(() => values.subscriptions.length === 1); // its channel exists and the call went out
    advanceTo(30);
    call.unsubscribe();
    scheduler.expectSubscriptions(values.subscriptions).toBe('^--!');
    advanceTo(200);
    expect(caller.pendingCalls).toBe(0);
  });

  it('the call timing out unsubscribes the payload Observable', async () => {
    const values = scheduler.createColdObservable('a-b-c-d-e-f-g-h-i-j');
    let error: unknown;
    caller.trigger('m::hold', { values }, { timeoutMs: 50 }).subscribe({ error: (err) => (error = err) });
    await until(() => values.subscriptions.length === 1);
    advanceTo(40);
    expect(error).toBeUndefined();
    advanceTo(60); // the timeout fires at frame 50
    expect((error as InvocationError).code).toBe('TIMEOUT');
    scheduler.expectSubscriptions(values.subscriptions).toBe('^----!');
    advanceTo(200);
  });

  it('the call failing unsubscribes the payload Observable', async () => {
    const values = scheduler.createColdObservable('a-b-c-d-e-f-g-h-i-j');
    let error: unknown;
    caller.trigger('m::fail-on-cue', { values }).subscribe({ error: (err) => (error = err) });
    await until(() => values.subscriptions.length === 1);
    advanceTo(20);
    failNow.error(new Error('gave up'));
    await until(() => error !== undefined); // the failure travels through the engine in real time, at frame 20
    expect((error as InvocationError).code).toBe('invocation_failed');
    scheduler.expectSubscriptions(values.subscriptions).toBe('^-!');
    advanceTo(200);
  });
});

/** Polls a condition on the event loop (no fixed sleeps); the jest timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
