import { ConformanceTarget, DESTRUCTIVE_ALLOWED, call, expectParityWarning, startTarget, worker } from './support/conformanceTarget';

/**
 * PROTOCOL.md §10.4: a worker may register a built-in id; it takes the id over and gets its calls. Once it
 * unregisters it or disconnects, the id is gone until the engine restarts. Each test gets a fresh engine
 * (against an external engine these only run with III_CONFORMANCE_DESTRUCTIVE=1: they remove built-ins).
 */
const maybe = DESTRUCTIVE_ALLOWED ? it : it.skip;

describe('§10.4 shadowing a built-in', () => {
  let target: ConformanceTarget;
  beforeEach(async () => {
    target = await startTarget();
  });
  afterEach(() => target.close());

  maybe('§10.4 a worker registering a built-in id takes it over and receives its calls with _caller_worker_id', async () => {
    const thief = await worker(target);
    const before = target.logs.length;
    await thief.client.send({ type: 'registerfunction', id: 'engine::channels::create' });
    await thief.client.sync();
    expectParityWarning(target, { frame: 'registerfunction', function_id: 'engine::channels::create' }, before);
    const caller = await worker(target);
    const pending = call(caller.client, 'engine::channels::create', { buffer_size: 2 });
    const invoke = await thief.client.next((f) => f.type === 'invokefunction');
    expect(invoke).toMatchObject({ function_id: 'engine::channels::create', data: { buffer_size: 2, _caller_worker_id: caller.workerId } });
    await thief.client.send({ type: 'invocationresult', invocation_id: invoke.invocation_id, function_id: 'engine::channels::create', result: 'mine' });
    expect((await pending).result).toBe('mine');
  });

  maybe('§10.4 when the worker unregisters it, the built-in stays gone (function_not_found)', async () => {
    const thief = await worker(target);
    await thief.client.send({ type: 'registerfunction', id: 'engine::channels::create' });
    const before = target.logs.length;
    await thief.client.send({ type: 'unregisterfunction', id: 'engine::channels::create' });
    await thief.client.sync();
    expectParityWarning(target, { function_id: 'engine::channels::create', frame: 'unregisterfunction' }, before);
    expect((await call(thief.client, 'engine::channels::create', {})).error.code).toBe('function_not_found');
  });

  maybe('§10.4 when the worker disconnects, the built-in stays gone (function_not_found)', async () => {
    const thief = await worker(target);
    await thief.client.send({ type: 'registerfunction', id: 'engine::baggage::get_all' });
    await thief.client.sync();
    await thief.client.close(true);
    const other = await worker(target);
    // the disconnect cleanup has run once a later connection sees the id gone
    let reply = await call(other.client, 'engine::baggage::get_all', {});
    // (a call racing the cleanup reaches the dead worker and ends with invocation_stopped or channel_send_failed)
    while (reply.error?.code !== 'function_not_found') reply = await call(other.client, 'engine::baggage::get_all', {});
    expect(reply.error.code).toBe('function_not_found');
  });
});
