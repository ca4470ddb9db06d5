import { registerWorker } from 'iii-sdk';
import { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../lib/engine/startEngine';

type Sdk = ReturnType<typeof registerWorker>;
type TriggerConfig = { id: string; function_id: string; config: any; metadata?: any };

const waitFor = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 10));
};

/** Trigger types and triggers between official iii-sdk 0.22.1 workers through the embedded engine. */
describe('iii-sdk 0.22.1 triggers through the embedded engine', () => {
  let engine: EmbeddedEngine;
  const workers: Sdk[] = [];
  let consoleError: jest.SpyInstance;
  const spies: jest.SpyInstance[] = [];

  const sdk = (name: string): Sdk => {
    const w = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false, workerName: name });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    spies.push(jest.spyOn(console, 'debug').mockImplementation(() => undefined));
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    spies.push(consoleError);
    engine = await startEngine({ port: 0 });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.shutdown()));
    await engine.close();
    spies.forEach((s) => s.mockRestore());
  });

  it('parks a trigger until its type has a provider, then the provider fires it and can be told to drop it', async () => {
    const consumer = sdk('consumer');
    const fired: unknown[] = [];
    consumer.registerFunction('spec::on-tick', async (data: unknown) => {
      fired.push(data);
      return null;
    });
    const trigger = consumer.registerTrigger({ type: 'spec::ticker', function_id: 'spec::on-tick', config: { every: 5 }, metadata: { m: 1 } });
    await waitFor(() => engine.stats().triggers === 1);

    const provider = sdk('provider');
    const registered: TriggerConfig[] = [];
    const unregistered: TriggerConfig[] = [];
    provider.registerTriggerType(
      { id: 'spec::ticker', description: 'ticks' },
      {
        registerTrigger: async (t: TriggerConfig) => {
          registered.push(t);
        },
        unregisterTrigger: async (t: TriggerConfig) => {
          unregistered.push(t);
        },
      },
    );
    await waitFor(() => registered.length === 1);
    expect(registered[0]).toMatchObject({ function_id: 'spec::on-tick', config: { every: 5 }, metadata: { m: 1 } });

    await provider.trigger({ function_id: registered[0].function_id, payload: { tick: 1 } });
    expect(fired).toEqual([{ tick: 1, _caller_worker_id: expect.any(String) }]);

    trigger.unregister();
    await waitFor(() => unregistered.length === 1);
    expect(unregistered[0]).toMatchObject({ id: registered[0].id, function_id: '' });
    expect(consoleError.mock.calls.filter((c) => /Trigger registration failed/.test(String(c[0])))).toEqual([]);
  });

  it('forwards a provider refusal to the worker that registered the trigger', async () => {
    const provider = sdk('strict-provider');
    provider.registerTriggerType(
      { id: 'spec::strict', description: 'refuses bad configs' },
      {
        registerTrigger: async (t: TriggerConfig) => {
          if (!t.config?.ok) throw new Error('config.ok is required');
        },
        unregisterTrigger: async () => undefined,
      },
    );
    await waitFor(() => engine.stats().triggerTypes >= 2);
    const consumer = sdk('strict-consumer');
    consumer.registerFunction('spec::strict-target', async () => null);
    consumer.registerTrigger({ type: 'spec::strict', function_id: 'spec::strict-target', config: {} });
    await waitFor(() => consoleError.mock.calls.some((c) => /Trigger registration failed/.test(String(c[0]))));
    const line = String(consoleError.mock.calls.find((c) => /Trigger registration failed/.test(String(c[0])))?.[0]);
    expect(line).toContain('(spec::strict): config.ok is required');
  });

  it('fires the built-in engine::workers-available trigger when workers come and go', async () => {
    const watcher = sdk('watcher');
    const events: Array<{ event: string; worker_id: string }> = [];
    watcher.registerFunction('spec::on-workers', async (data: { event: string; worker_id: string }) => {
      events.push(data);
      return null;
    });
    watcher.registerTrigger({ type: 'engine::workers-available', function_id: 'spec::on-workers', config: {} });
    await waitFor(() => engine.listWorkers().some((w) => w.functions.includes('spec::on-workers')));
    await waitFor(() => engine.stats().triggers >= 2);
    const before = new Set(engine.listWorkers().map((w) => w.id));
    const visitor = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false, workerName: 'visitor' });
    await waitFor(() => engine.listWorkers().some((w) => !before.has(w.id)));
    const visitorId = engine.listWorkers().find((w) => !before.has(w.id))!.id;
    await visitor.shutdown();
    await waitFor(() => events.some((e) => e.event === 'worker_disconnected' && e.worker_id === visitorId));
    // the SDK describes itself through engine::workers::register, which fires worker_metadata_updated (PROTOCOL.md §10.5)
    expect(events.filter((e) => e.worker_id === visitorId).map((e) => e.event)).toEqual(['worker_connected', 'worker_metadata_updated', 'worker_disconnected']);
  });
});
