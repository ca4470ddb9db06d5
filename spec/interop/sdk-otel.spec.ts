import { registerWorker } from 'iii-sdk';
import { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../lib/engine/startEngine';

const waitFor = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 10));
};

/** With OTel left on, the official SDK opens `<url>/otel`; the embedded engine must accept it. */
describe('iii-sdk 0.22.1 with telemetry on', () => {
  let engine: EmbeddedEngine;
  const quiet: jest.SpyInstance[] = [];
  let consoleLog: jest.SpyInstance;

  beforeAll(async () => {
    quiet.push(jest.spyOn(console, 'debug').mockImplementation(() => undefined));
    consoleLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    quiet.push(consoleLog);
    engine = await startEngine({ port: 0 });
  });

  afterAll(async () => {
    await engine.close();
    quiet.forEach((s) => s.mockRestore());
  });

  it('accepts the telemetry socket and still serves calls', async () => {
    const worker = registerWorker(engine.url, { workerName: 'otel-on' });
    try {
      worker.registerFunction('otel::ping', async () => 'pong');
      await waitFor(() => engine.stats().telemetrySockets >= 1 && engine.functionIds().includes('otel::ping'));
      await expect(worker.trigger({ function_id: 'otel::ping', payload: {} })).resolves.toBe('pong');
      expect(engine.stats().workers).toBe(1);
    } finally {
      await worker.shutdown();
    }
    // the telemetry socket closes after shutdown() resolves; wait for the SDK to see it
    await waitFor(() => consoleLog.mock.calls.some((c) => /\[OTel\] Connection closed/.test(String(c[0]))));
    await waitFor(() => engine.stats().telemetrySockets === 0);
  });
});
