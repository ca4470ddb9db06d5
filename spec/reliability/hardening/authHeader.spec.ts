import { randomUUID } from 'node:crypto';
import { tokenMatches } from '../../../lib/engine/tokenMatches';
import { startEngine } from '../../../lib/engine/startEngine';
import { RawClient } from '../../engine/support/RawClient';
import { childKitForSuite, MiB, runAttack } from './support/attackKit';

describe('auth header parsing under attack', () => {
  it('parses a header of millions of blanks in one linear pass (a backtracking regex never returns here)', () => {
    const blanks = ' '.repeat(4_000_000);
    expect(tokenMatches(`bearer x${blanks}y`, 'x')).toBe(false);
    expect(tokenMatches(`bearer x${blanks}y`, `x${blanks}y`)).toBe(true);
    expect(tokenMatches(`bearer${blanks}x${blanks}`, 'x')).toBe(true);
    expect(tokenMatches(`${blanks}bearer\t${'\t'.repeat(100_000)}`, 'x')).toBe(false);
  });

  it('keeps serving authenticated workers while sockets send the slow header of the finding', async () => {
    const engine = await startEngine({ port: 0, token: 't0k3n' });
    const auth = { headers: { Authorization: 'Bearer t0k3n' } };
    const callee = await RawClient.open(engine.url, auth);
    const caller = await RawClient.open(engine.url, auth);
    try {
      await callee.next((f) => f.type === 'workerregistered');
      await caller.next((f) => f.type === 'workerregistered');
      await callee.send({ type: 'registerfunction', id: 'ok::echo', description: 'echo' });
      await callee.sync();
      // 40 upgrades with `bearer x` + 15,800 spaces + `y`: 300-450 ms of CPU each with the old regex
      const attacks = await Promise.all(
        Array.from({ length: 40 }, () => RawClient.open(engine.url, { headers: { Authorization: `bearer x${' '.repeat(15_800)}y` } })),
      );
      const closes = await Promise.all(attacks.map((a) => a.closed));
      expect(closes.every((c) => c.code === 1005)).toBe(true);
      expect(engine.stats().refusedSockets).toBe(40);
      const id = randomUUID();
      await caller.send({ type: 'invokefunction', invocation_id: id, function_id: 'ok::echo', data: { n: 1 } });
      const call = await callee.next((f) => f.type === 'invokefunction');
      await callee.send({ type: 'invocationresult', invocation_id: call.invocation_id, function_id: 'ok::echo', result: { n: 2 } });
      expect((await caller.next((f) => f.type === 'invocationresult')).result).toEqual({ n: 2 });
    } finally {
      await Promise.all([callee.close(true), caller.close(true)]);
      await engine.close();
    }
  });

  describe('in a child engine', () => {
    const kit = childKitForSuite();

    it('four sockets send the slow header 200 times while the authenticated pair completes 50 calls; RSS stays small', async () => {
      const slow = { headers: { Authorization: `bearer x${' '.repeat(15_800)}y` } };
      const closes: number[] = [];
      const report = await runAttack(kit(), {
        engine: { token: 't0k3n' },
        pair: { headers: { Authorization: 'Bearer t0k3n' } },
        attack: async (ctx) => {
          let calls = 0;
          const attacker = async () => {
            // each upgrade cost 300-450 ms of engine CPU with the old regex: 200 of them took over a minute
            while (calls < 50 || closes.length < 200) closes.push((await (await RawClient.open(ctx.url, slow)).closed).code);
          };
          const attackers = Promise.all([attacker(), attacker(), attacker(), attacker()]);
          for (; calls < 50; calls++) await ctx.pair.call();
          await attackers;
        },
      });
      expect(closes.length).toBeGreaterThanOrEqual(200);
      expect(new Set(closes)).toEqual(new Set([1005]));
      expect(report.stats.refusedSockets).toBe(closes.length);
      expect(report.servedDuring).toBeGreaterThan(0);
      expect(report.rssGrowth).toBeLessThan(32 * MiB);
    });
  });
});
