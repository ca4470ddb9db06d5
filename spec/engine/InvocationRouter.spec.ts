import { randomUUID } from 'node:crypto';
import type { BuiltinFunction } from '../../lib/engine/builtins/BuiltinFunction';
import { toEngineLog } from '../../lib/engine/EngineLogger';
import { FunctionRegistry } from '../../lib/engine/FunctionRegistry';
import { InvocationRouter } from '../../lib/engine/InvocationRouter';
import { MemoryPeer } from './support/MemoryPeer';

describe('InvocationRouter', () => {
  const setup = (maxPendingInvocations = 100) => {
    const registry = new FunctionRegistry();
    const builtins = new Map<string, BuiltinFunction>([
      ['engine::echo', { id: 'engine::echo', description: 'echo', invoke: (data) => ({ result: data }) }],
      ['engine::unit', { id: 'engine::unit', description: 'unit', invoke: () => ({ result: null }) }],
      [
        'engine::throws',
        {
          id: 'engine::throws',
          description: 'throws',
          invoke: () => {
            throw new Error('built-in broke');
          },
        },
      ],
    ]);
    const warnings: string[] = [];
    const router = new InvocationRouter(registry, builtins, toEngineLog({ warn: (m) => warnings.push(m), error: (m) => warnings.push(m) }), {
      maxPendingInvocations,
    });
    const caller = new MemoryPeer();
    const callee = new MemoryPeer();
    registry.register(callee, { id: 'svc::f' });
    return { registry, router, caller, callee, warnings };
  };
  const invoke = (fields: Record<string, unknown>) => ({ type: 'invokefunction' as const, function_id: 'svc::f', ...fields });

  it('forwards with the normalised caller id and relays the result with the called function id', () => {
    const { router, caller, callee } = setup();
    const id = randomUUID();
    router.invoke(caller, invoke({ invocation_id: `{${id.toUpperCase()}}`, data: { a: 1 }, baggage: 'b=1' }));
    expect(callee.sent).toEqual([
      { type: 'invokefunction', invocation_id: id, function_id: 'svc::f', data: { a: 1, _caller_worker_id: caller.workerId }, baggage: 'b=1,iii.function.id=svc::f' },
    ]);
    expect(router.pendingCount).toBe(1);
    router.result(callee, { type: 'invocationresult', invocation_id: id, function_id: 'other', result: [1] });
    expect(caller.sent).toEqual([{ type: 'invocationresult', invocation_id: id, function_id: 'svc::f', result: [1], baggage: 'b=1' }]);
    expect(router.pendingCount).toBe(0);
  });

  it('turns a malformed error into an ErrorBody and never sends a null stacktrace', () => {
    const { router, caller, callee } = setup();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    ids.forEach((id) => router.invoke(caller, invoke({ invocation_id: id, data: null })));
    router.result(callee, { type: 'invocationresult', invocation_id: ids[0], error: { code: 'c', message: 'm', stacktrace: null } });
    router.result(callee, { type: 'invocationresult', invocation_id: ids[1], error: 'plain' });
    router.result(callee, { type: 'invocationresult', invocation_id: ids[2], error: null, result: 5 });
    expect(caller.sent.map((f) => f.error ?? f.result)).toEqual([{ code: 'c', message: 'm' }, { code: 'UNKNOWN', message: '"plain"' }, 5]);
  });

  it('never replies to void calls or calls without an id, and mints an id for the callee', () => {
    const { router, caller, callee } = setup();
    router.invoke(caller, invoke({ action: { type: 'void' }, invocation_id: randomUUID(), data: 1 }));
    router.invoke(caller, invoke({ data: 2 }));
    router.invoke(caller, invoke({ function_id: 'svc::missing', data: 3 }));
    router.invoke(caller, invoke({ function_id: 'svc::missing', action: { type: 'void' }, data: 3 }));
    expect(caller.sent).toEqual([]);
    expect(callee.sent.map((f) => f.data)).toEqual([1, 2]);
    callee.sent.forEach((f) => expect(f.invocation_id).toMatch(/^[0-9a-f-]{36}$/));
    expect(router.pendingCount).toBe(0);
    router.result(callee, { type: 'invocationresult', invocation_id: callee.sent[0].invocation_id, result: 'x' });
    expect(caller.sent).toEqual([]);
  });

  it('drops calls and results whose id is not a UUID, with a warning', () => {
    const { router, caller, callee, warnings } = setup();
    router.invoke(caller, invoke({ invocation_id: 'abc', data: 1 }));
    router.result(callee, { type: 'invocationresult', invocation_id: 'abc' });
    expect(callee.sent).toEqual([]);
    expect(caller.sent).toEqual([]);
    expect(warnings).toHaveLength(2);
  });

  it('answers built-ins synchronously, keeping a null result, and reports a throwing built-in', () => {
    const { router, caller } = setup();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    router.invoke(caller, invoke({ function_id: 'engine::echo', invocation_id: a, data: { q: 1 } }));
    router.invoke(caller, invoke({ function_id: 'engine::unit', invocation_id: b, data: {} }));
    router.invoke(caller, invoke({ function_id: 'engine::throws', invocation_id: c, data: {} }));
    expect(caller.sent).toEqual([
      { type: 'invocationresult', invocation_id: a, function_id: 'engine::echo', result: { q: 1, _caller_worker_id: caller.workerId } },
      { type: 'invocationresult', invocation_id: b, function_id: 'engine::unit', result: null },
      { type: 'invocationresult', invocation_id: c, function_id: 'engine::throws', error: { code: 'invocation_failed', message: 'built-in broke' } },
    ]);
  });

  it('answers enqueue with enqueue_error and passes nothing on', () => {
    const { router, caller, callee } = setup();
    const id = randomUUID();
    router.invoke(caller, invoke({ invocation_id: id, action: { type: 'enqueue', queue: 'q' }, data: {} }));
    expect(callee.sent).toEqual([]);
    expect(caller.sent[0].error.code).toBe('enqueue_error');
  });

  it('stops the calls a closing callee was serving and forgets the calls a closing caller issued', () => {
    const { router, registry, caller, callee } = setup();
    const other = new MemoryPeer();
    registry.register(other, { id: 'svc::g' });
    const served = randomUUID();
    const issued = randomUUID();
    router.invoke(caller, invoke({ invocation_id: served, data: {} }));
    router.invoke(callee, invoke({ function_id: 'svc::g', invocation_id: issued, data: {} }));
    callee.isOpen = false;
    router.connectionClosed(callee);
    expect(caller.sent).toEqual([
      { type: 'invocationresult', invocation_id: served, function_id: 'svc::f', error: { code: 'invocation_stopped', message: 'Invocation stopped' } },
    ]);
    expect(router.pendingCount).toBe(0);
    router.result(other, { type: 'invocationresult', invocation_id: issued, result: 1 });
    expect(callee.sent.filter((f) => f.type === 'invocationresult')).toEqual([]);
  });

  it('replaces a live call that its own caller reuses the id of, telling the first call', () => {
    const { router, caller, callee } = setup();
    const id = randomUUID();
    router.invoke(caller, invoke({ invocation_id: id, data: 1 }));
    router.invoke(caller, invoke({ invocation_id: id, data: 2 }));
    expect(caller.sent).toEqual([
      { type: 'invocationresult', invocation_id: id, function_id: 'svc::f', error: { code: 'invocation_error', message: 'channel closed' } },
    ]);
    expect(router.pendingCount).toBe(1);
    router.result(callee, { type: 'invocationresult', invocation_id: id, result: 'r' });
    expect(caller.sent[1]).toEqual({ type: 'invocationresult', invocation_id: id, function_id: 'svc::f', result: 'r' });
  });

  it('keeps calls of two callers using the same id apart, and takes results only from the callee', () => {
    const { router, caller, callee } = setup();
    const second = new MemoryPeer();
    const id = randomUUID();
    router.invoke(caller, invoke({ invocation_id: id, data: 1 }));
    router.invoke(second, invoke({ invocation_id: id, data: 2 }));
    const [a, b] = callee.sent.filter((f) => f.type === 'invokefunction') as Array<{ invocation_id: string }>;
    expect(a.invocation_id).toBe(id);
    expect(b.invocation_id).not.toBe(id);
    router.result(second, { type: 'invocationresult', invocation_id: b.invocation_id, result: 'forged' });
    expect(second.sent).toEqual([]);
    router.result(callee, { type: 'invocationresult', invocation_id: b.invocation_id, result: 'two' });
    router.result(callee, { type: 'invocationresult', invocation_id: id, result: 'one' });
    expect(caller.sent).toEqual([{ type: 'invocationresult', invocation_id: id, function_id: 'svc::f', result: 'one' }]);
    expect(second.sent).toEqual([{ type: 'invocationresult', invocation_id: id, function_id: 'svc::f', result: 'two' }]);
  });

  it('answers channel_send_failed when the callee cannot take the frame', () => {
    const { router, caller, callee } = setup();
    callee.capacity = 0;
    const id = randomUUID();
    router.invoke(caller, invoke({ invocation_id: id, data: {} }));
    expect(caller.sent).toEqual([
      { type: 'invocationresult', invocation_id: id, function_id: 'svc::f', error: { code: 'channel_send_failed', message: 'channel closed' } },
    ]);
    expect(router.pendingCount).toBe(0);
  });

  it('terminates a caller that cannot take its result (stalled consumer)', () => {
    const { router, caller, callee, warnings } = setup();
    const id = randomUUID();
    router.invoke(caller, invoke({ invocation_id: id, data: {} }));
    caller.capacity = 0;
    router.result(callee, { type: 'invocationresult', invocation_id: id, result: 1 });
    expect(caller.terminated).toBe(true);
    expect(warnings.some((w) => /terminating stalled connection/.test(w))).toBe(true);
  });

  it('bounds the pending table with engine_overloaded', () => {
    const { router, caller } = setup(2);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    ids.forEach((id) => router.invoke(caller, invoke({ invocation_id: id, data: {} })));
    expect(router.pendingCount).toBe(2);
    expect(caller.sent.map((f) => [f.invocation_id, f.error?.code])).toEqual([[ids[2], 'engine_overloaded']]);
  });

  it('invokes on behalf of the engine without waiting', () => {
    const { router, callee } = setup();
    expect(router.invokeInternal('svc::f', { event: 'x' }, { m: 1 })).toBe(true);
    expect(callee.sent[0]).toMatchObject({ function_id: 'svc::f', data: { event: 'x' }, metadata: { m: 1 } });
    expect(router.pendingCount).toBe(0);
    expect(router.invokeInternal('svc::missing', {})).toBe(false);
  });
});
