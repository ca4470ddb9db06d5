import { randomUUID } from 'node:crypto';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { openWorker, RawClient, waitFor } from '../engine/support/RawClient';
import { recordingLogger } from './support/recordingLogger';
import { firstValueFrom } from 'rxjs';
import { connectWorker } from '../../lib/worker/connectWorker';
import { InvocationError } from '../../lib/errors/InvocationError';
import { errorOf, whenOpen } from '../worker/workerTestKit';

interface Ref {
  channel_id: string;
  access_key: string;
  direction: 'read' | 'write';
}

describe('per-connection limits', () => {
  let engine: EmbeddedEngine;
  const { logger, entries } = recordingLogger();
  const opened: RawClient[] = [];

  const connect = async () => {
    const w = await openWorker(engine.url);
    opened.push(w.client);
    return w;
  };
  const call = async (client: RawClient, functionId: string, data: unknown) => {
    const id = randomUUID();
    await client.send({ type: 'invokefunction', invocation_id: id, function_id: functionId, data });
    return client.next((f) => f.type === 'invocationresult' && f.invocation_id === id);
  };
  const end = async (ref: Ref) => {
    const c = await RawClient.open(`${engine.url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}`);
    opened.push(c);
    return c;
  };

  beforeAll(async () => {
    engine = await startEngine({ port: 0, maxChannelsPerWorker: 3, maxPendingPerWorker: 2, logger });
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close(true)));
  });

  afterAll(async () => {
    await engine.close();
  });

  it('answers channel_limit once a connection has maxChannelsPerWorker open channels; others are unaffected', async () => {
    const a = await connect();
    const made: unknown[] = [];
    for (let i = 0; i < 3; i++) made.push((await call(a.client, 'engine::channels::create', {})).result);
    const refused = await call(a.client, 'engine::channels::create', {});
    expect(refused.error).toEqual({ code: 'channel_limit', message: expect.stringMatching(/3 open channels.*maxChannelsPerWorker 3/) });
    expect(refused.result).toBeUndefined();

    // another connection has its own allowance
    const b = await connect();
    expect((await call(b.client, 'engine::channels::create', {})).result.reader).toBeDefined();

    // using a channel up (both halves taken, both sockets gone) frees a slot
    const { writer, reader } = made[0] as { writer: Ref; reader: Ref };
    const r = await end(reader);
    const w = await end(writer);
    await w.send('x');
    await w.close();
    await r.closed;
    await waitFor(() => engine.stats().channelTombstones >= 1);
    expect((await call(a.client, 'engine::channels::create', {})).result.writer).toBeDefined();
    expect((await call(a.client, 'engine::channels::create', {})).error.code).toBe('channel_limit');

    // a new connection of the same worker process starts from zero (the channels themselves live on)
    await a.client.close(true);
    const again = await connect();
    expect((await call(again.client, 'engine::channels::create', {})).result).toBeDefined();
  });

  it('answers pending_limit once a connection has maxPendingPerWorker calls awaiting results', async () => {
    const callee = await connect();
    const caller = await connect();
    const other = await connect();
    await callee.client.send({ type: 'registerfunction', id: 'limits::hold' });
    await callee.client.sync();
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) {
      await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'limits::hold', data: {} });
    }
    await callee.client.next((f) => f.type === 'invokefunction' && f.invocation_id === ids[1]);
    const refused = await call(caller.client, 'limits::hold', {});
    expect(refused.error).toEqual({ code: 'pending_limit', message: expect.stringMatching(/2 calls awaiting a result/) });
    expect(entries.some((e) => e.level === 'warn' && /too many pending invocations on this connection/.test(e.message))).toBe(true);

    // built-ins answer at once and are not limited; other connections are not limited
    expect((await call(caller.client, 'engine::functions::list', {})).error).toBeUndefined();
    const otherId = randomUUID();
    await other.client.send({ type: 'invokefunction', invocation_id: otherId, function_id: 'limits::hold', data: {} });
    await callee.client.next((f) => f.type === 'invokefunction' && f.invocation_id === otherId);

    // one answer frees one slot
    await callee.client.send({ type: 'invocationresult', invocation_id: ids[0], function_id: 'limits::hold', result: 1 });
    expect((await caller.client.next((f) => f.invocation_id === ids[0])).result).toBe(1);
    const third = randomUUID();
    await caller.client.send({ type: 'invokefunction', invocation_id: third, function_id: 'limits::hold', data: {} });
    await callee.client.next((f) => f.type === 'invokefunction' && f.invocation_id === third);

    // the callee going away stops every call and frees every slot
    await callee.client.close(true);
    const stopped = [await caller.client.next((f) => f.invocation_id === ids[1]), await caller.client.next((f) => f.invocation_id === third)];
    expect(stopped.map((f) => f.error.code)).toEqual(['invocation_stopped', 'invocation_stopped']);
    expect(engine.stats().pendingInvocations).toBe(0);
  });

  it('an iii-rx worker sees channel_limit as an InvocationError from createChannel', async () => {
    const w = connectWorker(engine.url);
    try {
      await whenOpen(w);
      for (let i = 0; i < 3; i++) await firstValueFrom(w.createChannel());
      const err = await errorOf(w.createChannel());
      expect(err).toBeInstanceOf(InvocationError);
      expect(err).toMatchObject({ code: 'channel_limit' });
    } finally {
      await w.close();
    }
  });

  it('allows 1024 open channels per connection by default', async () => {
    const roomy = await startEngine({ port: 0 });
    const w = await openWorker(roomy.url);
    try {
      const results: string[] = [];
      for (let i = 0; i < 1025; i++) {
        const id = randomUUID();
        await w.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: { buffer_size: 1 } });
        results.push(id);
      }
      const last = await w.client.next((f) => f.invocation_id === results[1024]);
      expect(last.error?.code).toBe('channel_limit');
      const answered = w.client.frames.filter((f) => f.type === 'invocationresult');
      expect(answered.filter((f) => f.result).length).toBe(1024);
    } finally {
      await w.client.close(true);
      await roomy.close();
    }
  });
});
