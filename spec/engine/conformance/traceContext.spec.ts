import { randomUUID } from 'node:crypto';
import { ConformanceTarget, call, startTarget, uniquePrefix, worker } from './support/conformanceTarget';

/** PROTOCOL.md §10.6: how the real engine passes `traceparent` and `baggage`. */
describe('§10.6 trace context', () => {
  let target: ConformanceTarget;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterEach(() => target.release());
  afterAll(() => target.close());

  const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  /** Baggage members as a set (the real engine does not keep their order). */
  const members = (baggage: string | undefined) => new Set((baggage ?? '').split(',').map((m) => m.trim()).filter(Boolean));

  const pair = async () => {
    const fn = `${uniquePrefix('tc')}::callee`;
    const callee = await worker(target);
    await callee.client.send({ type: 'registerfunction', id: fn });
    await callee.client.sync();
    const caller = await worker(target);
    return { fn, callee, caller };
  };

  it('§10.6 callee gets the caller traceparent byte for byte and baggage minus iii.function.id plus iii.function.id=<called id>', async () => {
    const { fn, callee, caller } = await pair();
    const pending = call(caller.client, fn, {}, { traceparent: TP, baggage: 'user=7,iii.function.id=forged,tenant=a' });
    const invoke = await callee.client.next((f) => f.type === 'invokefunction');
    expect(invoke.traceparent).toBe(TP);
    expect(members(invoke.baggage)).toEqual(new Set(['user=7', 'tenant=a', `iii.function.id=${fn}`]));
    await callee.client.send({ type: 'invocationresult', invocation_id: invoke.invocation_id, function_id: fn, result: 1 });
    await pending;
  });

  it('§10.6 an invalid traceparent is not passed on, but the baggage still is; nothing at all without trace fields', async () => {
    const { fn, callee, caller } = await pair();
    const first = call(caller.client, fn, {}, { traceparent: 'not-a-traceparent' });
    const withBad = await callee.client.next((f) => f.type === 'invokefunction');
    expect('traceparent' in withBad).toBe(false);
    expect(withBad.baggage).toBe(`iii.function.id=${fn}`);
    await callee.client.send({ type: 'invocationresult', invocation_id: withBad.invocation_id, function_id: fn, result: 1 });
    await first;
    const second = call(caller.client, fn, {});
    const plain = await callee.client.next((f) => f.type === 'invokefunction' && f.invocation_id !== withBad.invocation_id);
    expect('traceparent' in plain || 'baggage' in plain).toBe(false);
    await callee.client.send({ type: 'invocationresult', invocation_id: plain.invocation_id, function_id: fn, result: 1 });
    await second;
  });

  it('§10.6 void calls pass the trace context too', async () => {
    const { fn, callee, caller } = await pair();
    await caller.client.send({ type: 'invokefunction', function_id: fn, data: {}, action: { type: 'void' }, baggage: 'k=v' });
    const invoke = await callee.client.next((f) => f.type === 'invokefunction');
    expect(members(invoke.baggage)).toEqual(new Set(['k=v', `iii.function.id=${fn}`]));
  });

  it("§10.6 the caller's result echoes its own traceparent and baggage verbatim; the callee's are discarded", async () => {
    const { fn, callee, caller } = await pair();
    const pending = call(caller.client, fn, {}, { traceparent: 'garbage-tp', baggage: 'b=1' });
    const invoke = await callee.client.next((f) => f.type === 'invokefunction');
    await callee.client.send({
      type: 'invocationresult',
      invocation_id: invoke.invocation_id,
      function_id: fn,
      result: 1,
      traceparent: '00-11111111111111111111111111111111-2222222222222222-01',
      baggage: 'callee=1',
    });
    const reply = await pending;
    expect([reply.traceparent, reply.baggage]).toEqual(['garbage-tp', 'b=1']);
  });

  it('§10.6 every outcome echoes the caller trace: errors, built-ins, enqueue; none when it sent none', async () => {
    const { caller } = await pair();
    const trace = { traceparent: TP, baggage: 'x=1' };
    const replies = [
      await call(caller.client, `${uniquePrefix('tc')}::missing`, {}, trace),
      await call(caller.client, 'engine::baggage::get_all', {}, trace),
      await call(caller.client, `${uniquePrefix('tc')}::queued`, {}, { ...trace, action: { type: 'enqueue', queue: 'q' } }),
    ];
    for (const reply of replies) expect([reply.traceparent, reply.baggage]).toEqual([TP, 'x=1']);
    expect(replies[2].error.code).toBe('enqueue_error');
    const bare = await call(caller.client, 'engine::baggage::get_all', {});
    expect('traceparent' in bare || 'baggage' in bare).toBe(false);
  });

  it('§10.6 engine-originated calls (trigger fires) get a fresh sampled traceparent and no baggage', async () => {
    const prefix = uniquePrefix('tc');
    const watcher = await worker(target);
    await watcher.client.send({ type: 'registerfunction', id: `${prefix}::watch` });
    await watcher.client.send({ type: 'registertrigger', id: randomUUID(), trigger_type: 'engine::workers-available', function_id: `${prefix}::watch`, config: {} });
    await watcher.client.sync();
    const visitor = await worker(target);
    const fired = await watcher.client.next((f) => f.type === 'invokefunction' && f.data?.worker_id === visitor.workerId);
    expect(fired.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect('baggage' in fired).toBe(false);
    expect('_caller_worker_id' in fired.data).toBe(false);
  });
});
