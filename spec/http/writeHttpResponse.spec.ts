import { ignoreElements, lastValueFrom, map, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ChannelItem, ChannelWriter, HttpRequest, writeHttpResponse } from '../../lib';
import { startTestEngine, TestEngine } from '../../lib/testing';

describe('writeHttpResponse', () => {
  let t: TestEngine;

  beforeAll(async () => {
    t = await startTestEngine();
  });

  afterAll(() => t.close());

  it('sends text and byte chunks from an async iterable as the body, with status 200 and no headers by default', async () => {
    const worker = t.connectWorker();
    async function* body() {
      yield 'héllo ';
      yield new Uint8Array([0x77, 0x6f, 0x72, 0x6c, 0x64]);
    }
    worker.registerFunction('spec::iterable', (req: HttpRequest) => writeHttpResponse(req.response, { body: body() }).pipe(ignoreElements()));
    worker.registerTrigger({ type: 'http', functionId: 'spec::iterable', config: { api_path: 'iterable' } });
    await t.sync(worker);
    const res = await t.request('GET', '/iterable');
    expect([res.status, res.text, res.headers['content-type']]).toEqual([200, 'héllo world', undefined]);
  });

  it('completes once the channel closed, so a handler can await it and return nothing', async () => {
    const worker = t.connectWorker();
    let finished!: (last: unknown) => void;
    const last = new Promise((resolve) => (finished = resolve));
    worker.registerFunction('spec::awaited', async (req: HttpRequest) => {
      finished(await lastValueFrom(writeHttpResponse(req.response, { status_code: 202, body: ['done'] }), { defaultValue: 'none' }));
      return null;
    });
    worker.registerTrigger({ type: 'http', functionId: 'spec::awaited', config: { api_path: 'awaited' } });
    await t.sync(worker);
    const res = await t.request('GET', '/awaited');
    expect([res.status, res.text]).toEqual([202, 'done']);
    expect(await last).toMatchObject({ frames: 2 }); // set_status and one body frame
  });
});

describe('writeHttpResponse (marbles)', () => {
  /** A writer that shows what it is asked to send: the source itself, one emission per item. */
  const recordingWriter = () => ({ write: (source: Observable<ChannelItem>) => source }) as unknown as ChannelWriter;
  const decode = (item: unknown) => (typeof item === 'string' ? `text:${item}` : `bytes:${new TextDecoder().decode(item as Uint8Array)}`);

  it('sends set_status and set_headers as text first, then every body chunk as bytes, and ends with the body', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const body = cold('----a-b-|', { a: 'x', b: 'y' });
      const sent = writeHttpResponse(recordingWriter(), { status_code: 201, headers: { 'x-a': '1' }, body }).pipe(map(decode));
      expectObservable(sent).toBe('(st)a-b-|', {
        s: 'text:{"type":"set_status","status_code":201}',
        t: 'text:{"type":"set_headers","headers":{"x-a":"1"}}',
        a: 'bytes:x',
        b: 'bytes:y',
      });
    });
  });

  it('unsubscribes from the body when the write is unsubscribed', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const body = cold('-a-b-c-|');
      expectObservable(writeHttpResponse(recordingWriter(), { body }).pipe(map(decode)), '^--!').toBe('-a-', { a: 'bytes:a' });
      expectSubscriptions(body.subscriptions).toBe('^--!');
    });
  });
});
