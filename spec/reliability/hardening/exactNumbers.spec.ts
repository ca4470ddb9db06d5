import { randomUUID } from 'node:crypto';
import { startEngine } from '../../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../../lib/engine/EmbeddedEngine';
import { openWorker, RawClient } from '../../engine/support/RawClient';
import { recordingLogger } from '../support/recordingLogger';

/** The raw text of the next message matching `pred` (parsing it would round the numbers under test). */
async function nextText(client: RawClient, pred: (text: string) => boolean): Promise<string> {
  const m = await client.nextMessage((msg) => pred(msg.data.toString()));
  return m.data.toString();
}

describe('numbers pass through the engine exactly', () => {
  let engine: EmbeddedEngine;
  const { logger, entries } = recordingLogger();
  let callee: RawClient;
  let caller: RawClient;
  let callerId: string;

  beforeAll(async () => {
    engine = await startEngine({ port: 0, logger });
    callee = (await openWorker(engine.url)).client;
    const c = await openWorker(engine.url);
    caller = c.client;
    callerId = c.workerId;
    await callee.send({ type: 'registerfunction', id: 'num::echo', description: '' });
    await callee.sync();
  });
  afterAll(async () => {
    await Promise.all([callee.close(true), caller.close(true)]);
    await engine.close();
  });

  it('relays integers beyond 2^53 exactly both ways, with _caller_worker_id spliced in (a planted one replaced)', async () => {
    const id = randomUUID();
    await caller.send(
      `{"type":"invokefunction","invocation_id":"${id}","function_id":"num::echo",` +
        `"data":{"big":18446744073709551615,"neg":-9223372036854775807,"list":[9007199254740993,1.5,"s, }"],"_caller_worker_id":"forged"}}`,
    );
    const forwarded = await nextText(callee, (t) => t.includes('"invokefunction"'));
    expect(forwarded).toContain('"big":18446744073709551615');
    expect(forwarded).toContain('"neg":-9223372036854775807');
    expect(forwarded).toContain('[9007199254740993,1.5,"s, }"]');
    expect(forwarded).not.toContain('forged');
    expect(JSON.parse(forwarded).data._caller_worker_id).toBe(callerId);
    const calleeId = JSON.parse(forwarded).invocation_id as string;
    await callee.send(`{"type":"invocationresult","invocation_id":"${calleeId}","function_id":"num::echo","result":{"id":123456789012345678901234567890}}`);
    const result = await nextText(caller, (t) => t.includes('"invocationresult"'));
    expect(result).toContain('"result":{"id":123456789012345678901234567890}');
  });

  it('drops a frame holding a number outside the f64 range (1e400), as the real engine cannot decode it', async () => {
    const id = randomUUID();
    await callee.sync();
    const seen = callee.frames.filter((f) => f.type === 'invokefunction').length;
    await caller.send(`{"type":"invokefunction","invocation_id":"${id}","function_id":"num::echo","data":{"x":1e400}}`);
    await caller.sync();
    await callee.sync();
    expect(callee.frames.filter((f) => f.type === 'invokefunction')).toHaveLength(seen);
    expect(entries.some((e) => e.message === 'dropped frame' && e.details?.reason === 'NUMBER_OUT_OF_RANGE')).toBe(true);
    expect(engine.stats().pendingInvocations).toBe(0);
  });

  it('leaves ordinary numbers to the fast path', async () => {
    const id = randomUUID();
    await caller.send({ type: 'invokefunction', invocation_id: id, function_id: 'num::echo', data: { n: 42, f: 0.1, e: 1e21 } });
    const forwarded = await nextText(callee, (t) => t.includes(id) || t.includes('"n":42'));
    expect(JSON.parse(forwarded).data).toEqual({ n: 42, f: 0.1, e: 1e21, _caller_worker_id: callerId });
  });
});

describe('trigger configs pass through the engine exactly', () => {
  let engine: EmbeddedEngine;
  const opened: RawClient[] = [];
  const connect = async () => {
    const { client } = await openWorker(engine.url);
    opened.push(client);
    return client;
  };
  beforeAll(async () => {
    engine = await startEngine({ port: 0 });
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close(true)));
    await engine.close();
  });

  it('hands a registertrigger config with integers beyond 2^53 to the provider verbatim, also when it was parked first', async () => {
    const binder = await connect();
    // parked: nobody provides the type yet
    await binder.send('{"type":"registertrigger","id":"t-parked","trigger_type":"num::type","function_id":"f","config":{"at":9007199254740993}}');
    await binder.sync();
    const provider = await connect();
    await provider.send({ type: 'registertriggertype', id: 'num::type', description: '' });
    const parked = await nextText(provider, (t) => t.includes('"t-parked"'));
    expect(parked).toContain('"config":{"at":9007199254740993}');
    await binder.send('{"type":"registertrigger","id":"t-live","trigger_type":"num::type","function_id":"f","config":{"ids":[18446744073709551615,-9223372036854775807],"s":"x"}}');
    const live = await nextText(provider, (t) => t.includes('"t-live"'));
    expect(live).toContain('"config":{"ids":[18446744073709551615,-9223372036854775807],"s":"x"}');
  });

  it('keeps the config of engine::register_trigger exact too', async () => {
    const caller = await connect();
    const provider = await connect();
    await provider.send({ type: 'registertriggertype', id: 'num::other', description: '' });
    await provider.sync();
    const id = randomUUID();
    await caller.send(
      `{"type":"invokefunction","invocation_id":"${id}","function_id":"engine::register_trigger",` +
        `"data":{"trigger_type":"num::other","function_id":"f","config":{"n":123456789012345678901}}}`,
    );
    const handed = await nextText(provider, (t) => t.includes('"registertrigger"'));
    expect(handed).toContain('"config":{"n":123456789012345678901}');
    const bindingId = JSON.parse(handed).id as string;
    await provider.send({ type: 'triggerregistrationresult', id: bindingId, trigger_type: 'num::other', function_id: 'f' });
    expect((await caller.next((f) => f.type === 'invocationresult' && f.invocation_id === id)).result).toEqual({ id: bindingId });
  });
});
