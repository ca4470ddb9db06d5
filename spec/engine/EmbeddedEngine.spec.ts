import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import type { EngineLogDetails } from '../../lib/engine/EngineLogger';
import { startEngine } from '../../lib/engine/startEngine';
import { httpRequest, openWorker, RawClient, waitFor } from './support/RawClient';

type LogEntry = { level: string; message: string; details?: EngineLogDetails };

describe('EmbeddedEngine', () => {
  let engine: EmbeddedEngine;
  const logs: LogEntry[] = [];
  const opened: RawClient[] = [];

  const worker = async () => {
    const w = await openWorker(engine.url);
    opened.push(w.client);
    return w;
  };

  beforeAll(async () => {
    const record = (level: string) => (message: string, details?: EngineLogDetails) => logs.push({ level, message, details });
    engine = await startEngine({
      port: 0,
      maxPayloadBytes: 1024 * 1024,
      logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    });
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close(true)));
  });

  afterAll(async () => {
    await engine.close();
  });

  describe('HTTP', () => {
    it('binds 127.0.0.1 on a free port and reports a ws:// url', () => {
      expect(engine.url).toBe(`ws://127.0.0.1:${engine.port}`);
      expect(engine.port).toBeGreaterThan(0);
    });

    it('answers 404 with an empty body for unknown paths', async () => {
      for (const path of ['/nope', '/ws/channels/', '/ws/channels', '/otel/x']) {
        const res = await httpRequest(`${engine.url}${path}`);
        expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 404, body: '' });
      }
    });

    it('answers 405 to non-GET requests on socket paths', async () => {
      for (const path of ['/', '/otel', `/ws/channels/${randomUUID()}?key=k&dir=read`]) {
        const res = await httpRequest(`${engine.url}${path}`, { method: 'POST' });
        expect({ path, status: res.status }).toEqual({ path, status: 405 });
      }
    });

    it('answers 400 to a GET on a socket path without upgrade headers', async () => {
      expect((await httpRequest(`${engine.url}/`)).status).toBe(400);
      expect((await httpRequest(`${engine.url}/otel`)).status).toBe(400);
    });

    it('answers 400 to a channel request with a bad query, before the channel lookup', async () => {
      const id = randomUUID();
      for (const query of ['', '?dir=read', '?key=k', '?key=k&dir=READ', '?key=k&dir=both']) {
        const err = await RawClient.open(`${engine.url}/ws/channels/${id}${query}`).catch((e) => e);
        expect({ query, status: err.status }).toEqual({ query, status: 400 });
        expect(err.body).toMatch(/^Failed to deserialize query string/);
      }
    });

    it('answers 404 "Channel not found" as text/plain for an unknown channel', async () => {
      const err = await RawClient.open(`${engine.url}/ws/channels/${randomUUID()}?key=k&dir=read`).catch((e) => e);
      expect(err.status).toBe(404);
      expect(err.body).toBe('Channel not found');
      expect(err.headers['content-type']).toMatch(/^text\/plain/);
    });

    it('refuses an upgrade on an unknown path with 404', async () => {
      const err = await RawClient.open(`${engine.url}/elsewhere`).catch((e) => e);
      expect(err.status).toBe(404);
    });

    it('declines permessage-deflate', async () => {
      const client = await RawClient.open(engine.url, { perMessageDeflate: true });
      opened.push(client);
      expect(client.ws.extensions).toBe('');
    });
  });

  describe('worker socket', () => {
    it('sends workerregistered first, with fresh lowercase UUIDs per connection', async () => {
      const a = await worker();
      const b = await worker();
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      for (const w of [a, b]) {
        expect(w.workerId).toMatch(uuid);
        expect(w.token).toMatch(uuid);
      }
      expect(new Set([a.workerId, b.workerId, a.token, b.token]).size).toBe(4);
      expect(engine.workerIds()).toEqual(expect.arrayContaining([a.workerId, b.workerId]));
    });

    it('answers a JSON ping with pong and a WebSocket ping with a pong', async () => {
      const { client } = await worker();
      await client.send({ type: 'ping' });
      expect(await client.next()).toEqual({ type: 'pong' });
      const pong = new Promise<Buffer>((resolve) => client.ws.once('pong', resolve));
      client.ws.ping(Buffer.from('hi'));
      expect((await pong).toString()).toBe('hi');
    });

    it('logs and drops bad frames without closing the socket', async () => {
      const { client, workerId } = await worker();
      const before = logs.length;
      await client.send('not json');
      await client.send('[1,2]');
      await client.send('{"type":"nosuchtype"}');
      await client.send('{"type":"unregistertriggertype","id":"x"}');
      await client.send('{"type":"registerfunction"}');
      await client.send('{"type":"invocationresult","invocation_id":"not-a-uuid","function_id":"f"}');
      await client.send('   ');
      await client.send(Buffer.from([0xff, 0x00, 0x13, 0x37]), true);
      await client.send(Buffer.from('OTLP{"resourceSpans":[]}'), true);
      await client.sync();
      const dropped = logs.slice(before).filter((l) => l.details?.worker_id === workerId && l.level === 'warn');
      expect(dropped.map((l) => l.details?.reason ?? l.message)).toEqual([
        'INVALID_JSON',
        'NOT_AN_OBJECT',
        'UNKNOWN_TYPE',
        'REAL_ENGINE_DROP', // unregistertriggertype: unknown to the real engine (PROTOCOL.md §10.2)
        'INVALID_FIELD',
        'REAL_ENGINE_DROP', // invocationresult with a non-UUID invocation_id
        'INVALID_JSON',
      ]);
      expect(dropped.every((l) => l.details?.event === 'real_engine_parity' && typeof l.details?.real === 'string')).toBe(true);
      expect(client.ws.readyState).toBe(client.ws.OPEN);
    });

    it('accepts binary JSON frames', async () => {
      const { client } = await worker();
      await client.send(Buffer.from('{"type":"ping"}'), true);
      expect(await client.next()).toEqual({ type: 'pong' });
    });

    it('routes a call to the owner, keeps the id (normalised), injects _caller_worker_id and relays the result', async () => {
      const callee = await worker();
      const caller = await worker();
      await callee.client.send({ type: 'registerfunction', id: 'spec::echo', description: 'echo' });
      await callee.client.sync();
      const id = randomUUID();
      await caller.client.send({
        type: 'invokefunction',
        invocation_id: id.toUpperCase().replace(/-/g, ''),
        function_id: 'spec::echo',
        data: { x: 1, _caller_worker_id: 'forged' },
        metadata: { m: true },
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
      const call = await callee.client.next((f) => f.type === 'invokefunction');
      expect(call).toEqual({
        type: 'invokefunction',
        invocation_id: id,
        function_id: 'spec::echo',
        data: { x: 1, _caller_worker_id: caller.workerId },
        metadata: { m: true },
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        baggage: 'iii.function.id=spec::echo',
      });
      await callee.client.send({ type: 'invocationresult', invocation_id: id, function_id: 'whatever', result: { y: 2 } });
      expect(await caller.client.next((f) => f.type === 'invocationresult')).toEqual({
        type: 'invocationresult',
        invocation_id: id,
        function_id: 'spec::echo',
        result: { y: 2 },
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
    });

    it('leaves non-object data alone and strips a null result and a null stacktrace', async () => {
      const callee = await worker();
      const caller = await worker();
      await callee.client.send({ type: 'registerfunction', id: 'spec::arr' });
      await callee.client.sync();
      const id = randomUUID();
      await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'spec::arr', data: [1, 2] });
      expect((await callee.client.next((f) => f.type === 'invokefunction')).data).toEqual([1, 2]);
      await callee.client.send({ type: 'invocationresult', invocation_id: id, function_id: 'spec::arr', result: null });
      const ok = await caller.client.next((f) => f.type === 'invocationresult');
      expect('result' in ok).toBe(false);

      const id2 = randomUUID();
      await caller.client.send({ type: 'invokefunction', invocation_id: id2, function_id: 'spec::arr', data: null });
      expect((await callee.client.next((f) => f.type === 'invokefunction')).data).toBeNull();
      await callee.client.send({
        type: 'invocationresult',
        invocation_id: id2,
        function_id: 'spec::arr',
        error: { code: 'boom', message: 'bad', stacktrace: null },
      });
      const failed = await caller.client.next((f) => f.type === 'invocationresult');
      expect(failed).toEqual({
        type: 'invocationresult',
        invocation_id: id2,
        function_id: 'spec::arr',
        error: { code: 'boom', message: 'bad' },
      });
    });

    it('answers function_not_found, but never for void calls or calls without an id', async () => {
      const caller = await worker();
      const id = randomUUID();
      await caller.client.send({ type: 'invokefunction', function_id: 'spec::missing', data: {}, action: { type: 'void' }, invocation_id: randomUUID() });
      await caller.client.send({ type: 'invokefunction', function_id: 'spec::missing', data: {} });
      await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'spec::missing', data: {} });
      await caller.client.sync();
      const results = caller.client.frames.filter((f) => f.type === 'invocationresult');
      expect(results).toEqual([
        {
          type: 'invocationresult',
          invocation_id: id,
          function_id: 'spec::missing',
          error: { code: 'function_not_found', message: 'Function spec::missing not found' },
        },
      ]);
    });

    it('drops (and logs) an invokefunction whose invocation_id is not a UUID', async () => {
      const caller = await worker();
      const before = logs.length;
      await caller.client.send({ type: 'invokefunction', invocation_id: 'call-1', function_id: 'spec::missing', data: {} });
      await caller.client.sync();
      expect(caller.client.frames.filter((f) => f.type === 'invocationresult')).toEqual([]);
      expect(logs.slice(before).some((l) => l.message === 'dropped frame' && l.details?.field === 'invocation_id')).toBe(true);
    });

    it('gives a void call a fresh id at the callee and discards its result', async () => {
      const callee = await worker();
      const caller = await worker();
      await callee.client.send({ type: 'registerfunction', id: 'spec::void' });
      await callee.client.sync();
      await caller.client.send({ type: 'invokefunction', function_id: 'spec::void', data: 'x', action: { type: 'void' } });
      const call = await callee.client.next((f) => f.type === 'invokefunction');
      expect(call.invocation_id).toMatch(/^[0-9a-f-]{36}$/);
      await callee.client.send({ type: 'invocationresult', invocation_id: call.invocation_id, function_id: 'spec::void', result: 1 });
      await callee.client.sync();
      await caller.client.sync();
      expect(caller.client.frames.filter((f) => f.type === 'invocationresult')).toEqual([]);
    });

    it('answers enqueue with enqueue_error', async () => {
      const caller = await worker();
      const id = randomUUID();
      await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'x', data: {}, action: { type: 'enqueue', queue: 'q' } });
      const r = await caller.client.next((f) => f.type === 'invocationresult');
      expect(r.error.code).toBe('enqueue_error');
    });

    it('processes one connection in order: a registration is visible to the next frame', async () => {
      const w = await worker();
      const id = randomUUID();
      await w.client.send({ type: 'registerfunction', id: 'spec::self' });
      await w.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'spec::self', data: 1 });
      const call = await w.client.next((f) => f.type === 'invokefunction');
      expect(call.invocation_id).toBe(id);
      await w.client.send({ type: 'invocationresult', invocation_id: id, function_id: 'spec::self', result: 2 });
      expect((await w.client.next((f) => f.type === 'invocationresult')).result).toBe(2);
    });

    it('lets the last writer win and only the owner unregister', async () => {
      const a = await worker();
      const b = await worker();
      await a.client.send({ type: 'registerfunction', id: 'spec::shared' });
      await a.client.sync();
      await b.client.send({ type: 'registerfunction', id: 'spec::shared' });
      await b.client.sync();
      await a.client.send({ type: 'unregisterfunction', id: 'spec::shared' });
      await a.client.sync();
      expect(engine.functionIds()).toContain('spec::shared');
      await a.client.close(true);
      await waitFor(() => !engine.workerIds().includes(a.workerId));
      const id = randomUUID();
      await b.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'spec::shared', data: {} });
      expect((await b.client.next((f) => f.type === 'invokefunction')).invocation_id).toBe(id);
      await b.client.send({ type: 'unregisterfunction', id: 'spec::shared' });
      await b.client.sync();
      expect(engine.functionIds()).not.toContain('spec::shared');
    });

    it('sends invocation_stopped when the serving worker disconnects, and drops calls of a departed caller', async () => {
      const callee = await worker();
      const caller = await worker();
      await callee.client.send({ type: 'registerfunction', id: 'spec::hang' });
      await callee.client.sync();
      const id = randomUUID();
      await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'spec::hang', data: {} });
      await callee.client.next((f) => f.type === 'invokefunction');
      await callee.client.close(true);
      expect(await caller.client.next((f) => f.type === 'invocationresult')).toEqual({
        type: 'invocationresult',
        invocation_id: id,
        function_id: 'spec::hang',
        error: { code: 'invocation_stopped', message: 'Invocation stopped' },
      });

      const callee2 = await worker();
      await callee2.client.send({ type: 'registerfunction', id: 'spec::hang2' });
      await callee2.client.sync();
      const pendingBefore = engine.stats().pendingInvocations;
      const id2 = randomUUID();
      await caller.client.send({ type: 'invokefunction', invocation_id: id2, function_id: 'spec::hang2', data: {} });
      await callee2.client.next((f) => f.type === 'invokefunction');
      expect(engine.stats().pendingInvocations).toBe(pendingBefore + 1);
      await caller.client.close(true);
      await waitFor(() => !engine.workerIds().includes(caller.workerId));
      expect(engine.stats().pendingInvocations).toBe(pendingBefore);
      await callee2.client.send({ type: 'invocationresult', invocation_id: id2, function_id: 'spec::hang2', result: 1 });
      await callee2.client.sync();
    });

    it('refuses a result from a connection the call was not routed to (upstream accepts it; see README reliability)', async () => {
      const callee = await worker();
      const other = await worker();
      const caller = await worker();
      await callee.client.send({ type: 'registerfunction', id: 'spec::proxy' });
      await callee.client.sync();
      const id = randomUUID();
      await caller.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'spec::proxy', data: {} });
      await callee.client.next((f) => f.type === 'invokefunction');
      await other.client.send({ type: 'invocationresult', invocation_id: id, function_id: 'x', result: 'from other' });
      await other.client.sync();
      await callee.client.send({ type: 'invocationresult', invocation_id: id, function_id: 'x', result: 'from callee' });
      expect((await caller.client.next((f) => f.type === 'invocationresult')).result).toBe('from callee');
    });

    it('reattach with the right token evicts the old connection and cleans it up before the next frame', async () => {
      const old = await worker();
      await old.client.send({ type: 'registerfunction', id: 'spec::re' });
      await old.client.sync();
      const fresh = await worker();
      await fresh.client.send({ type: 'reattach', previous_worker_id: old.workerId, reattach_token: randomUUID() });
      await fresh.client.sync();
      expect(old.client.ws.readyState).toBe(old.client.ws.OPEN);

      await fresh.client.send({ type: 'reattach', previous_worker_id: old.workerId.toUpperCase(), reattach_token: old.token });
      const id = randomUUID();
      await fresh.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'spec::re', data: {} });
      expect((await fresh.client.next((f) => f.type === 'invocationresult')).error.code).toBe('function_not_found');
      expect((await old.client.closed).code).toBe(1006);
      expect(engine.workerIds()).not.toContain(old.workerId);
    });

    it('drops (no close frame) a socket that sends a frame over maxPayloadBytes and logs it', async () => {
      const { client } = await worker();
      const before = logs.length;
      client.ws.send(Buffer.alloc(1024 * 1024 + 1, 0x20));
      expect((await client.closed).code).toBe(1006);
      expect(logs.slice(before).some((l) => l.level === 'warn' && /over the 1048576-byte limit: dropped/.test(l.message) && l.details?.size === 1024 * 1024 + 1)).toBe(true);
    });

    it('serves the built-in list functions', async () => {
      const w = await worker();
      await w.client.send({ type: 'registerfunction', id: 'spec::listed', description: 'd', metadata: { team: 't' } });
      await w.client.send({
        type: 'invokefunction',
        function_id: 'engine::workers::register',
        data: { name: 'raw-spec', runtime: 'node', pid: 7 },
        action: { type: 'void' },
      });
      const id1 = randomUUID();
      await w.client.send({ type: 'invokefunction', invocation_id: id1, function_id: 'engine::functions::list', data: {} });
      const fl = await w.client.next((f) => f.invocation_id === id1);
      expect(fl.result.functions).toContainEqual({ function_id: 'spec::listed', worker_name: 'raw-spec', description: 'd', metadata: { team: 't' } });
      const id2 = randomUUID();
      await w.client.send({ type: 'invokefunction', invocation_id: id2, function_id: 'engine::workers::list', data: {} });
      const wl = await w.client.next((f) => f.invocation_id === id2);
      expect(wl.result.workers).toContainEqual(
        expect.objectContaining({ id: w.workerId, name: 'raw-spec', runtime: 'node', status: 'connected', function_count: 1 }),
      );
      expect(engine.listWorkers().find((x) => x.id === w.workerId)).toMatchObject({ name: 'raw-spec', pid: 7, functions: ['spec::listed'] });
    });

    it('accepts /otel and discards its frames', async () => {
      const otel = await RawClient.open(`${engine.url}/otel`);
      opened.push(otel);
      const before = engine.stats().telemetryFrames;
      await otel.send(Buffer.from('OTLP{}'), true);
      await otel.send(Buffer.from('MTRC{}'), true);
      const w = await worker();
      await w.client.sync();
      expect(engine.stats().telemetrySockets).toBeGreaterThanOrEqual(1);
      expect(otel.messages).toEqual([]);
      // frames of one socket arrive in order; a later ping on the same socket proves the two were read
      await new Promise<void>((resolve) => {
        otel.ws.once('pong', () => resolve());
        otel.ws.ping();
      });
      expect(engine.stats().telemetryFrames).toBe(before + 2);
    });
  });

  describe('tolerance', () => {
    it('accepts 0.23+ fields and the 0.23 order (metadata call first) without closing or rejecting', async () => {
      const w = await worker();
      await w.client.send({
        type: 'invokefunction',
        function_id: 'engine::workers::register',
        data: { runtime: 'node', version: '0.23.0', name: 'newer', namespace: 'default' },
        action: { type: 'void' },
        namespace: 'default',
      });
      await w.client.send({ type: 'registertriggertype', id: 'spec::ns-type', description: '', namespace: 'default' });
      await w.client.send({ type: 'registerfunction', id: 'spec::ns-fn', message_type: 'registerfunction' });
      await w.client.send({
        type: 'registertrigger',
        id: randomUUID(),
        trigger_type: 'spec::ns-type',
        function_id: 'spec::ns-fn',
        config: null,
        namespace: 'default',
        trigger_namespace: 'default',
      });
      const forwarded = await w.client.next((f) => f.type === 'registertrigger');
      expect(forwarded).toMatchObject({ trigger_type: 'spec::ns-type', function_id: 'spec::ns-fn', config: null });
      expect('namespace' in forwarded).toBe(false);
      const id = randomUUID();
      await w.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'spec::ns-fn', data: { a: 1 }, namespace: 'default' });
      expect((await w.client.next((f) => f.type === 'invokefunction')).invocation_id).toBe(id);
      await w.client.sync();
      expect(w.client.frames.some((f) => f.type === 'registrationrejected' || f.type === 'error')).toBe(false);
      expect(engine.listWorkers().find((x) => x.id === w.workerId)?.name).toBe('newer');
    });

    it('does not route calls to an HTTP-invoked function registration', async () => {
      const w = await worker();
      await w.client.send({ type: 'registerfunction', id: 'spec::http', invocation: { url: 'http://127.0.0.1:1/x', method: 'POST' } });
      const id = randomUUID();
      await w.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'spec::http', data: {} });
      expect((await w.client.next((f) => f.type === 'invocationresult')).error.code).toBe('function_not_found');
      expect(w.client.frames.some((f) => f.type === 'invokefunction')).toBe(false);
    });

    it('lets a worker take over a built-in function, as upstream does (PROTOCOL.md §10.4)', async () => {
      const own = await startEngine({ port: 0 });
      const w = await openWorker(own.url);
      try {
        await w.client.send({ type: 'registerfunction', id: 'engine::channels::create' });
        const id = randomUUID();
        await w.client.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: {} });
        const call = await w.client.next((f) => f.type === 'invokefunction');
        expect(call).toMatchObject({ invocation_id: id, function_id: 'engine::channels::create', data: { _caller_worker_id: w.workerId } });
      } finally {
        await w.client.close(true);
        await own.close();
      }
    });
  });

  it('drops a connection that does not finish its upgrade headers in time', async () => {
    const own = await startEngine({ port: 0, upgradeTimeoutMs: 300 });
    try {
      const socket = net.connect(own.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
      let reply = '';
      socket.on('data', (c) => (reply += c.toString()));
      await new Promise((resolve) => socket.once('close', resolve));
      expect(reply === '' || /^HTTP\/1\.1 408/.test(reply)).toBe(true);
    } finally {
      await own.close();
    }
  });

  it('close() is idempotent and ends every socket', async () => {
    const own = await startEngine({ port: 0 });
    const w = await openWorker(own.url);
    const p1 = own.close();
    const p2 = own.close();
    expect(p1).toBe(p2);
    await p1;
    expect((await w.client.closed).code).toBe(1006);
    await expect(RawClient.open(own.url)).rejects.toThrow();
  });
});
