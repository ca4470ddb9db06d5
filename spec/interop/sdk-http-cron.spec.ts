import { VirtualTimeScheduler } from 'rxjs';
import { registerWorker } from 'iii-sdk';
import { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../lib/engine/startEngine';
import { eventually, httpCall } from '../engine/support/httpCall';

type Sdk = ReturnType<typeof registerWorker>;

/** An official iii-sdk 0.22.1 worker written for a real engine's http and cron modules, on the embedded engine. */
describe('iii-sdk 0.22.1 http and cron triggers on the embedded engine', () => {
  let engine: EmbeddedEngine;
  let sdk: Sdk;
  let clock: VirtualTimeScheduler;
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    spies.push(jest.spyOn(console, 'debug').mockImplementation(() => undefined));
    clock = new VirtualTimeScheduler();
    clock.frame = Date.parse('2026-12-01T00:00:00Z');
    engine = await startEngine({ port: 0, http: { port: 0 }, cron: { clock } });
    sdk = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false, workerName: 'sdk-http' });
  });

  afterAll(async () => {
    await sdk.shutdown();
    await engine.close();
    spies.forEach((s) => s.mockRestore());
  });

  it('answers from what the SDK handler returns, and from what it streams into the response channel', async () => {
    sdk.registerFunction('sdk::get', async (req: any) => ({ status_code: 200, body: { id: req.path_params.id, q: req.query_params.q } }));
    sdk.registerFunction('sdk::stream', async (req: any) => {
      req.response.sendMessage(JSON.stringify({ type: 'set_status', status_code: 201 }));
      req.response.sendMessage(JSON.stringify({ type: 'set_headers', headers: { 'content-type': 'text/plain' } }));
      req.response.stream.end(Buffer.from('streamed by the sdk'));
      return null;
    });
    sdk.registerFunction('sdk::upload', async (req: any) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req.request_body.stream) chunks.push(Buffer.from(chunk));
      return { body: { received: Buffer.concat(chunks).toString('utf8') } };
    });
    sdk.registerTrigger({ type: 'http', function_id: 'sdk::get', config: { api_path: 'things/:id', http_method: 'GET' } });
    sdk.registerTrigger({ type: 'http', function_id: 'sdk::stream', config: { api_path: 'stream' } });
    sdk.registerTrigger({ type: 'http', function_id: 'sdk::upload', config: { api_path: 'upload', http_method: 'POST' } });
    const base = engine.httpUrl as string;
    await eventually(async () => (await httpCall(`${base}/upload`)).status === 405);
    await eventually(async () => (await httpCall(`${base}/things/1`, { method: 'POST' })).status === 405);
    await eventually(async () => (await httpCall(`${base}/stream`, { method: 'POST' })).status === 405);

    const got = await httpCall(`${base}/things/7?q=x`);
    expect([got.status, got.json]).toEqual([200, { id: '7', q: 'x' }]);
    const streamed = await httpCall(`${base}/stream`);
    expect([streamed.status, streamed.headers['content-type'], streamed.text]).toEqual([201, 'text/plain', 'streamed by the sdk']);
    const uploaded = await httpCall(`${base}/upload`, { method: 'POST', headers: [['content-type', 'text/plain']], body: 'raw bytes' });
    expect(uploaded.json).toEqual({ received: 'raw bytes' });
  });

  it('fires an SDK cron binding with the real engine\'s input', async () => {
    const inputs: any[] = [];
    sdk.registerFunction('sdk::cron', async (input: any) => {
      inputs.push(input);
    });
    sdk.registerTrigger({ type: 'cron', function_id: 'sdk::cron', config: { expression: '*/15 * * * * *' } });
    await eventually(() => engine.triggerModules?.cron?.list().find((j) => j.functionId === 'sdk::cron' && j.nextFireMs !== undefined));
    clock.maxFrames = clock.frame + 15_000;
    clock.flush();
    await eventually(() => inputs.length === 1);
    expect(inputs[0]).toMatchObject({ trigger: 'cron', scheduled_time: '2026-12-01T00:00:15+00:00' });
  });
});
