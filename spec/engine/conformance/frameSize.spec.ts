import { RawClient } from '../support/RawClient';
import { ConformanceTarget, call, expectParityWarning, openChannel, received, startTarget, uniquePrefix, worker } from './support/conformanceTarget';

/** PROTOCOL.md §10.1: 16 MiB per frame on every socket the engine reads; one byte more drops the socket. */
const LIMIT = 16 * 1024 * 1024;

/** A JSON frame of exactly `bytes` bytes (padded with spaces after the object). */
const padded = (frame: object, bytes: number) => {
  const text = JSON.stringify(frame);
  return text + ' '.repeat(bytes - Buffer.byteLength(text));
};

describe('§10.1 frame size: 16 MiB, enforced by dropping the socket', () => {
  let target: ConformanceTarget;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterEach(() => target.release());
  afterAll(() => target.close());

  it('§10.1 a 16 MiB JSON ping gets pong, one byte more drops the socket without a close frame (1006)', async () => {
    const { client } = await worker(target);
    await client.send(padded({ type: 'ping' }, LIMIT));
    await client.next((f) => f.type === 'pong');
    const before = target.logs.length;
    await client.send(padded({ type: 'ping' }, LIMIT + 1)).catch(() => undefined);
    expect((await client.closed).code).toBe(1006);
    expectParityWarning(target, { socket: 'worker', field: 'size', size: LIMIT + 1 }, before);
  });

  it('§10.1 oversized frame from a caller: the caller is dropped and the callee never sees the call', async () => {
    const fn = `${uniquePrefix('size')}::callee`;
    const callee = await worker(target);
    await callee.client.send({ type: 'registerfunction', id: fn });
    await callee.client.sync();
    const caller = await worker(target);
    const big = { type: 'invokefunction', invocation_id: '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa', function_id: fn, data: 'x'.repeat(LIMIT) };
    await caller.client.send(JSON.stringify(big)).catch(() => undefined);
    expect((await caller.client.closed).code).toBe(1006);
    await callee.client.sync();
    expect(received(callee.client, 'invokefunction')).toEqual([]);
  });

  it('§10.1 oversized result from a callee: the callee is dropped, its functions vanish, the caller gets invocation_stopped', async () => {
    const fn = `${uniquePrefix('size')}::big-result`;
    const callee = await worker(target);
    await callee.client.send({ type: 'registerfunction', id: fn });
    await callee.client.sync();
    const caller = await worker(target);
    const pending = call(caller.client, fn, {});
    const invoke = await callee.client.next((f) => f.type === 'invokefunction');
    const before = target.logs.length;
    await callee.client
      .send(JSON.stringify({ type: 'invocationresult', invocation_id: invoke.invocation_id, function_id: fn, result: 'y'.repeat(LIMIT) }))
      .catch(() => undefined);
    expect((await callee.client.closed).code).toBe(1006);
    expect((await pending).error).toEqual({ code: 'invocation_stopped', message: 'Invocation stopped' });
    expect((await call(caller.client, fn, {})).error.code).toBe('function_not_found');
    expectParityWarning(target, { socket: 'worker', field: 'size' }, before);
  });

  it('§10.1 oversized frame from a channel writer: the writer is dropped; the reader gets the earlier items, then a close without status (1005)', async () => {
    const control = await worker(target);
    const { r, w } = await openChannel(target, control.client);
    await w.send('before', false);
    await w.send(Buffer.from('also before'), true);
    const before = target.logs.length;
    await w.send(Buffer.alloc(LIMIT + 1), true).catch(() => undefined);
    expect((await w.closed).code).toBe(1006);
    expect((await r.closed).code).toBe(1005);
    expect(r.messages.map((m) => [m.binary, m.data.toString()])).toEqual([
      [false, 'before'],
      [true, 'also before'],
    ]);
    expectParityWarning(target, { socket: 'channel writer', field: 'size' }, before);
  });

  it('§10.1 oversized frame on /otel: the socket is dropped (1006)', async () => {
    const otel = target.track(await RawClient.open(`${target.url}/otel`));
    await otel.send(Buffer.concat([Buffer.from('OTLP'), Buffer.alloc(LIMIT - 3)]), true).catch(() => undefined);
    expect((await otel.closed).code).toBe(1006);
  });
});
