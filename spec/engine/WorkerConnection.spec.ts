import { randomUUID } from 'node:crypto';
import { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../lib/engine/startEngine';
import { openWorker, RawClient, waitFor } from './support/RawClient';

/** The bounded outbound path of a worker socket, seen from outside through a real engine. */
describe('WorkerConnection outbound queue', () => {
  let engine: EmbeddedEngine;
  const errors: string[] = [];
  const opened: RawClient[] = [];
  const big = 'x'.repeat(256 * 1024);

  beforeAll(async () => {
    engine = await startEngine({
      port: 0,
      socketHighWaterBytes: 64 * 1024,
      outboundQueueFrames: 4,
      logger: { error: (m) => errors.push(m) },
    });
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close(true)));
  });

  afterAll(async () => {
    await engine.close();
  });

  const worker = async () => {
    const w = await openWorker(engine.url);
    opened.push(w.client);
    return w;
  };

  it('answers channel_send_failed once a callee that does not read has a full queue, and keeps what it accepted in order', async () => {
    const callee = await worker();
    const caller = await worker();
    await callee.client.send({ type: 'registerfunction', id: 'slow::sink' });
    await callee.client.sync();
    callee.client.ws.pause();

    const sent: string[] = [];
    let failed: Record<string, any> | undefined;
    for (let i = 0; i < 400 && !failed; i++) {
      const id = randomUUID();
      sent.push(id);
      await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'slow::sink', data: { i, big } });
      await caller.client.sync();
      failed = caller.client.frames.find((f) => f.type === 'invocationresult');
    }
    expect(failed).toEqual({
      type: 'invocationresult',
      invocation_id: sent[sent.length - 1],
      function_id: 'slow::sink',
      error: { code: 'channel_send_failed', message: 'channel closed' },
    });
    const accepted = sent.slice(0, -1);
    expect(engine.stats().pendingInvocations).toBe(accepted.length);

    callee.client.ws.resume();
    const received: string[] = [];
    while (received.length < accepted.length) {
      received.push((await callee.client.next((f) => f.type === 'invokefunction')).invocation_id);
    }
    expect(received).toEqual(accepted);
    expect(callee.client.ws.readyState).toBe(callee.client.ws.OPEN);
  });

  it('terminates a caller that stops reading its results instead of buffering them without bound', async () => {
    const callee = await worker();
    const caller = await worker();
    await callee.client.send({ type: 'registerfunction', id: 'slow::source' });
    await callee.client.sync();
    const ids = Array.from({ length: 200 }, () => randomUUID());
    for (const id of ids) await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'slow::source', data: {} });
    await waitFor(() => callee.client.frames.filter((f) => f.type === 'invokefunction').length === ids.length);
    caller.client.ws.pause();
    for (const id of ids) {
      if (!engine.workerIds().includes(caller.workerId)) break;
      await callee.client.send({ type: 'invocationresult', invocation_id: id, function_id: 'slow::source', result: big });
      await callee.client.sync();
    }
    await waitFor(() => !engine.workerIds().includes(caller.workerId));
    expect(errors.some((e) => /terminating stalled connection/.test(e))).toBe(true);
    expect(engine.stats().pendingInvocations).toBe(0);
    caller.client.ws.resume();
    expect((await caller.client.closed).code).toBe(1006);
  });

  describe('with the default limits', () => {
    let plain: EmbeddedEngine;
    beforeAll(async () => {
      plain = await startEngine({ port: 0 });
    });
    afterAll(async () => {
      await plain.close();
    });

    it('queues a burst of small calls to a callee that lags behind (bounded by bytes, not refused at 64 frames)', async () => {
      const open = async () => {
        const w = await openWorker(plain.url);
        opened.push(w.client);
        return w.client;
      };
      const callee = await open();
      const caller = await open();
      await callee.send({ type: 'registerfunction', id: 'lagging::sink' });
      await callee.sync();
      callee.ws.pause();
      // 6,000 calls of about 2 KiB (12 MiB): beyond the socket's 1 MiB mark, the loopback buffers and 64
      // queued frames, well within maxOutboundBytes (32 MiB)
      const pad = 'p'.repeat(2048);
      const ids = Array.from({ length: 6000 }, () => randomUUID());
      for (const [i, id] of ids.entries()) caller.ws.send(JSON.stringify({ type: 'invokefunction', invocation_id: id, function_id: 'lagging::sink', data: { i, pad } }));
      await caller.sync();
      const refused = () => caller.frames.filter((f) => f.type === 'invocationresult');
      await waitFor(() => plain.stats().pendingInvocations === ids.length || refused().length > 0);
      expect(refused()).toEqual([]);
      callee.ws.resume();
      const received: string[] = [];
      while (received.length < ids.length) received.push((await callee.next((f) => f.type === 'invokefunction')).invocation_id);
      expect(received).toEqual(ids);
    });
  });
});
