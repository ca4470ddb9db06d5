import { ignoreElements, lastValueFrom } from 'rxjs';
import { HttpRequest, writeHttpResponse } from '../../lib';
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
