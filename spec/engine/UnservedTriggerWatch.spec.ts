import { TriggerRegistry } from '../../lib/engine/TriggerRegistry';
import { toEngineLog } from '../../lib/engine/EngineLogger';
import { UnservedTriggerWatch } from '../../lib/engine/UnservedTriggerWatch';
import { eventually } from './support/httpCall';
import { MemoryPeer } from './support/MemoryPeer';

describe('UnservedTriggerWatch', () => {
  const setup = (report: boolean) => {
    const warnings: Array<Record<string, unknown> | undefined> = [];
    const log = toEngineLog({ warn: (_m, d) => warnings.push(d) });
    const registry = new TriggerRegistry(log);
    const watch = new UnservedTriggerWatch(registry, log, { graceMs: 20, report });
    registry.onUnserved = (b) => watch.parked(b);
    return { registry, watch, warnings };
  };
  const bind = (id: string, type = 'webhook') => ({ type: 'registertrigger' as const, id, trigger_type: type, function_id: 'fn::x', config: {} });

  it('warns once per binding still unserved after the grace period, and tells the worker when asked to', async () => {
    const { registry, watch, warnings } = setup(true);
    const worker = new MemoryPeer();
    registry.registerTrigger(worker, bind('t1'));
    await eventually(() => warnings.length === 1);
    expect(warnings[0]).toMatchObject({ id: 't1', trigger_type: 'webhook', function_id: 'fn::x', worker_id: worker.workerId });
    expect(worker.ofType('triggerregistrationresult')).toEqual([
      expect.objectContaining({ id: 't1', trigger_type: 'webhook', error: expect.objectContaining({ code: 'trigger_type_not_found' }) }),
    ]);
    watch.close();
  });

  it('stays quiet when a provider arrives in time or the binding goes, and sends nothing unless asked to', async () => {
    const { registry, watch, warnings } = setup(false);
    const worker = new MemoryPeer();
    const provider = new MemoryPeer();
    registry.registerTrigger(worker, bind('served'));
    registry.registerType(provider, { type: 'registertriggertype', id: 'webhook', description: 'hooks' });
    registry.registerTrigger(worker, bind('removed', 'other'));
    registry.unregisterTrigger({ type: 'unregistertrigger', id: 'removed' });
    registry.registerTrigger(worker, bind('unserved', 'third'));
    await eventually(() => warnings.length === 1);
    expect(warnings.map((w) => w?.id)).toEqual(['unserved']);
    expect(worker.ofType('triggerregistrationresult')).toEqual([]);
    watch.close();
  });
});
