import { randomUUID } from 'node:crypto';
import { openWorker, RawClient, waitFor } from '../../engine/support/RawClient';
import { startEngine } from '../../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../../lib/engine/EmbeddedEngine';
import { recordingLogger } from '../support/recordingLogger';
import { childKitForSuite, MiB, runAttack, until } from './support/attackKit';

interface Ref {
  channel_id: string;
  access_key: string;
}

const createChannel = async (client: RawClient): Promise<{ result?: { writer: Ref; reader: Ref }; error?: { code: string } }> => {
  const id = randomUUID();
  await client.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: {} });
  return client.next((f) => f.type === 'invocationresult' && f.invocation_id === id);
};
const endUrl = (url: string, ref: Ref, dir: 'read' | 'write') => `${url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${dir}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('queued channel bytes are bounded per worker and engine-wide', () => {
  const kit = childKitForSuite();

  it('five reader-less channels of one worker, 64 MiB pushed into each: RSS stays within the per-worker budget', async () => {
    const budget = 16 * MiB;
    let peakQueued = 0;
    const report = await runAttack(kit(), {
      engine: { channelMaxQueuedBytesPerWorker: budget },
      attack: async (ctx) => {
        const attacker = (await ctx.worker()).client;
        const chunk = Buffer.alloc(MiB, 7);
        for (let c = 0; c < 5; c++) {
          const { result } = await createChannel(attacker);
          const writer = ctx.track(await RawClient.open(endUrl(ctx.url, result!.writer, 'write')));
          for (let i = 0; i < 64; i++) writer.ws.send(chunk, { binary: true });
        }
        await until(async () => (peakQueued = (await ctx.engine.stats()).channelQueuedBytes) >= budget);
        await pause(500); // writers keep pushing: the engine must keep them paused
      },
    });
    // at most one message per channel beyond the budget; before: +338 MiB
    expect(peakQueued).toBeLessThanOrEqual(budget + 5 * MiB);
    expect(report.stats.channelQueuedBytes).toBeLessThanOrEqual(budget + 5 * MiB);
    expect(report.servedDuring).toBeGreaterThan(0);
    const allowed = budget + 5 * MiB + 48 * MiB;
    expect(report.rssGrowth).toBeLessThan(allowed);
    expect(report.peakGrowth).toBeLessThan(allowed);
  });

  describe('in process', () => {
    let engine: EmbeddedEngine;
    const { logger, entries } = recordingLogger();
    const opened: RawClient[] = [];
    beforeEach(async () => {
      engine = await startEngine({
        port: 0,
        logger,
        maxChannelsPerWorker: 2,
        channelMaxQueuedBytesPerWorker: 256 * 1024,
        channelMaxQueuedBytesTotal: 512 * 1024,
        channelReaderHighWaterBytes: 16 * 1024,
        outboundStallMs: 300,
        channelTtlMs: 100,
      });
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((c) => c.close(true)));
      await engine.close();
    });
    const open = async (url: string) => {
      const c = await RawClient.open(url);
      opened.push(c);
      return c;
    };

    it('keeps a worker\'s channel quota across a reattach, and frees it when the sweep removes its channels', async () => {
      const first = await openWorker(engine.url);
      opened.push(first.client);
      expect((await createChannel(first.client)).result).toBeDefined();
      expect((await createChannel(first.client)).result).toBeDefined();
      const again = (await openWorker(engine.url)).client;
      opened.push(again);
      await again.send({ type: 'reattach', previous_worker_id: first.workerId, reattach_token: first.token });
      expect((await createChannel(again)).error?.code).toBe('channel_limit');
      // the TTL sweep removes the untaken channels and gives the quota back
      await pause(150);
      expect(engine.sweepChannels()).toBe(2);
      expect((await createChannel(again)).result).toBeDefined();
    });

    it('keeps the quota when the worker reattaches after its old connection is already gone', async () => {
      const first = await openWorker(engine.url);
      expect((await createChannel(first.client)).result).toBeDefined();
      expect((await createChannel(first.client)).result).toBeDefined();
      await first.client.close(true);
      await waitFor(() => engine.stats().workers === 0);
      // a stranger without the token starts from zero
      const stranger = (await openWorker(engine.url)).client;
      opened.push(stranger);
      await stranger.send({ type: 'reattach', previous_worker_id: first.workerId, reattach_token: randomUUID() });
      expect((await createChannel(stranger)).result).toBeDefined();
      const again = (await openWorker(engine.url)).client;
      opened.push(again);
      await again.send({ type: 'reattach', previous_worker_id: first.workerId, reattach_token: first.token });
      expect((await createChannel(again)).error?.code).toBe('channel_limit');
    });

    it('pauses writers once the worker\'s queued bytes reach its budget; other workers\' channels keep flowing', async () => {
      const hog = (await openWorker(engine.url)).client;
      const other = (await openWorker(engine.url)).client;
      opened.push(hog, other);
      const chunk = Buffer.alloc(64 * 1024, 1);
      for (let c = 0; c < 2; c++) {
        const writer = await open(endUrl(engine.url, (await createChannel(hog)).result!.writer, 'write'));
        for (let i = 0; i < 20; i++) writer.ws.send(chunk, { binary: true });
      }
      await waitFor(() => engine.stats().channelQueuedBytes >= 256 * 1024);
      await pause(200);
      expect(engine.stats().channelQueuedBytes).toBeLessThanOrEqual(256 * 1024 + 2 * 64 * 1024);
      // another worker's channel still streams end to end
      const { writer, reader } = (await createChannel(other)).result!;
      const r = await open(endUrl(engine.url, reader, 'read'));
      const w = await open(endUrl(engine.url, writer, 'write'));
      for (let i = 0; i < 3; i++) await w.send(chunk, true);
      await w.close();
      await r.closed;
      expect(r.messages.length).toBe(3);
    });

    it('closes a channel reader that stops reading (1008 outbound stalled) and drops its writer', async () => {
      const worker = (await openWorker(engine.url)).client;
      opened.push(worker);
      const { writer, reader } = (await createChannel(worker)).result!;
      const r = await open(endUrl(engine.url, reader, 'read'));
      (r.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const w = await open(endUrl(engine.url, writer, 'write'));
      const chunk = Buffer.alloc(256 * 1024, 2);
      for (let i = 0; i < 40; i++) w.ws.send(chunk, { binary: true });
      expect((await w.closed).code).toBe(1006);
      expect(entries.some((e) => e.level === 'warn' && /channel reader that stopped reading: 1008 outbound stalled/.test(e.message))).toBe(true);
      expect(engine.stats().channelQueuedBytes).toBe(0);
    });
  });
});
