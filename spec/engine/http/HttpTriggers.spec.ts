import { firstValueFrom, ignoreElements, interval, lastValueFrom, map, take, toArray } from 'rxjs';
import { EmbeddedEngine } from '../../../lib/engine/EmbeddedEngine';
import type { EngineLogDetails } from '../../../lib/engine/EngineLogger';
import { startEngine } from '../../../lib/engine/startEngine';
import type { HttpRequest } from '../../../lib/http/HttpRequest';
import { writeHttpResponse } from '../../../lib/http/writeHttpResponse';
import { connectWorker } from '../../../lib/worker/connectWorker';
import type { Worker } from '../../../lib/worker/Worker';
import { eventually, httpCall } from '../support/httpCall';

// Every test talks to the engine as a worker does (an iii-rx Worker over real sockets) and as an HTTP
// client does; nothing here reaches into the engine except its two URLs.
describe('http triggers (PROTOCOL.md §11.1)', () => {
  let engine: EmbeddedEngine;
  let base: string;
  let worker: Worker;
  const warnings: Array<{ message: string; details?: EngineLogDetails }> = [];

  /** Waits until `path` has a route: a method it is not registered for answers 405 instead of 404. */
  const routeReady = (path: string, probe = 'DELETE') =>
    eventually(async () => (await httpCall(`${base}/${path}`, { method: probe })).status === 405);

  beforeAll(async () => {
    engine = await startEngine({
      port: 0,
      http: { port: 0, timeoutMs: 400 },
      logger: { warn: (message, details) => warnings.push({ message, details }) },
    });
    base = engine.httpUrl as string;
    worker = connectWorker(engine.url, { workerName: 'http-spec' });
  });

  afterAll(async () => {
    await worker.close();
    await engine.close();
  });

  it('hands the function the exact input and answers with what it returns', async () => {
    worker.registerFunction('spec::echo', (req: HttpRequest) => {
      const { request_body, response, ...rest } = req;
      return {
        status_code: 201,
        headers: { 'x-served-by': 'spec' },
        body: { ...rest, refs: [request_body.ref.direction, response.ref.direction] },
      };
    });
    worker.registerTrigger({ type: 'http', functionId: 'spec::echo', config: { api_path: '/users/:id/posts/:pid', http_method: 'post' } });
    await routeReady('users/1/posts/2');

    const res = await httpCall(`${base}/users/42/posts/a%20b?q=1&q=2&z=%C3%A9+x`, {
      method: 'POST',
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Multi', 'a'],
        ['X-Multi', 'b'],
      ],
      body: '{"k":[1,2]}',
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-served-by']).toBe('spec');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toMatchObject({
      method: 'POST',
      path: 'users/:id/posts/:pid',
      path_params: { id: '42', pid: 'a%20b' },
      query_params: { q: '2', z: 'é x' },
      body: { k: [1, 2] },
      trigger: { type: 'http', path: 'users/:id/posts/:pid', method: 'POST' },
      refs: ['read', 'write'],
    });
    expect(res.json.headers).toMatchObject({ 'content-type': 'application/json', 'x-multi': 'b' });
    expect(res.json.headers.host).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('calls the function in a child of the request\'s traceparent, or in a fresh trace, with the binding metadata', async () => {
    const seen: Array<{ traceparent?: string; metadata: unknown }> = [];
    worker.registerFunction('spec::traced', (_req: HttpRequest, context) => {
      seen.push({ traceparent: context.traceparent, metadata: context.metadata });
      return {};
    });
    worker.registerTrigger({ type: 'http', functionId: 'spec::traced', config: { api_path: 'traced' }, metadata: { team: 'web' } });
    await routeReady('traced');
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await httpCall(`${base}/traced`, { headers: [['traceparent', parent]] });
    await httpCall(`${base}/traced`);
    expect(seen[0].traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(seen[0].traceparent).not.toBe(parent);
    expect(seen[1].traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(seen[1].traceparent?.slice(3, 35)).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(seen.map((s) => s.metadata)).toEqual([{ team: 'web' }, { team: 'web' }]);
  });

  it('gives null as body for invalid JSON and for other content types, and the raw bytes on request_body', async () => {
    worker.registerFunction('spec::raw', async (req: HttpRequest) => {
      const bytes = await lastValueFrom(req.request_body.bytes$.pipe(toArray()));
      return { body: { parsed: req.body, raw: Buffer.concat(bytes).toString('utf8'), frames: bytes.length } };
    });
    worker.registerTrigger({ type: 'http', functionId: 'spec::raw', config: { api_path: 'raw', http_method: 'PUT' } });
    await routeReady('raw');

    const bad = await httpCall(`${base}/raw`, { method: 'PUT', headers: [['content-type', 'application/json']], body: '{nope' });
    expect(bad.json).toEqual({ parsed: null, raw: '{nope', frames: 1 });
    const text = await httpCall(`${base}/raw`, { method: 'PUT', headers: [['content-type', 'text/plain']], body: 'hello' });
    expect(text.json).toMatchObject({ parsed: null, raw: 'hello' });
    const empty = await httpCall(`${base}/raw`, { method: 'PUT' });
    expect(empty.json).toEqual({ parsed: null, raw: '', frames: 0 });
  });

  it('applies the return-mode rules: defaults, header lines, raw strings, null bodies, non-objects', async () => {
    const replies: Record<string, unknown> = {
      defaults: {},
      lines: { headers: ['Content-Type: text/plain', 'X-A: 1'], body: 'plain text' },
      empty: { headers: { 'content-type': 'text/plain' }, body: null },
      number: 42,
      teapot: { status_code: 418, body: 'short and stout' },
    };
    worker.registerFunction('spec::returns', (req: HttpRequest) => replies[req.path_params.kind]);
    worker.registerTrigger({ type: 'http', functionId: 'spec::returns', config: { api_path: 'returns/:kind' } });
    await routeReady('returns/x');

    const defaults = await httpCall(`${base}/returns/defaults`);
    expect([defaults.status, defaults.headers['content-type'], defaults.text]).toEqual([200, 'application/json', '{}']);
    const lines = await httpCall(`${base}/returns/lines`);
    expect([lines.status, lines.headers['content-type'], lines.headers['x-a'], lines.text]).toEqual([200, 'text/plain', '1', 'plain text']);
    const empty = await httpCall(`${base}/returns/empty`);
    expect([empty.status, empty.text]).toEqual([200, '']);
    const number = await httpCall(`${base}/returns/number`);
    expect([number.status, number.text]).toEqual([200, '{}']);
    const teapot = await httpCall(`${base}/returns/teapot`);
    expect([teapot.status, teapot.headers['content-type'], teapot.text]).toEqual([418, 'application/json', '"short and stout"']);
  });

  it('streams the reply through the response channel: set_status, set_headers, then binary body frames', async () => {
    worker.registerFunction('spec::stream', (req: HttpRequest) =>
      writeHttpResponse(req.response, {
        status_code: 203,
        headers: { 'content-type': 'text/plain', 'x-stream': 'yes' },
        body: interval(5).pipe(
          take(3),
          map((i) => `tick ${i}\n`),
        ),
      }).pipe(ignoreElements()),
    );
    worker.registerTrigger({ type: 'http', functionId: 'spec::stream', config: { api_path: 'stream' } });
    await routeReady('stream');

    const res = await httpCall(`${base}/stream`);
    expect(res.status).toBe(203);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['x-stream']).toBe('yes');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.text).toBe('tick 0\ntick 1\ntick 2\n');
  });

  it('sends the head at the writer close when the channel carries no body', async () => {
    worker.registerFunction('spec::head-only', async (req: HttpRequest) => {
      req.response.next(JSON.stringify({ type: 'set_status', status_code: 204 }));
      req.response.complete();
      await lastValueFrom(req.response.done$, { defaultValue: undefined });
      return null;
    });
    worker.registerTrigger({ type: 'http', functionId: 'spec::head-only', config: { api_path: 'head-only' } });
    await routeReady('head-only');
    const res = await httpCall(`${base}/head-only`);
    expect([res.status, res.text]).toEqual([204, '']);
  });

  it('answers 404 with the JSON error for an unknown path and 405 with an empty body for another method', async () => {
    const missing = await httpCall(`${base}/nowhere/at/all`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: { code: 'NOT_FOUND', message: 'Not Found' } });

    worker.registerFunction('spec::get-only', () => ({ body: 'ok' }));
    worker.registerTrigger({ type: 'http', functionId: 'spec::get-only', config: { api_path: 'get-only' } });
    await routeReady('get-only');
    const wrong = await httpCall(`${base}/get-only`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.text).toBe('');
    expect(wrong.headers['content-type']).toBeUndefined();
  });

  it('answers 422 when the condition returns false and runs the function when it returns anything else', async () => {
    const calls: string[] = [];
    worker.registerFunction('spec::only-admins', (req: HttpRequest) => {
      calls.push(`condition:${req.headers['x-role']}`);
      return req.headers['x-role'] === 'admin' ? 'yes' : false;
    });
    worker.registerFunction('spec::guarded', () => {
      calls.push('function');
      return { body: 'welcome' };
    });
    worker.registerTrigger({
      type: 'http',
      functionId: 'spec::guarded',
      config: { api_path: 'guarded', condition_function_id: 'spec::only-admins' },
    });
    await routeReady('guarded');

    const refused = await httpCall(`${base}/guarded`, { headers: [['x-role', 'guest']] });
    expect(refused.status).toBe(422);
    expect(refused.json).toEqual({ error: { code: 'CONDITION_NOT_MET', message: 'Request condition not met' }, skipped: true });
    const allowed = await httpCall(`${base}/guarded`, { headers: [['x-role', 'admin']] });
    expect([allowed.status, allowed.json]).toEqual([200, 'welcome']);
    expect(calls).toEqual(['condition:guest', 'condition:admin', 'function']);
  });

  it('answers 500 with the error code, message and an error_id when the function fails or is missing', async () => {
    worker.registerFunction('spec::broken', () => {
      throw new Error('kaput');
    });
    worker.registerTrigger({ type: 'http', functionId: 'spec::broken', config: { api_path: 'broken' } });
    worker.registerTrigger({ type: 'http', functionId: 'spec::nobody-home', config: { api_path: 'nobody-home' } });
    await routeReady('broken');
    await routeReady('nobody-home');

    const broken = await httpCall(`${base}/broken`);
    expect(broken.status).toBe(500);
    expect(broken.json.error).toMatchObject({ code: 'invocation_failed', message: 'kaput' });
    expect(broken.json.error.error_id).toMatch(/^[0-9a-f]+$/);
    const missing = await httpCall(`${base}/nobody-home`);
    expect(missing.status).toBe(500);
    expect(missing.json.error.code).toBe('function_not_found');
  });

  it('answers 504 with an empty body when the function returns nothing and never writes', async () => {
    worker.registerFunction('spec::silent', () => undefined);
    worker.registerTrigger({ type: 'http', functionId: 'spec::silent', config: { api_path: 'silent' } });
    await routeReady('silent');
    const res = await httpCall(`${base}/silent`);
    expect([res.status, res.text]).toEqual([504, '']);
  });

  it('runs middleware first: a respond action answers directly, anything else goes on', async () => {
    const seen: unknown[] = [];
    worker.registerFunction('spec::auth', (input: { phase: string; request: { headers: Record<string, string> }; context: unknown }) => {
      seen.push({ phase: input.phase, context: input.context, hasRefs: 'response' in input.request });
      return input.request.headers.authorization
        ? { action: 'continue' }
        : { action: 'respond', response: { status_code: 401, body: { error: 'login first' } } };
    });
    worker.registerFunction('spec::secret', () => ({ body: 'the secret' }));
    worker.registerTrigger({
      type: 'http',
      functionId: 'spec::secret',
      config: { api_path: 'secret', middleware_function_ids: ['spec::auth'] },
    });
    await routeReady('secret');

    const anonymous = await httpCall(`${base}/secret`);
    expect([anonymous.status, anonymous.json]).toEqual([401, { error: 'login first' }]);
    const authorised = await httpCall(`${base}/secret`, { headers: [['authorization', 'Bearer x']] });
    expect([authorised.status, authorised.json]).toEqual([200, 'the secret']);
    expect(seen).toEqual([
      { phase: 'preHandler', context: {}, hasRefs: false },
      { phase: 'preHandler', context: {}, hasRefs: false },
    ]);
  });

  it('replaces a route registered again under the same key and refuses the same shape under other names', async () => {
    worker.registerFunction('spec::v1', () => ({ body: 'v1' }));
    worker.registerFunction('spec::v2', () => ({ body: 'v2' }));
    const errors: unknown[] = [];
    const sub = worker.triggerErrors$.subscribe((e) => errors.push(e));
    worker.registerTrigger({ type: 'http', functionId: 'spec::v1', config: { api_path: 'items/:id/tags/:tag', http_method: 'POST' } });
    await routeReady('items/1/tags/2', 'GET');
    worker.registerTrigger({ type: 'http', functionId: 'spec::v2', config: { api_path: '/items/:id/tags/:tag', http_method: 'POST' } });
    await eventually(async () => (await httpCall(`${base}/items/1/tags/2`, { method: 'POST' })).json === 'v2');

    const refused = worker.registerTrigger({ type: 'http', functionId: 'spec::v1', config: { api_path: 'items/:x/tags/:y', http_method: 'POST' } });
    const failure = await eventually(() => errors[0]);
    sub.unsubscribe();
    expect(failure).toMatchObject({
      id: refused.id,
      triggerType: 'http',
      code: 'trigger_registration_failed',
      message: expect.stringContaining(
        "Route 'POST items/:x/tags/:y' conflicts with already-registered route 'POST items/:id/tags/:tag'",
      ),
    });
    expect((await httpCall(`${base}/items/1/tags/2`, { method: 'POST' })).json).toBe('v2');
  });

  it('refuses a binding without api_path, or with middleware that is not a list of ids', async () => {
    const errors$ = firstValueFrom(worker.triggerErrors$.pipe(take(2), toArray()));
    const noPath = worker.registerTrigger({ type: 'http', functionId: 'spec::echo', config: { http_method: 'GET' } });
    const badMiddleware = worker.registerTrigger({ type: 'http', functionId: 'spec::echo', config: { api_path: 'm', middleware_function_ids: 'spec::auth' } });
    expect(await errors$).toEqual([
      expect.objectContaining({ id: noPath.id, code: 'trigger_registration_failed', message: 'api_path is required for http triggers' }),
      expect.objectContaining({ id: badMiddleware.id, code: 'trigger_registration_failed', message: 'middleware_function_ids must be an array of function ids' }),
    ]);
  });

  it('stops serving a route once its trigger is unregistered', async () => {
    worker.registerFunction('spec::temporary', () => ({ body: 'here' }));
    const reg = worker.registerTrigger({ type: 'http', functionId: 'spec::temporary', config: { api_path: 'temporary' } });
    await routeReady('temporary');
    reg.unregister();
    await eventually(async () => (await httpCall(`${base}/temporary`)).status === 404);
  });
});

describe('http triggers switched off', () => {
  it('leaves http bindings parked, answers nothing, and warns about the binding after the grace period', async () => {
    const warnings: Array<{ message: string; details?: EngineLogDetails }> = [];
    const engine = await startEngine({ port: 0, unservedTriggerGraceMs: 50, logger: { warn: (message, details) => warnings.push({ message, details }) } });
    const worker = connectWorker(engine.url);
    try {
      expect(engine.httpUrl).toBeUndefined();
      worker.registerFunction('spec::parked', () => 'never');
      const reg = worker.registerTrigger({ type: 'http', functionId: 'spec::parked', config: { api_path: 'parked' } });
      const warning = await eventually(() => warnings.find((w) => w.details?.id === reg.id));
      expect(warning.message).toBe('trigger binding parked: nothing provides its trigger type');
      expect(warning.details).toMatchObject({ trigger_type: 'http', function_id: 'spec::parked' });
    } finally {
      await worker.close();
      await engine.close();
    }
  });
});
