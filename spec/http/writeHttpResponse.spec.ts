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

  it('completes once the channel closed, and the HTTP body ends there', async () => {
    const worker = t.connectWorker();
    let written = false;
    worker.registerFunction('spec::awaited', async (req: HttpRequest) => {
      await lastValueFrom(writeHttpResponse(req.response, { status_code: 202, body: ['done'] }), { defaultValue: undefined });
      written = true;
      return null;
    });
    worker.registerTrigger({ type: 'http', functionId: 'spec::awaited', config: { api_path: 'awaited' } });
    await t.sync(worker);
    const res = await t.request('GET', '/awaited');
    expect([res.status, res.text, written]).toEqual([202, 'done', true]);
  });
});
