import { toEngineLog } from '../../lib/engine/EngineLogger';
import { TriggerBinding, TriggerRegistry } from '../../lib/engine/TriggerRegistry';
import { MemoryPeer } from './support/MemoryPeer';

describe('TriggerRegistry', () => {
  const type = (id: string) => ({ type: 'registertriggertype' as const, id, description: `${id} type` });
  const trigger = (id: string, triggerType: string, extra: Record<string, unknown> = {}) => ({
    type: 'registertrigger' as const,
    id,
    trigger_type: triggerType,
    function_id: `fn::${id}`,
    config: { every: 1 },
    ...extra,
  });
  const setup = () => ({ triggers: new TriggerRegistry(toEngineLog(undefined)), provider: new MemoryPeer(), worker: new MemoryPeer() });

  it('forwards a binding to the provider of its type, without replying to the originator', () => {
    const { triggers, provider, worker } = setup();
    triggers.registerType(provider, type('cron'));
    triggers.registerTrigger(worker, trigger('t1', 'cron', { metadata: { m: 1 }, message_type: 'registertrigger' }));
    expect(provider.sent).toEqual([
      { type: 'registertrigger', id: 't1', trigger_type: 'cron', function_id: 'fn::t1', config: { every: 1 }, metadata: { m: 1 } },
    ]);
    expect(worker.sent).toEqual([]);
    expect(triggers.listBindings()[0].state).toBe('active');
  });

  it('parks a binding of an unknown type and hands it over when a provider registers the type', () => {
    const { triggers, provider, worker } = setup();
    triggers.registerTrigger(worker, { type: 'registertrigger', id: 't1', trigger_type: 'cron', function_id: 'f' });
    expect(triggers.listBindings()[0]).toMatchObject({ state: 'parked', config: null });
    triggers.registerType(provider, type('cron'));
    expect(provider.ofType('registertrigger')).toEqual([{ type: 'registertrigger', id: 't1', trigger_type: 'cron', function_id: 'f', config: null }]);
  });

  it('passes only failures back to the originator, from the provider only, and parks the binding', () => {
    const { triggers, provider, worker } = setup();
    const stranger = new MemoryPeer();
    triggers.registerType(provider, type('cron'));
    triggers.registerTrigger(worker, trigger('t1', 'cron'));
    triggers.registrationResult(provider, { type: 'triggerregistrationresult', id: 't1' });
    triggers.registrationResult(stranger, { type: 'triggerregistrationresult', id: 't1', error: { code: 'x', message: 'no' } });
    expect(worker.sent).toEqual([]);
    triggers.registrationResult(provider, {
      type: 'triggerregistrationresult',
      id: 't1',
      trigger_type: 'ignored',
      error: { code: 'trigger_registration_failed', message: 'bad cron' },
    });
    expect(worker.sent).toEqual([
      {
        type: 'triggerregistrationresult',
        id: 't1',
        trigger_type: 'cron',
        function_id: 'fn::t1',
        error: { code: 'trigger_registration_failed', message: 'bad cron' },
      },
    ]);
    expect(triggers.listBindings()[0].state).toBe('parked');
  });

  it('unregisters a binding for anyone and tells the provider the stored type', () => {
    const { triggers, provider, worker } = setup();
    triggers.registerType(provider, type('cron'));
    triggers.registerTrigger(worker, trigger('t1', 'cron'));
    triggers.unregisterTrigger({ type: 'unregistertrigger', id: 't1', trigger_type: 'wrong' });
    expect(provider.ofType('unregistertrigger')).toEqual([{ type: 'unregistertrigger', id: 't1', trigger_type: 'cron' }]);
    expect(triggers.listBindings()).toEqual([]);
  });

  it('cleans up on disconnect: own bindings removed (provider told), own types removed, others parked and re-sent later', () => {
    const { triggers, provider, worker } = setup();
    const other = new MemoryPeer();
    triggers.registerType(provider, type('cron'));
    triggers.registerTrigger(worker, trigger('mine', 'cron'));
    triggers.registerTrigger(other, trigger('theirs', 'cron'));
    triggers.connectionClosed(worker);
    expect(provider.ofType('unregistertrigger')).toEqual([{ type: 'unregistertrigger', id: 'mine', trigger_type: 'cron' }]);
    provider.isOpen = false;
    triggers.connectionClosed(provider);
    expect(triggers.listTypes().map((t) => t.id)).not.toContain('cron');
    expect(triggers.listBindings().map((b) => [b.id, b.state])).toEqual([['theirs', 'parked']]);
    const next = new MemoryPeer();
    triggers.registerType(next, type('cron'));
    expect(next.ofType('registertrigger').map((f) => f.id)).toEqual(['theirs']);
  });

  it('parks a binding the provider cannot take', () => {
    const { triggers, provider, worker } = setup();
    provider.capacity = 0;
    triggers.registerType(provider, type('cron'));
    triggers.registerTrigger(worker, trigger('t1', 'cron'));
    expect(triggers.listBindings()[0].state).toBe('parked');
  });

  it('removes a type on unregistertriggertype from its provider only', () => {
    const { triggers, provider, worker } = setup();
    triggers.registerType(provider, type('cron'));
    triggers.unregisterType(worker, 'cron');
    expect(triggers.listTypes().map((t) => t.id)).toEqual(['cron']);
    triggers.unregisterType(provider, 'cron');
    expect(triggers.listTypes()).toEqual([]);
  });

  it('runs built-in providers in the engine and reports their refusals', () => {
    const { triggers, worker } = setup();
    const accepted: TriggerBinding[] = [];
    triggers.registerBuiltinType('engine::thing', 'thing', {
      register: (b) => {
        if ((b.config as { ok?: boolean })?.ok) {
          accepted.push(b);
          return undefined;
        }
        return 'config.ok must be true';
      },
      unregister: (b) => accepted.splice(accepted.indexOf(b), 1),
    });
    triggers.registerTrigger(worker, trigger('good', 'engine::thing', { config: { ok: true } }));
    triggers.registerTrigger(worker, trigger('bad', 'engine::thing', { config: {} }));
    expect(accepted.map((b) => b.id)).toEqual(['good']);
    expect(triggers.activeBindings('engine::thing').map((b) => b.id)).toEqual(['good']);
    expect(worker.sent).toEqual([
      expect.objectContaining({ type: 'triggerregistrationresult', id: 'bad', error: { code: 'trigger_registration_failed', message: 'config.ok must be true' } }),
    ]);
    triggers.registerType(worker, type('engine::thing'));
    expect(triggers.listTypes().find((t) => t.id === 'engine::thing')?.provider.kind).toBe('builtin');
    triggers.unregisterTrigger({ type: 'unregistertrigger', id: 'good' });
    expect(accepted).toEqual([]);
  });
});
