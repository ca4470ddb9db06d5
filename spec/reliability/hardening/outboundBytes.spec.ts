import { randomUUID } from 'node:crypto';
import { makeChildKit, ChildKit } from '../support/childProcess';
import { openWorker, RawClient, waitFor } from '../../engine/support/RawClient';
import { startEngine } from '../../../lib/engine/startEngine';
import { recordingLogger } from '../support/recordingLogger';
import { ChildEngine, HealthyPair, MiB, nonReadingWorker } from './support/attackKit';

const until = async (cond: () => Promise<boolean>) => {
  while (!(await cond())) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('outbound bytes are bounded per connection', () => {
  let kit: ChildKit;
  beforeAll(() => {
    kit = makeChildKit();
  });
  afterAll(() => kit.dispose());

  it('engine::functions::list x64 on two sockets that never read: RSS stays within the budget, the healthy pair keeps serving', async () => {
    const budget = 8 * MiB;
    const engine = await ChildEngine.start(kit, { maxOutboundBytes: budget, outboundStallMs: 2_000 });
    const pair = await HealthyPair.open(engine.url);
    const attackers: RawClient[] = [];
    try {
      const owner = (await openWorker(engine.url)).client;
      attackers.push(owner);
      await owner.send({ type: 'registerfunction', id: 'big::desc', description: 'd'.repeat(6 * MiB) });
      await owner.sync();
      const before = await engine.mem();
      const calls = pair.keepCalling();
      for (let s = 0; s < 2; s++) {
        const sink = await nonReadingWorker(engine.url);
        attackers.push(sink);
        for (let i = 0; i < 64; i++) {
          await sink.send({ type: 'invokefunction', invocation_id: randomUUID(), function_id: 'engine::functions::list', data: {} });
        }
      }
      // the engine closes both sinks (outbound over the cap): only the owner and the pair remain
      await until(async () => (await engine.stats()).workers === 3);
      const during = await calls.stop();
      const after = await engine.mem();
      expect(during).toBeGreaterThan(0);
      // 2 sockets x (budget + one 6 MiB reply), plus room for transient JSON strings
      const allowed = 2 * (budget + 6 * MiB) + 48 * MiB;
      expect(after.maxRss - before.maxRss).toBeLessThan(allowed);
      expect(after.rss - before.rss).toBeLessThan(allowed);
      expect(await pair.call({ after: true })).toMatchObject({ after: true });
    } finally {
      await Promise.all(attackers.map((a) => a.close(true)));
      await pair.close();
      await engine.stop();
    }
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
