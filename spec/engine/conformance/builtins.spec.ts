import { randomUUID } from 'node:crypto';
import { ConformanceTarget, call, namedWorker, startTarget, uniquePrefix, worker } from './support/conformanceTarget';

/** PROTOCOL.md §10.5: the built-ins of the default real engine, with their shapes, filters and sort order. */
describe('§10.5 built-in functions of the default real engine', () => {
  let target: ConformanceTarget;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterEach(() => target.release());
  afterAll(() => target.close());

  const byteSorted = (ids: string[]) => [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  it('§10.5 the mandatory built-ins exist: functions, workers, triggers, registered-triggers, register/unregister_trigger, log, baggage', async () => {
    const { client } = await worker(target);
    const inputs: Record<string, unknown> = {
      'engine::channels::create': {},
      'engine::functions::list': {},
      'engine::functions::info': { function_id: 'engine::functions::list' },
      'engine::workers::list': {},
      'engine::workers::info': { name: 'iii-engine-functions' },
      'engine::workers::register': { runtime: 'node' },
      'engine::triggers::list': {},
      'engine::triggers::info': { id: 'engine::workers-available' },
      'engine::registered-triggers::list': {},
      'engine::registered-triggers::info': { id: randomUUID() },
      'engine::register_trigger': { trigger_type: `${uniquePrefix('bi')}::parked`, function_id: 'nobody::fn' },
      'engine::unregister_trigger': { id: randomUUID() },
      'engine::log::info': { message: 'conformance' },
      'engine::baggage::get_all': {},
    };
    for (const [id, data] of Object.entries(inputs)) {
      const reply = await call(client, id, data);
      expect({ id, code: reply.error?.code }).not.toEqual({ id, code: 'function_not_found' });
    }
  });

  it('§10.5 common rules: unknown keys ignored, an array fills the fields in order, null/string/number is deserialization_error', async () => {
    const { client } = await worker(target);
    expect((await call(client, 'engine::functions::list', 'x')).error).toEqual({
      code: 'deserialization_error',
      message: 'Failed to deserialize input for engine::functions::list: invalid type: string "x", expected struct FunctionsListInput',
    });
    for (const bad of [null, 5]) expect((await call(client, 'engine::functions::list', bad)).error.code).toBe('deserialization_error');
    expect((await call(client, 'engine::functions::list', { nonsense: true })).result.functions).toEqual(expect.any(Array));
    // [8] to engine::channels::create ⇒ buffer 8; an array of functions::list fields fills search, prefix, …
    expect((await call(client, 'engine::channels::create', [8])).result.reader.direction).toBe('read');
    const prefix = uniquePrefix('arr');
    await client.send({ type: 'registerfunction', id: `${prefix}::f` });
    expect((await call(client, 'engine::functions::list', [null, prefix])).result.functions.map((f: any) => f.function_id)).toEqual([`${prefix}::f`]);
  });

  it('§10.5 engine::functions::list: entries {function_id, worker_name, description?, metadata?}, internal hidden, prefix, worker(s), sorted by id', async () => {
    const prefix = uniquePrefix('fl');
    const named = await namedWorker(target, `${prefix}-box`);
    const anon = await worker(target);
    for (const id of ['b::2', 'b::1', 'a::x']) await named.client.send({ type: 'registerfunction', id: `${prefix}${id}`, description: `d ${id}` });
    await named.client.send({ type: 'registerfunction', id: `${prefix}hidden`, metadata: { internal: true } });
    await anon.client.send({ type: 'registerfunction', id: `${prefix}anon::f`, metadata: { team: 't' } });
    await named.client.sync();
    await anon.client.sync();
    const list = async (data: unknown) => (await call(anon.client, 'engine::functions::list', data)).result.functions as Array<Record<string, unknown>>;
    const all = await list({ prefix });
    expect(all).toEqual([
      { function_id: `${prefix}a::x`, worker_name: `${prefix}-box`, description: 'd a::x' },
      { function_id: `${prefix}anon::f`, worker_name: `${prefix}anon`, metadata: { team: 't' } },
      { function_id: `${prefix}b::1`, worker_name: `${prefix}-box`, description: 'd b::1' },
      { function_id: `${prefix}b::2`, worker_name: `${prefix}-box`, description: 'd b::2' },
    ]);
    expect((await list({ prefix, include_internal: true })).map((f) => f.function_id)).toContain(`${prefix}hidden`);
    expect((await list({ prefix, worker: `${prefix}anon` })).map((f) => f.function_id)).toEqual([`${prefix}anon::f`]);
    expect((await list({ prefix, workers: [`${prefix}anon`, `${prefix}-box`] })).length).toBe(4);
    const everything = (await list({})).map((f) => f.function_id as string);
    expect(everything.some((id) => id.startsWith('engine::'))).toBe(false);
    expect(everything).toEqual(byteSorted(everything));
    const internal = (await list({ include_internal: true })).map((f) => f.function_id as string);
    expect(internal).toContain('engine::functions::list');
    expect(internal).toEqual(byteSorted(internal));
  });

  it('§10.5 engine::functions::list with search: case-insensitive, ranked (id start or segment, id contains, description) then by id', async () => {
    const token = uniquePrefix('srch').toLowerCase();
    const { client } = await worker(target);
    const ids = [`y::a${token}b`, `${token}::b`, `x::${token}`, 'zz::plain'].map((id) => `${id}`);
    for (const id of ids) await client.send({ type: 'registerfunction', id });
    await client.send({ type: 'registerfunction', id: `w::${randomUUID().slice(0, 6)}`, description: `mentions ${token.toUpperCase()}` });
    const found = (await call(client, 'engine::functions::list', { search: token.toUpperCase() })).result.functions.map((f: any) => f.function_id);
    expect(found.slice(0, 3)).toEqual([`${token}::b`, `x::${token}`, `y::a${token}b`]);
    expect(found).toHaveLength(4);
    expect(found[3]).toMatch(/^w::/);
    for (const id of ids) await client.send({ type: 'unregisterfunction', id });
    await client.sync();
  });

  it('§10.5 engine::functions::info: one id or 1–32 ids, schemas, live bindings, NOT_FOUND and INVALID_ARGUMENTS', async () => {
    const prefix = uniquePrefix('fi');
    const { client } = await worker(target);
    await client.send({ type: 'registertriggertype', id: `${prefix}::type`, description: 'a type' });
    await client.send({
      type: 'registerfunction',
      id: `${prefix}::f`,
      description: 'described',
      request_format: { type: 'object' },
      response_format: { type: 'string' },
    });
    const bindingId = randomUUID();
    await client.send({ type: 'registertrigger', id: bindingId, trigger_type: `${prefix}::type`, function_id: `${prefix}::f`, config: { every: 5 } });
    await client.next((f) => f.type === 'registertrigger');
    const single = (await call(client, 'engine::functions::info', { function_id: `${prefix}::f` })).result;
    expect(single).toEqual({
      function_id: `${prefix}::f`,
      worker_name: prefix,
      description: 'described',
      request_schema: { type: 'object' },
      response_schema: { type: 'string' },
      registered_triggers: [{ id: bindingId, trigger_type: `${prefix}::type`, config: { every: 5 } }],
    });
    expect((await call(client, 'engine::functions::info', { function_id: `${prefix}::none` })).error).toEqual({
      code: 'NOT_FOUND',
      message: `Function '${prefix}::none' is not registered.`,
    });
    const batch = (await call(client, 'engine::functions::info', { function_ids: [`${prefix}::f`, `${prefix}::none`, `${prefix}::f`] })).result;
    expect(batch.functions).toEqual([single, { function_id: `${prefix}::none`, error: 'not_found' }]);
    for (const bad of [{}, { function_id: 'a', function_ids: ['a'] }, { function_ids: [] }, { function_ids: Array.from({ length: 33 }, (_, i) => `f${i}`) }]) {
      expect((await call(client, 'engine::functions::info', bad)).error.code).toBe('INVALID_ARGUMENTS');
    }
  });

  it('§10.5 engine::workers::list: in-process modules and only connections with a pid, every key present, sorted by name then id', async () => {
    const prefix = uniquePrefix('wl');
    const named = await namedWorker(target, `${prefix}-b`);
    await namedWorker(target, `${prefix}-a`);
    const unnamed = await worker(target);
    await call(unnamed.client, 'engine::workers::register', { runtime: 'node', name: `${prefix}-nopid` });
    await named.client.send({ type: 'registerfunction', id: `${prefix}::one` });
    await named.client.sync();
    const workers = (await call(named.client, 'engine::workers::list', {})).result.workers as Array<Record<string, any>>;
    const keys = ['id', 'name', 'description', 'version', 'runtime', 'os', 'status', 'function_count', 'connected_at_ms', 'active_invocations', 'isolation', 'ip_address'];
    for (const w of workers) expect(Object.keys(w).sort()).toEqual([...keys].sort());
    const mine = workers.filter((w) => String(w.name).startsWith(prefix));
    expect(mine.map((w) => w.name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(mine[1]).toMatchObject({ id: named.workerId, runtime: 'node', status: 'connected', function_count: 1, active_invocations: 0 });
    expect(typeof mine[1].connected_at_ms).toBe('number');
    const modules = workers.filter((w) => w.runtime === 'engine');
    expect(modules.map((m) => m.name)).toContain('iii-engine-functions');
    for (const m of modules) expect(m).toMatchObject({ id: m.name, status: 'available', isolation: 'in-process' });
    const sortKeys = workers.map((w) => `${w.name ?? w.id}\u0000${w.id}`);
    expect(sortKeys).toEqual(byteSorted(sortKeys));
    const searched = (await call(named.client, 'engine::workers::list', { search: `${prefix}-A`.toUpperCase() })).result.workers;
    expect(searched.map((w: any) => w.name)).toEqual([`${prefix}-a`]);
    expect((await call(named.client, 'engine::workers::list', { runtime: 'engine' })).result.workers.every((w: any) => w.runtime === 'engine')).toBe(true);
  });

  it('§10.5 engine::workers::info: a module or the first connection of that name (no pid needed), else NOT_FOUND', async () => {
    const prefix = uniquePrefix('wi');
    const w = await worker(target);
    await call(w.client, 'engine::workers::register', { name: `${prefix}-box`, runtime: 'node' });
    await w.client.send({ type: 'registerfunction', id: `${prefix}::f`, description: 'f' });
    await w.client.send({ type: 'registertriggertype', id: `${prefix}::t`, description: 'a type' });
    await w.client.sync();
    const info = (await call(w.client, 'engine::workers::info', { name: `${prefix}-box` })).result;
    expect(info.worker).toMatchObject({ id: w.workerId, name: `${prefix}-box`, status: 'connected', internal: false });
    expect(info.functions).toEqual([{ function_id: `${prefix}::f`, worker_name: `${prefix}-box`, description: 'f' }]);
    expect(info.trigger_types).toEqual([{ id: `${prefix}::t`, worker_name: `${prefix}-box`, description: 'a type' }]);
    expect(info.registered_triggers).toEqual([]);
    const module = (await call(w.client, 'engine::workers::info', { name: 'iii-engine-functions' })).result;
    expect(module.worker).toMatchObject({ id: 'iii-engine-functions', runtime: 'engine', internal: true });
    expect(module.functions.map((f: any) => f.function_id)).toContain('engine::functions::list');
    expect((await call(w.client, 'engine::workers::info', { name: `${prefix}-ghost` })).error).toEqual({
      code: 'NOT_FOUND',
      message: `Worker '${prefix}-ghost' is not connected.`,
    });
  });

  it('§10.5 engine::workers::register: {"success":true}, merge rules, wrong types, cleaned name, then worker_metadata_updated', async () => {
    const prefix = uniquePrefix('wr');
    const watcher = await worker(target);
    await watcher.client.send({ type: 'registerfunction', id: `${prefix}::watch` });
    await watcher.client.send({ type: 'registertrigger', id: randomUUID(), trigger_type: 'engine::workers-available', function_id: `${prefix}::watch`, config: {} });
    await watcher.client.sync();
    const w = await worker(target);
    expect((await call(w.client, 'engine::workers::register', { name: `  ${prefix}\u202e-a\u0007 `, pid: 1, version: '1.0' })).result).toEqual({ success: true });
    expect((await call(w.client, 'engine::workers::register', {})).result).toEqual({ success: true });
    const info = (await call(w.client, 'engine::workers::info', { name: `${prefix}-a` })).result.worker;
    expect(info).toMatchObject({ name: `${prefix}-a`, pid: 1, runtime: 'unknown', version: null });
    expect((await call(w.client, 'engine::workers::register', { pid: '4242' })).error).toEqual({
      code: 'deserialization_error',
      message: 'Failed to deserialize input for engine::workers::register: invalid type: string "4242", expected u32',
    });
    const fired = await watcher.client.next((f) => f.type === 'invokefunction' && f.data?.event === 'worker_metadata_updated' && f.data?.worker_id === w.workerId);
    expect(fired.data).toEqual({ event: 'worker_metadata_updated', worker_id: w.workerId });
  });

  it('§10.5 engine::triggers::list and ::info: {id, worker_name, description} by id, engine::* hidden unless include_internal', async () => {
    const prefix = uniquePrefix('tl');
    const w = await namedWorker(target, `${prefix}-provider`);
    await w.client.send({ type: 'registertriggertype', id: `${prefix}::b`, description: 'B', trigger_request_format: { type: 'object' }, call_request_format: { k: 1 } });
    await w.client.send({ type: 'registertriggertype', id: `${prefix}::a`, description: 'A' });
    await w.client.send({ type: 'registertrigger', id: randomUUID(), trigger_type: `${prefix}::b`, function_id: `${prefix}::fn`, config: {} });
    await w.client.sync();
    const triggers = (await call(w.client, 'engine::triggers::list', { prefix })).result.triggers;
    expect(triggers).toEqual([
      { id: `${prefix}::a`, worker_name: `${prefix}-provider`, description: 'A' },
      { id: `${prefix}::b`, worker_name: `${prefix}-provider`, description: 'B' },
    ]);
    const all = (await call(w.client, 'engine::triggers::list', {})).result.triggers.map((t: any) => t.id as string);
    expect(all.some((id: string) => id.startsWith('engine::'))).toBe(false);
    expect(all).toEqual(byteSorted(all));
    expect((await call(w.client, 'engine::triggers::list', { include_internal: true })).result.triggers.map((t: any) => t.id)).toContain('engine::workers-available');
    expect((await call(w.client, 'engine::triggers::info', { id: `${prefix}::b` })).result).toEqual({
      id: `${prefix}::b`,
      worker_name: `${prefix}-provider`,
      description: 'B',
      configuration_schema: { type: 'object' },
      request_schema: { k: 1 },
      instance_count: 1,
    });
    expect((await call(w.client, 'engine::triggers::info', { id: `${prefix}::none` })).error).toEqual({
      code: 'NOT_FOUND',
      message: `Trigger type '${prefix}::none' is not registered.`,
    });
  });

  it('§10.5 engine::registered-triggers::list and ::info: live bindings by id with config_summary; NOT_FOUND', async () => {
    const prefix = uniquePrefix('rt');
    const w = await worker(target);
    await w.client.send({ type: 'registertriggertype', id: `${prefix}::type`, description: 'T' });
    await w.client.send({ type: 'registerfunction', id: `${prefix}::fn` });
    const long = { text: 'x'.repeat(100) };
    const ids = [randomUUID(), randomUUID()].sort();
    await w.client.send({ type: 'registertrigger', id: ids[1], trigger_type: `${prefix}::type`, function_id: `${prefix}::fn`, config: { n: 1 } });
    await w.client.send({ type: 'registertrigger', id: ids[0], trigger_type: `${prefix}::type`, function_id: `${prefix}::fn`, config: long, metadata: { m: 1 } });
    await w.client.send({ type: 'registertrigger', id: randomUUID(), trigger_type: `${prefix}::parked`, function_id: `${prefix}::fn`, config: {} });
    await w.client.sync();
    const list = (await call(w.client, 'engine::registered-triggers::list', { trigger_type: `${prefix}::type` })).result.registered_triggers;
    expect(list).toEqual([
      { id: ids[0], trigger_type: `${prefix}::type`, function_id: `${prefix}::fn`, worker_name: prefix, config: long, config_summary: `${JSON.stringify(long).slice(0, 80)}…` },
      { id: ids[1], trigger_type: `${prefix}::type`, function_id: `${prefix}::fn`, worker_name: prefix, config: { n: 1 }, config_summary: '{"n":1}' },
    ]);
    expect((await call(w.client, 'engine::registered-triggers::list', { function_id: `${prefix}::fn` })).result.registered_triggers).toHaveLength(2);
    const info = (await call(w.client, 'engine::registered-triggers::info', { id: ids[0] })).result;
    expect(info).toMatchObject({ id: ids[0], trigger_type: `${prefix}::type`, function_id: `${prefix}::fn`, worker_name: prefix, config: long, metadata: { m: 1 } });
    expect(info.trigger).toMatchObject({ id: `${prefix}::type`, instance_count: 2 });
    expect(info.function).toMatchObject({ function_id: `${prefix}::fn` });
    const missing = randomUUID();
    expect((await call(w.client, 'engine::registered-triggers::info', { id: missing })).error).toEqual({
      code: 'NOT_FOUND',
      message: `Registered trigger '${missing}' was not found.`,
    });
  });

  it('§10.5 engine::register_trigger and engine::unregister_trigger: {id} owned by nobody, refusal, parked, {removed}', async () => {
    const prefix = uniquePrefix('reg');
    const provider = await worker(target);
    await provider.client.send({ type: 'registertriggertype', id: `${prefix}::type`, description: 'T' });
    await provider.client.sync();
    const caller = await worker(target);
    const pending = call(caller.client, 'engine::register_trigger', { trigger_type: `${prefix}::type`, function_id: `${prefix}::fn`, config: { a: 1 } });
    const forwarded = await provider.client.next((f) => f.type === 'registertrigger');
    expect(forwarded).toMatchObject({ trigger_type: `${prefix}::type`, function_id: `${prefix}::fn`, config: { a: 1 } });
    await provider.client.send({ type: 'triggerregistrationresult', id: forwarded.id, trigger_type: `${prefix}::type`, function_id: `${prefix}::fn` });
    expect((await pending).result).toEqual({ id: forwarded.id });
    // owned by nobody: it survives its caller
    await caller.client.close(true);
    const other = await worker(target);
    expect((await call(other.client, 'engine::registered-triggers::info', { id: forwarded.id })).result.id).toBe(forwarded.id);

    const refused = call(other.client, 'engine::register_trigger', { trigger_type: `${prefix}::type`, function_id: `${prefix}::fn` });
    const second = await provider.client.next((f) => f.type === 'registertrigger' && f.id !== forwarded.id);
    expect(second.config).toBeNull();
    await provider.client.send({
      type: 'triggerregistrationresult',
      id: second.id,
      trigger_type: `${prefix}::type`,
      function_id: `${prefix}::fn`,
      error: { code: 'bad_config', message: 'config.a is required' },
    });
    expect((await refused).error.code).toBe('trigger_registration_failed');

    const parked = await call(other.client, 'engine::register_trigger', { trigger_type: `${prefix}::unknown`, function_id: `${prefix}::fn` });
    expect(parked.result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call(other.client, 'engine::unregister_trigger', { id: parked.result.id })).result).toEqual({ removed: true });
    expect((await call(other.client, 'engine::unregister_trigger', { id: forwarded.id, trigger_type: `${prefix}::type` })).result).toEqual({ removed: true });
    expect((await call(other.client, 'engine::unregister_trigger', { id: forwarded.id })).result).toEqual({ removed: false });
    expect((await provider.client.next((f) => f.type === 'unregistertrigger')).id).toBe(forwarded.id);
  });

  it('§10.5 engine::log::<level> replies without result; engine::baggage::get/get_all/set answer the fixed shapes', async () => {
    const { client } = await worker(target);
    for (const level of ['trace', 'debug', 'info', 'warn', 'error']) {
      const reply = await call(client, `engine::log::${level}`, { message: `conformance ${level}`, data: { k: 1 } });
      expect(reply.error).toBeUndefined();
      expect('result' in reply).toBe(false);
    }
    expect((await call(client, 'engine::baggage::get', { key: 'k' })).result).toEqual({ value: null });
    expect((await call(client, 'engine::baggage::get_all', {})).result).toEqual({ baggage: {} });
    expect((await call(client, 'engine::baggage::set', { key: 'k', value: 'v' })).result).toEqual({
      success: true,
      note: 'Baggage set in new context. For propagation, use SDK-level baggage headers.',
    });
  });
});
