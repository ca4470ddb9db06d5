import { randomUUID } from 'node:crypto';
import { startEngine } from '../../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../../lib/engine/EmbeddedEngine';
import { openWorker, RawClient } from '../../engine/support/RawClient';
import { recordingLogger } from '../support/recordingLogger';
import { childKitForSuite, MiB, runAttack } from './support/attackKit';

describe('results go only to their caller, from their callee', () => {
  let engine: EmbeddedEngine;
  const { logger, entries } = recordingLogger();
  const opened: RawClient[] = [];
  const connect = async () => {
    const w = await openWorker(engine.url);
    opened.push(w.client);
    return w.client;
  };

  beforeAll(async () => {
    engine = await startEngine({ port: 0, logger, maxPendingInvocations: 100, maxPendingPerWorker: 40 });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close(true)));
  });
  afterAll(async () => {
    await engine.close();
  });

  it('ignores an invocationresult sent by a connection the call was not routed to', async () => {
    const callee = await connect();
    const caller = await connect();
    const spoofer = await connect();
    await callee.send({ type: 'registerfunction', id: 'own::answer', description: 'd' });
    await callee.sync();
    const id = randomUUID();
    await caller.send({ type: 'invokefunction', invocation_id: id, function_id: 'own::answer', data: {} });
    const call = await callee.next((f) => f.type === 'invokefunction');
    await spoofer.send({ type: 'invocationresult', invocation_id: id, function_id: 'own::answer', result: 'forged' });
    await spoofer.sync();
    expect(entries.some((e) => e.message === 'dropped invocationresult from a connection the call was not routed to')).toBe(true);
    expect(engine.stats().pendingInvocations).toBe(1);
    await callee.send({ type: 'invocationresult', invocation_id: call.invocation_id, function_id: 'own::answer', result: 'real' });
    const answer = await caller.next((f) => f.type === 'invocationresult');
    expect(answer).toMatchObject({ invocation_id: id, result: 'real' });
    await caller.sync();
    expect(caller.frames.filter((f) => f.type === 'invocationresult')).toHaveLength(1);
  });

  it('keeps two callers that use the same live id apart: each gets its own result', async () => {
    const callee = await connect();
    const first = await connect();
    const second = await connect();
    await callee.send({ type: 'registerfunction', id: 'own::echo', description: 'd' });
    await callee.sync();
    const id = randomUUID();
    await first.send({ type: 'invokefunction', invocation_id: id, function_id: 'own::echo', data: { who: 'first' } });
    await callee.next((f) => f.type === 'invokefunction' && f.data.who === 'first');
    await second.send({ type: 'invokefunction', invocation_id: id, function_id: 'own::echo', data: { who: 'second' } });
    await callee.next((f) => f.type === 'invokefunction' && f.data.who === 'second');
    const calls = callee.frames.filter((f) => f.type === 'invokefunction');
    expect(new Set(calls.map((c) => c.invocation_id)).size).toBe(2);
    for (const c of [...calls].reverse()) {
      await callee.send({ type: 'invocationresult', invocation_id: c.invocation_id, function_id: 'own::echo', result: (c.data as { who: string }).who });
    }
    expect(await first.next((f) => f.type === 'invocationresult')).toMatchObject({ invocation_id: id, result: 'first' });
    expect(await second.next((f) => f.type === 'invocationresult')).toMatchObject({ invocation_id: id, result: 'second' });
    await Promise.all([first.sync(), second.sync()]);
    expect(first.frames.filter((f) => f.type === 'invocationresult')).toHaveLength(1);
    expect(second.frames.filter((f) => f.type === 'invocationresult')).toHaveLength(1);
  });

  it('keeps part of the pending table for connections with few calls, so a few connections cannot lock others out', async () => {
    const callee = await connect();
    await callee.send({ type: 'registerfunction', id: 'own::hold', description: 'never answers' });
    await callee.sync();
    const flood = async (client: RawClient, n: number) => {
      for (let i = 0; i < n; i++) await client.send({ type: 'invokefunction', invocation_id: randomUUID(), function_id: 'own::hold', data: {} });
      await client.sync();
    };
    const attackers = [await connect(), await connect(), await connect()];
    for (const a of attackers) await flood(a, 41);
    const refusals = attackers.flatMap((a) => a.frames.filter((f) => f.type === 'invocationresult').map((f) => (f.error as { code: string }).code));
    expect(new Set(refusals)).toEqual(new Set(['pending_limit', 'engine_overloaded']));
    expect(engine.stats().pendingInvocations).toBeLessThanOrEqual(90);
    // an unrelated caller still gets its call through and answered
    const bystander = await connect();
    const id = randomUUID();
    await bystander.send({ type: 'invokefunction', invocation_id: id, function_id: 'own::hold', data: { mine: true } });
    const call = await callee.next((f) => f.type === 'invokefunction' && f.data.mine === true);
    await callee.send({ type: 'invocationresult', invocation_id: call.invocation_id, function_id: 'own::hold', result: 'served' });
    expect(await bystander.next((f) => f.type === 'invocationresult')).toMatchObject({ invocation_id: id, result: 'served' });
  });
});

describe('results and the pending table under attack, in a child engine', () => {
  const kit = childKitForSuite();

  it('a spoofer forging results for the pair\'s live ids and reusing them: every healthy call gets its own answer', async () => {
    let spoofer: RawClient | undefined;
    const stolen: string[] = [];
    const report = await runAttack(kit(), {
      engine: {},
      // the callee answers after 30 ms: the forged frames always arrive first
      pair: { answerDelayMs: 30 },
      setup: async (ctx) => {
        spoofer = (await ctx.worker()).client;
        ctx.pair.onCall = (id) => {
          spoofer!.ws.send(JSON.stringify({ type: 'invocationresult', invocation_id: id, function_id: 'healthy::echo', result: { n: 'forged' } }));
          spoofer!.ws.send(JSON.stringify({ type: 'invokefunction', invocation_id: id, function_id: 'healthy::echo', data: { n: 'stolen' } }));
          stolen.push(id);
        };
      },
      attack: async (ctx) => {
        for (let i = 0; i < 30; i++) {
          const n = randomUUID();
          expect(await ctx.pair.call({ n })).toMatchObject({ n });
        }
        ctx.pair.onCall = undefined;
      },
      // the spoofer got an answer to each of its own calls
      settled: async () => spoofer!.frames.filter((f) => f.type === 'invocationresult').length >= stolen.length,
    });
    const answers = spoofer!.frames.filter((f) => f.type === 'invocationresult');
    expect(answers.map((f) => (f.result as { n: string }).n)).toEqual(stolen.map(() => 'stolen'));
    expect(report.servedDuring).toBeGreaterThan(0);
    expect(report.stats.pendingInvocations).toBe(0);
    expect(report.rssGrowth).toBeLessThan(32 * MiB);
  });

  it('five connections flooding the pending table with calls nobody answers: the pair is still served, RSS stays small', async () => {
    const flooders: RawClient[] = [];
    const report = await runAttack(kit(), {
      engine: { maxPendingInvocations: 2_000, maxPendingPerWorker: 400 },
      setup: async (ctx) => {
        const holder = (await ctx.worker()).client;
        await holder.send({ type: 'registerfunction', id: 'hold::fn', description: 'never answers' });
        await holder.sync();
        for (let i = 0; i < 5; i++) flooders.push((await ctx.worker()).client);
      },
      attack: async () => {
        const frame = (id: string) => `{"type":"invokefunction","invocation_id":"${id}","function_id":"hold::fn","data":{}}`;
        for (const f of flooders) for (let i = 0; i < 1_000; i++) f.ws.send(frame(randomUUID()));
        await Promise.all(flooders.map((f) => f.sync()));
      },
    });
    const refusals = flooders.flatMap((f) => f.frames.filter((x) => x.type === 'invocationresult').map((x) => (x.error as { code: string }).code));
    // before: the table filled (5 x 400 = 2,000) and the pair's calls got engine_overloaded
    expect(refusals.length).toBeGreaterThanOrEqual(5 * 600);
    expect(new Set(refusals)).toEqual(new Set(['pending_limit', 'engine_overloaded']));
    expect(report.stats.pendingInvocations).toBeLessThanOrEqual(1_800);
    expect(report.servedDuring).toBeGreaterThan(0);
    expect(report.rssGrowth).toBeLessThan(32 * MiB);
  });
});
