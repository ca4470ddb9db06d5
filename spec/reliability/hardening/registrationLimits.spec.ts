import { randomUUID } from 'node:crypto';
import { openWorker, RawClient, waitFor } from '../../engine/support/RawClient';
import { startEngine } from '../../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../../lib/engine/EmbeddedEngine';
import { recordingLogger } from '../support/recordingLogger';
import { childKitForSuite, HealthyPair, MiB, runAttack, until } from './support/attackKit';

describe('registration limits', () => {
  let engine: EmbeddedEngine;
  const { logger, entries } = recordingLogger();
  const opened: RawClient[] = [];
  const connect = async () => {
    const w = await openWorker(engine.url);
    opened.push(w.client);
    return w;
  };

  beforeAll(async () => {
    engine = await startEngine({
      port: 0,
      logger,
      maxFunctionsPerWorker: 5,
      maxFunctions: 8,
      maxTriggersPerWorker: 3,
      maxTriggers: 5,
      maxTriggerTypesPerWorker: 2,
      maxRegistrationBytesPerWorker: 64 * 1024,
    });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close(true)));
    await waitFor(() => engine.stats().workers === 0);
  });
  afterAll(async () => {
    await engine.close();
  });
  const registerByBuiltin = async (client: RawClient, functionId: string): Promise<Record<string, any>> => {
    const id = randomUUID();
    const data = { trigger_type: 'engine::workers-available', function_id: functionId, config: {} };
    await client.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::register_trigger', data });
    return client.next((f) => f.type === 'invocationresult' && f.invocation_id === id);
  };
  /** Removes up to `most` bindings with `engine::unregister_trigger`; resolves with the removed ids. */
  const removeAllBindings = async (client: RawClient, most = Infinity): Promise<string[]> => {
    const ids = (engine as unknown as { core: { triggers: { listBindings(): Array<{ id: string }> } } }).core.triggers.listBindings().map((b) => b.id).slice(0, most);
    for (const bindingId of ids) {
      const id = randomUUID();
      await client.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::unregister_trigger', data: { id: bindingId } });
      expect((await client.next((f) => f.type === 'invocationresult' && f.invocation_id === id)).result).toEqual({ removed: true });
    }
    return ids;
  };

  it('refuses functions beyond the per-connection and engine-wide counts with registrationrejected REGISTRATION_LIMIT', async () => {
    const a = (await connect()).client;
    for (let i = 0; i < 6; i++) await a.send({ type: 'registerfunction', id: `a::f${i}`, description: '' });
    const refused = await a.next((f) => f.type === 'registrationrejected');
    expect(refused).toMatchObject({ code: 'REGISTRATION_LIMIT', function_id: 'a::f5', message: expect.stringMatching(/maxFunctionsPerWorker 5/) });
    // re-registering an owned id is not one more
    await a.send({ type: 'registerfunction', id: 'a::f0', description: 'again' });
    await a.sync();
    expect(a.frames.filter((f) => f.type === 'registrationrejected')).toHaveLength(1);
    const b = (await connect()).client;
    for (let i = 0; i < 4; i++) await b.send({ type: 'registerfunction', id: `b::f${i}`, description: '' });
    expect(await b.next((f) => f.type === 'registrationrejected')).toMatchObject({ code: 'REGISTRATION_LIMIT', function_id: 'b::f3', message: expect.stringMatching(/maxFunctions 8/) });
    expect(engine.stats().functions).toBe(8);
  });

  it('counts registration bytes: a huge description is refused, small ones still fit', async () => {
    const a = (await connect()).client;
    await a.send({ type: 'registerfunction', id: 'big::one', description: 'd'.repeat(100 * 1024) });
    expect(await a.next((f) => f.type === 'registrationrejected')).toMatchObject({ code: 'REGISTRATION_LIMIT', message: expect.stringMatching(/maxRegistrationBytesPerWorker 65536/) });
    await a.send({ type: 'registerfunction', id: 'small::one', description: 'fine' });
    await a.sync();
    expect(engine.functionIds()).toEqual(['small::one']);
  });

  it('refuses ids over maxIdLength, and neither logs nor echoes them in full', async () => {
    const a = (await connect()).client;
    const long = `x${'y'.repeat(2 * MiB)}`;
    await a.send({ type: 'registerfunction', id: long, description: '' });
    const refused = await a.next((f) => f.type === 'registrationrejected');
    expect(refused.code).toBe('ID_TOO_LONG');
    expect(refused.function_id.length).toBeLessThan(200);
    await a.send({ type: 'registertriggertype', id: long, description: '' });
    expect((await a.next((f) => f.type === 'registrationrejected' && f.trigger_type !== undefined)).code).toBe('ID_TOO_LONG');
    const id = randomUUID();
    await a.send({ type: 'registertrigger', id, trigger_type: 'engine::workers-available', function_id: long, config: {} });
    const result = await a.next((f) => f.type === 'triggerregistrationresult');
    expect(result.error.code).toBe('id_too_long');
    expect(JSON.stringify(result).length).toBeLessThan(1000);
    const call = randomUUID();
    await a.send({ type: 'invokefunction', invocation_id: call, function_id: long, data: {} });
    const notFound = await a.next((f) => f.type === 'invocationresult' && f.invocation_id === call);
    expect(notFound.error.message.length).toBeLessThan(300);
    expect(JSON.stringify(notFound).length).toBeLessThan(1000);
    expect(engine.stats().functions).toBe(0);
    const longest = Math.max(...entries.map((e) => JSON.stringify(e.details ?? {}).length));
    expect(longest).toBeLessThan(4096);
  });

  it('bounds trigger bindings, so one connection cannot make every connect fire K calls at a victim', async () => {
    const victim = (await connect()).client;
    await victim.send({ type: 'registerfunction', id: 'victim::fn', description: '' });
    await victim.sync();
    const attacker = (await connect()).client;
    for (let i = 0; i < 50; i++) {
      await attacker.send({ type: 'registertrigger', id: randomUUID(), trigger_type: 'engine::workers-available', function_id: 'victim::fn', config: {} });
    }
    await attacker.sync();
    const refusals = attacker.frames.filter((f) => f.type === 'triggerregistrationresult' && (f.error as { code?: string } | undefined)?.code === 'trigger_limit');
    expect(refusals).toHaveLength(47);
    // engine::register_trigger (bindings owned by nobody) counts against the caller's quota too
    expect(await registerByBuiltin(attacker, 'victim::fn')).toMatchObject({ error: { code: 'trigger_limit', message: expect.stringMatching(/maxTriggersPerWorker 3/) } });
    // and against the engine-wide cap
    const other = (await connect()).client;
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await registerByBuiltin(other, 'victim::fn');
      outcomes.push(reply.error ? `${reply.error.code}: ${reply.error.message}` : 'ok');
    }
    expect(outcomes).toEqual(['ok', 'ok', expect.stringMatching(/^trigger_limit: .*maxTriggers 5/)]);
    expect(engine.stats().triggers).toBe(5);
    // one connect now fires exactly the 5 bindings, not 54
    const before = victim.frames.filter((f) => f.type === 'invokefunction').length;
    const bystander = await connect();
    void bystander;
    await waitFor(() => victim.frames.filter((f) => f.type === 'invokefunction').length >= before + 5);
    await victim.sync();
    expect(victim.frames.filter((f) => f.type === 'invokefunction').length).toBe(before + 5);
    await removeAllBindings(victim);
  });

  it('counts engine::register_trigger bindings against the caller\'s identity, which follows it across reattach', async () => {
    const owner = (await connect()).client;
    await owner.send({ type: 'registerfunction', id: 'target::fn', description: '' });
    await owner.sync();
    const first = await connect();
    for (let i = 0; i < 3; i++) expect((await registerByBuiltin(first.client, 'target::fn')).result).toBeDefined();
    expect((await registerByBuiltin(first.client, 'target::fn')).error?.code).toBe('trigger_limit');
    // the bindings outlive the connection, and so does their count
    await first.client.close(true);
    await waitFor(() => engine.stats().workers === 1);
    expect(engine.stats().triggers).toBe(3);
    const stranger = (await connect()).client;
    await stranger.send({ type: 'reattach', previous_worker_id: first.workerId, reattach_token: randomUUID() });
    expect((await registerByBuiltin(stranger, 'target::fn')).result).toBeDefined();
    const again = await connect();
    await again.client.send({ type: 'reattach', previous_worker_id: first.workerId, reattach_token: first.token });
    const refused = await registerByBuiltin(again.client, 'target::fn');
    expect(refused.error).toMatchObject({ code: 'trigger_limit', message: expect.stringMatching(/already has 3 trigger bindings/) });
    // a live reattach hands the identity on too
    const third = (await connect()).client;
    await third.send({ type: 'reattach', previous_worker_id: again.workerId, reattach_token: again.token });
    expect((await registerByBuiltin(third, 'target::fn')).error?.code).toBe('trigger_limit');
    // removing one of them (engine::unregister_trigger) gives the slot back
    const mine = (await removeAllBindings(owner, 1))[0];
    expect(mine).toBeDefined();
    expect((await registerByBuiltin(third, 'target::fn')).result).toBeDefined();
    await removeAllBindings(owner);
    expect(engine.stats().triggers).toBe(0);
  });

  it('caps trigger types per connection', async () => {
    const a = (await connect()).client;
    for (let i = 0; i < 3; i++) await a.send({ type: 'registertriggertype', id: `t::${i}`, description: '' });
    expect(await a.next((f) => f.type === 'registrationrejected')).toMatchObject({ code: 'REGISTRATION_LIMIT', trigger_type: 't::2' });
  });
});

describe('registration attacks on a child engine', () => {
  const kit = childKitForSuite();

  it('100,000 registrations from five connections: the caps hold, RSS stays bounded, the healthy pair serves', async () => {
    const attackers: RawClient[] = [];
    const report = await runAttack(kit(), {
      engine: { maxFunctionsPerWorker: 2_000, maxFunctions: 8_000 },
      setup: async (ctx) => {
        for (let c = 0; c < 5; c++) attackers.push((await ctx.worker()).client);
      },
      attack: async () => {
        const description = 'x'.repeat(40);
        for (const [c, a] of attackers.entries()) {
          for (let i = 0; i < 20_000; i++) a.ws.send(`{"type":"registerfunction","id":"flood::${c}::${i}","description":"${description}"}`);
        }
        await Promise.all(attackers.map((a) => a.sync()));
      },
    });
    // 8,000 engine-wide, the healthy pair's one among them; before: all 100,000 (RSS 53 -> 430 MiB)
    expect(report.stats.functions).toBe(8_000);
    const refused = attackers.reduce((n, a) => n + a.frames.filter((f) => f.type === 'registrationrejected').length, 0);
    expect(refused).toBe(100_000 - 7_999);
    expect(report.servedDuring).toBeGreaterThan(0);
    expect(report.rssGrowth).toBeLessThan(64 * MiB);
  });

  it('binding the healthy callee to engine::workers-available thousands of times: bounded bindings, bounded fires, bounded RSS', async () => {
    let pair: HealthyPair | undefined;
    const report = await runAttack(kit(), {
      engine: { maxTriggersPerWorker: 20, maxTriggers: 100 },
      setup: async (ctx) => {
        pair = ctx.pair;
      },
      attack: async (ctx) => {
        const attackers = [(await ctx.worker()).client, (await ctx.worker()).client, (await ctx.worker()).client];
        const builtinUser = (await ctx.worker()).client;
        for (const a of attackers) {
          for (let i = 0; i < 2_000; i++) {
            a.ws.send(JSON.stringify({ type: 'registertrigger', id: randomUUID(), trigger_type: 'engine::workers-available', function_id: 'healthy::echo', config: {} }));
          }
        }
        // nobody-owned bindings through engine::register_trigger count against the caller too
        const data = { trigger_type: 'engine::workers-available', function_id: 'healthy::echo', config: {} };
        for (let i = 0; i < 50; i++) builtinUser.ws.send(JSON.stringify({ type: 'invokefunction', invocation_id: randomUUID(), function_id: 'engine::register_trigger', data }));
        await Promise.all([...attackers, builtinUser].map((a) => a.sync()));
        await until(async () => builtinUser.frames.filter((f) => f.type === 'invocationresult').length === 50);
        // 20 workers come and go: each connect and disconnect fires every binding once
        for (let i = 0; i < 20; i++) await (await openWorker(ctx.url)).client.close();
      },
      settled: async () => pair!.fired >= 80 * 2 * 20,
    });
    // 3 x 20 bound by frames, 20 by engine::register_trigger; before: 6,050 bindings, 6,050 calls per connect
    expect(report.stats.triggers).toBe(80);
    // the attackers' own disconnects at the end fire at most 4 x 80 more
    expect(pair!.fired).toBeLessThanOrEqual(80 * 2 * 20 + 4 * 80);
    expect(report.servedDuring).toBeGreaterThan(0);
    expect(report.rssGrowth).toBeLessThan(48 * MiB);
  });

  it('8 MiB ids in every registration and call: refused, never stored, logged or echoed in full; RSS bounded', async () => {
    let attacker: RawClient | undefined;
    const report = await runAttack(kit(), {
      engine: {},
      measureLogs: true,
      setup: async (ctx) => {
        attacker = (await ctx.worker()).client;
      },
      attack: async () => {
        const huge = 'y'.repeat(8 * MiB);
        for (let i = 0; i < 6; i++) {
          const id = `${i}${huge}`;
          attacker!.ws.send(`{"type":"registerfunction","id":"${id}","description":""}`);
          attacker!.ws.send(`{"type":"registertriggertype","id":"${id}","description":""}`);
          attacker!.ws.send(`{"type":"registertrigger","id":"${id}","trigger_type":"engine::workers-available","function_id":"f","config":{}}`);
          attacker!.ws.send(`{"type":"invokefunction","invocation_id":"${randomUUID()}","function_id":"${id}","data":{}}`);
          // one round at a time: what is measured is what the engine keeps, not 192 MiB in flight at once
          await attacker!.sync();
        }
      },
    });
    // before: 18 ids of 8 MiB stored (functions, types, bindings), each logged and echoed in full
    expect(report.stats.functions).toBe(1);
    expect(report.stats.triggers).toBe(0);
    expect(report.stats.triggerTypes).toBe(2);
    const echoed = attacker!.messages.map((m) => m.data.length);
    // workerregistered, 6 x (two registrationrejected, a triggerregistrationresult, an invocationresult, pong)
    expect(echoed.length).toBe(1 + 6 * 5);
    expect(Math.max(...echoed)).toBeLessThan(1_000);
    expect(report.logs!.longest).toBeLessThan(8_192);
    expect(report.servedDuring).toBeGreaterThan(0);
    // nothing is kept (the JS heap does not grow); RSS keeps some of the 8 MiB frames' buffers after GC.
    // Before: 18 ids of 8 MiB kept in the tables, 144 MiB
    expect(report.heapGrowth).toBeLessThan(8 * MiB);
    expect(report.rssGrowth).toBeLessThan(80 * MiB);
  });
});
