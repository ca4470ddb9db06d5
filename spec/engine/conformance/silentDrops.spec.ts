import { randomUUID } from 'node:crypto';
import type { RawClient } from '../support/RawClient';
import { ConformanceTarget, call, expectParityWarning, received, startTarget, uniquePrefix, worker } from './support/conformanceTarget';

/**
 * PROTOCOL.md §10.2: a required field missing or a known field of the wrong JSON type makes the real engine drop
 * the whole frame without a word; the connection stays open. The embedded engine does the same and warns.
 */
describe('§10.2 frames the real engine drops without a word', () => {
  let target: ConformanceTarget;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterEach(() => target.release());
  afterAll(() => target.close());

  /** Sends `frame`, then proves with a ping round trip that nothing came back and the socket is open. */
  const sendAndSettle = async (client: RawClient, frame: unknown) => {
    await client.send(frame);
    await client.sync();
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  };

  describe('§10.2 invokefunction: no reply, the caller times out', () => {
    const cases: Array<[string, (fn: string) => Record<string, unknown>, string]> = [
      ['the data key is missing', (fn) => ({ function_id: fn }), 'data'],
      ['function_id is not a string', () => ({ function_id: 7, data: {} }), 'function_id'],
      ['invocation_id is not a UUID', (fn) => ({ function_id: fn, data: {}, invocation_id: 'call-1' }), 'invocation_id'],
      ['action is not an object', (fn) => ({ function_id: fn, data: {}, action: 'void' }), ''],
      ['action is of an unknown type', (fn) => ({ function_id: fn, data: {}, action: { type: 'later' } }), ''],
      ['enqueue has no queue', (fn) => ({ function_id: fn, data: {}, action: { type: 'enqueue' } }), 'action.queue'],
      ['traceparent is not a string', (fn) => ({ function_id: fn, data: {}, traceparent: 5 }), ''],
      ['baggage is not a string', (fn) => ({ function_id: fn, data: {}, baggage: ['k=v'] }), ''],
    ];
    it.each(cases)('§10.2 invokefunction dropped when %s', async (_name, build, field) => {
      const fn = `${uniquePrefix('drop')}::target`;
      const callee = await worker(target);
      await callee.client.send({ type: 'registerfunction', id: fn });
      await callee.client.sync();
      const caller = await worker(target);
      const before = target.logs.length;
      await sendAndSettle(caller.client, { type: 'invokefunction', invocation_id: randomUUID(), ...build(fn) });
      expect(received(caller.client, 'invocationresult')).toEqual([]);
      await callee.client.sync();
      expect(received(callee.client, 'invokefunction')).toEqual([]);
      expectParityWarning(target, field ? { frame: 'invokefunction', field } : { frame: 'invokefunction' }, before);
    });

    it('§10.2 invokefunction with "data": null is accepted', async () => {
      const caller = await worker(target);
      expect((await call(caller.client, `${uniquePrefix('drop')}::nobody`, null)).error.code).toBe('function_not_found');
    });
  });

  describe('§10.2 invocationresult: the result is lost, the call stays pending until a side disconnects', () => {
    const cases: Array<[string, (id: string, fn: string) => Record<string, unknown>, string]> = [
      ['function_id is missing', (id) => ({ invocation_id: id, result: 1 }), 'function_id'],
      ['error.code is a number', (id, fn) => ({ invocation_id: id, function_id: fn, error: { code: 500, message: 'x' } }), 'error.code'],
      ['error has no message', (id, fn) => ({ invocation_id: id, function_id: fn, error: { code: 'boom' } }), 'error.message'],
      ['error is a string', (id, fn) => ({ invocation_id: id, function_id: fn, error: 'boom' }), 'error'],
    ];
    it.each(cases)('§10.2 invocationresult dropped when %s', async (_name, build, field) => {
      const fn = `${uniquePrefix('drop')}::pending`;
      const callee = await worker(target);
      await callee.client.send({ type: 'registerfunction', id: fn });
      await callee.client.sync();
      const caller = await worker(target);
      const id = randomUUID();
      await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: fn, data: {} });
      const invoke = await callee.client.next((f) => f.type === 'invokefunction');
      const before = target.logs.length;
      await sendAndSettle(callee.client, { type: 'invocationresult', ...build(invoke.invocation_id, fn) });
      await caller.client.sync();
      expect(received(caller.client, 'invocationresult')).toEqual([]);
      expectParityWarning(target, { frame: 'invocationresult', field }, before);
      // still pending engine-side: the callee's disconnect ends it
      await callee.client.close(true);
      expect((await caller.client.next((f) => f.invocation_id === id)).error.code).toBe('invocation_stopped');
    });

    it('§10.2 invocationresult dropped when invocation_id is not a UUID', async () => {
      const fn = `${uniquePrefix('drop')}::pending`;
      const callee = await worker(target);
      await callee.client.send({ type: 'registerfunction', id: fn });
      await callee.client.sync();
      const caller = await worker(target);
      const id = randomUUID();
      await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: fn, data: {} });
      await callee.client.next((f) => f.type === 'invokefunction');
      await sendAndSettle(callee.client, { type: 'invocationresult', invocation_id: 'not-a-uuid', function_id: fn, result: 1 });
      await caller.client.sync();
      expect(received(caller.client, 'invocationresult')).toEqual([]);
      await callee.client.close(true);
      expect((await caller.client.next((f) => f.invocation_id === id)).error.code).toBe('invocation_stopped');
    });
  });

  it('§10.2 registertriggertype without description: the type never exists and its bindings stay parked ("" is fine)', async () => {
    const prefix = uniquePrefix('drop');
    const provider = await worker(target);
    const before = target.logs.length;
    await sendAndSettle(provider.client, { type: 'registertriggertype', id: `${prefix}::nodesc` });
    await sendAndSettle(provider.client, { type: 'registertriggertype', id: `${prefix}::empty`, description: '' });
    expectParityWarning(target, { frame: 'registertriggertype', field: 'description' }, before);
    const user = await worker(target);
    await user.client.send({ type: 'registerfunction', id: `${prefix}::fn` });
    await user.client.send({ type: 'registertrigger', id: randomUUID(), trigger_type: `${prefix}::nodesc`, function_id: `${prefix}::fn`, config: {} });
    await user.client.send({ type: 'registertrigger', id: randomUUID(), trigger_type: `${prefix}::empty`, function_id: `${prefix}::fn`, config: {} });
    const forwarded = await provider.client.next((f) => f.type === 'registertrigger');
    expect(forwarded.trigger_type).toBe(`${prefix}::empty`);
    await provider.client.sync();
    expect(received(provider.client, 'registertrigger').map((f) => f.trigger_type)).toEqual([`${prefix}::empty`]);
  });

  it('§10.2 registertrigger without a config key: no binding and no triggerregistrationresult ("config": null is forwarded)', async () => {
    const prefix = uniquePrefix('drop');
    const provider = await worker(target);
    await sendAndSettle(provider.client, { type: 'registertriggertype', id: `${prefix}::type`, description: 'test type' });
    const user = await worker(target);
    const before = target.logs.length;
    await sendAndSettle(user.client, { type: 'registertrigger', id: randomUUID(), trigger_type: `${prefix}::type`, function_id: `${prefix}::fn` });
    expectParityWarning(target, { frame: 'registertrigger', field: 'config' }, before);
    const kept = randomUUID();
    await sendAndSettle(user.client, { type: 'registertrigger', id: kept, trigger_type: `${prefix}::type`, function_id: `${prefix}::fn`, config: null });
    const forwarded = await provider.client.next((f) => f.type === 'registertrigger');
    expect(forwarded).toMatchObject({ id: kept, config: null });
    await provider.client.sync();
    expect(received(provider.client, 'registertrigger')).toHaveLength(1);
    expect(received(user.client, 'triggerregistrationresult')).toEqual([]);
  });

  describe('§10.2 registerfunction: no function', () => {
    const cases: Array<[string, (fn: string) => Record<string, unknown>, string]> = [
      ['description is not a string', (fn) => ({ id: fn, description: 5 }), 'description'],
      ['invocation is malformed (lowercase method)', (fn) => ({ id: fn, invocation: { url: 'http://127.0.0.1:9/x', method: 'post' } }), 'invocation.method'],
    ];
    it.each(cases)('§10.2 registerfunction dropped when %s', async (_name, build, field) => {
      const fn = `${uniquePrefix('drop')}::fn`;
      const w = await worker(target);
      const before = target.logs.length;
      await sendAndSettle(w.client, { type: 'registerfunction', ...build(fn) });
      expect((await call(w.client, fn, {})).error.code).toBe('function_not_found');
      expectParityWarning(target, { frame: 'registerfunction', field }, before);
    });

    it('§10.2 registerfunction dropped when id is not a string; an empty id is accepted', async () => {
      const w = await worker(target);
      await sendAndSettle(w.client, { type: 'registerfunction', id: 12 });
      await sendAndSettle(w.client, { type: 'registerfunction', id: '' });
      const caller = await worker(target);
      const pending = call(caller.client, '', {});
      const invoke = await w.client.next((f) => f.type === 'invokefunction');
      expect(invoke.function_id).toBe('');
      await w.client.send({ type: 'invocationresult', invocation_id: invoke.invocation_id, function_id: '', result: 'empty id served' });
      expect((await pending).result).toBe('empty id served');
      await w.client.send({ type: 'unregisterfunction', id: '' });
      await w.client.sync();
    });
  });

  it('§10.2 unregistertriggertype is always dropped: the type and its provider stay, new bindings still reach it', async () => {
    const prefix = uniquePrefix('drop');
    const provider = await worker(target);
    await sendAndSettle(provider.client, { type: 'registertriggertype', id: `${prefix}::type`, description: 'stays' });
    const before = target.logs.length;
    await sendAndSettle(provider.client, { type: 'unregistertriggertype', id: `${prefix}::type`, description: 'stays' });
    expectParityWarning(target, { frame: 'unregistertriggertype' }, before);
    const user = await worker(target);
    const id = randomUUID();
    await user.client.send({ type: 'registertrigger', id, trigger_type: `${prefix}::type`, function_id: `${prefix}::fn`, config: {} });
    expect((await provider.client.next((f) => f.type === 'registertrigger')).id).toBe(id);
  });
});
