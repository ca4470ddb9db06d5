import { randomUUID } from 'node:crypto';
import { openWorker, RawClient, waitFor } from '../../engine/support/RawClient';
import { startEngine } from '../../../lib/engine/startEngine';
import { recordingLogger } from '../support/recordingLogger';
import { AttackContext, childKitForSuite, MiB, nonReadingWorker, runAttack, until } from './support/attackKit';

describe('outbound bytes are bounded per connection', () => {
  const kit = childKitForSuite();

  /**
   * An owner makes one built-in answer large (`setup`), then two sockets that never read call it 64 times
   * each: the engine closes both at `maxOutboundBytes` instead of queueing 2 x 64 replies.
   */
  const listAmplification = async (functionId: string, setup: (ctx: AttackContext) => Promise<void>) => {
    const budget = 8 * MiB;
    const report = await runAttack(kit(), {
      engine: { maxOutboundBytes: budget, outboundStallMs: 2_000 },
      setup,
      attack: async (ctx) => {
        for (let s = 0; s < 2; s++) {
          const sink = await ctx.nonReader();
          for (let i = 0; i < 64; i++) await sink.send({ type: 'invokefunction', invocation_id: randomUUID(), function_id: functionId, data: {} });
        }
      },
      // both sinks closed (outbound over the cap): only the owner and the pair remain
      settled: async (ctx) => (await ctx.engine.stats()).workers === 3,
    });
    expect(report.servedDuring).toBeGreaterThan(0);
    // 2 sockets x (budget + one 6 MiB reply), plus room for transient JSON strings; before: 2 x 64 x 6 MiB
    const allowed = 2 * (budget + 6 * MiB) + 48 * MiB;
    expect(report.rssGrowth).toBeLessThan(allowed);
    expect(report.peakGrowth).toBeLessThan(allowed);
    expect(report.residualGrowth).toBeLessThan(allowed);
    return report;
  };

  it('engine::functions::list x64 on two sockets that never read: RSS stays within the budget, the healthy pair keeps serving', async () => {
    await listAmplification('engine::functions::list', async (ctx) => {
      const owner = (await ctx.worker()).client;
      await owner.send({ type: 'registerfunction', id: 'big::desc', description: 'd'.repeat(6 * MiB) });
      await owner.sync();
    });
  });

  it('engine::workers::list x64 on two sockets that never read: RSS stays within the budget, the healthy pair keeps serving', async () => {
    await listAmplification('engine::workers::list', async (ctx) => {
      const owner = (await ctx.worker()).client;
      const id = randomUUID();
      await owner.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::workers::register', data: { runtime: 'node', pid: 1, os: 'o'.repeat(6 * MiB) } });
      expect((await owner.next((f) => f.type === 'invocationresult' && f.invocation_id === id)).result).toEqual({ success: true });
    });
  });

  it('calls of 1 MiB to a callee that never reads: refused at the budget, the callee closed, the pair keeps serving', async () => {
    const budget = 8 * MiB;
    let caller: RawClient | undefined;
    let sent = 0;
    const report = await runAttack(kit(), {
      engine: { maxOutboundBytes: budget, outboundStallMs: 1_000 },
      setup: async (ctx) => {
        const callee = await ctx.nonReader();
        await callee.send({ type: 'registerfunction', id: 'sink::fn', description: '' });
        caller = (await ctx.worker()).client;
        await until(async () => (await ctx.engine.stats()).functions === 2);
      },
      attack: async () => {
        const blob = 'x'.repeat(MiB);
        const refused = () => caller!.frames.some((f) => (f.error as { code?: string } | undefined)?.code === 'channel_send_failed');
        // up to 160 (160 MiB), one at a time; stops at the first refusal
        for (; sent < 160 && !refused(); sent++) {
          await caller!.send(`{"type":"invokefunction","invocation_id":"${randomUUID()}","function_id":"sink::fn","data":{"blob":"${blob}"}}`);
          await caller!.sync();
        }
      },
      // every call answered (refused at the cap, or stopped when the stalled callee is closed)
      settled: async (ctx) => caller!.frames.filter((f) => f.type === 'invocationresult').length === sent && (await ctx.engine.stats()).workers === 3,
    });
    // before: nothing was refused, all 160 MiB queued towards the callee, which was never closed
    expect(sent).toBeLessThan(160);
    const codes = new Set(caller!.frames.filter((f) => f.type === 'invocationresult').map((f) => (f.error as { code: string }).code));
    // refused at the cap; stopped when the callee is closed; not found once it is gone
    expect(codes.has('channel_send_failed')).toBe(true);
    expect([...codes].filter((c) => !['channel_send_failed', 'invocation_stopped', 'function_not_found'].includes(c))).toEqual([]);
    expect(report.servedDuring).toBeGreaterThan(0);
    const allowed = budget + MiB + 48 * MiB;
    expect(report.heapGrowth).toBeLessThan(budget + MiB + 8 * MiB);
    expect(report.rssGrowth).toBeLessThan(allowed);
    expect(report.residualGrowth).toBeLessThan(allowed);
  });

  it('results of 4 MiB, one after another, to a caller that never reads: it is closed within the budget, the pair keeps serving', async () => {
    const budget = 8 * MiB;
    let answerer: RawClient | undefined;
    const answered = new Set<string>();
    let sent = 0;
    const report = await runAttack(kit(), {
      engine: { maxOutboundBytes: budget, outboundStallMs: 2_000 },
      setup: async (ctx) => {
        answerer = (await ctx.worker()).client;
        const blob = 'r'.repeat(4 * MiB);
        answerer.ws.on('message', (data) => {
          const frame = JSON.parse(String(data)) as { type: string; invocation_id: string };
          if (frame.type !== 'invokefunction') return;
          const result = `{"type":"invocationresult","invocation_id":"${frame.invocation_id}","function_id":"big::answer","result":"${blob}"}`;
          answerer!.ws.send(result, () => answered.add(frame.invocation_id));
        });
        await answerer.send({ type: 'registerfunction', id: 'big::answer', description: '' });
        await answerer.sync();
      },
      attack: async (ctx) => {
        const sink = await ctx.nonReader();
        // up to 40 (160 MiB), each once the engine has taken the previous result; stops once the sink is closed
        for (; sent < 40 && (await ctx.engine.stats()).workers === 4; sent++) {
          const id = randomUUID();
          await sink.send({ type: 'invokefunction', invocation_id: id, function_id: 'big::answer', data: {} });
          await until(async () => answered.has(id));
          await answerer!.sync();
        }
      },
      // the sink is closed (1008 outbound overflow): the answerer and the pair remain
      settled: async (ctx) => (await ctx.engine.stats()).workers === 3,
    });
    // before: never closed, every result queued (the queue was bounded in frames only, 64 of them)
    expect(sent).toBeLessThan(40);
    expect(report.servedDuring).toBeGreaterThan(0);
    const allowed = budget + 4 * MiB + 48 * MiB;
    expect(report.heapGrowth).toBeLessThan(budget + 4 * MiB + 8 * MiB);
    expect(report.rssGrowth).toBeLessThan(allowed);
    expect(report.residualGrowth).toBeLessThan(allowed);
  });

  it('closes a connection that stays above its high-water mark without progress, with a clear log line', async () => {
    const { logger, entries } = recordingLogger();
    const engine = await startEngine({ port: 0, logger, socketHighWaterBytes: 64 * 1024, outboundStallMs: 300 });
    const owner = (await openWorker(engine.url)).client;
    const sink = await nonReadingWorker(engine.url);
    try {
      await owner.send({ type: 'registerfunction', id: 'big::desc', description: 'd'.repeat(8 * MiB) });
      await owner.sync();
      // one reply, far below any byte cap, that the sink never reads
      await sink.send({ type: 'invokefunction', invocation_id: randomUUID(), function_id: 'engine::functions::list', data: {} });
      await waitFor(() => engine.stats().workers === 1);
      expect(entries.some((e) => e.level === 'warn' && /stopped reading: 1008 outbound stalled/.test(e.message))).toBe(true);
      // the owner was never above its mark: still served
      await owner.sync();
    } finally {
      await Promise.all([owner.close(true), sink.close(true)]);
      await engine.close();
    }
  });

  it('tells a peer that reads again why it was closed: 1008 outbound overflow', async () => {
    const engine = await startEngine({ port: 0, socketHighWaterBytes: 1024, maxOutboundBytes: MiB, outboundQueueFrames: 1_000_000 });
    const owner = (await openWorker(engine.url)).client;
    const sink = await nonReadingWorker(engine.url);
    try {
      await owner.send({ type: 'registerfunction', id: 'mid::desc', description: 'd'.repeat(200_000) });
      await owner.sync();
      for (let i = 0; i < 64; i++) {
        await sink.send({ type: 'invokefunction', invocation_id: randomUUID(), function_id: 'engine::functions::list', data: {} });
      }
      await owner.sync();
      (sink.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      expect(await sink.closed).toEqual({ code: 1008, reason: 'outbound overflow' });
      expect(sink.frames.filter((f) => f.type === 'invocationresult').length).toBeLessThan(64);
    } finally {
      await Promise.all([owner.close(true), sink.close(true)]);
      await engine.close();
    }
  });
});
