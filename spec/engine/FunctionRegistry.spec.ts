import { FunctionRegistry } from '../../lib/engine/FunctionRegistry';
import { MemoryPeer } from './support/MemoryPeer';

describe('FunctionRegistry', () => {
  it('keeps optional fields only when present', () => {
    const registry = new FunctionRegistry();
    const a = new MemoryPeer();
    registry.register(a, { id: 'f', description: null, metadata: { team: 'x' } });
    const entry = registry.get('f');
    expect(entry).toMatchObject({ id: 'f', metadata: { team: 'x' }, owner: a });
    expect('description' in (entry as object)).toBe(false);
  });

  it('lets the last writer win and reports what it replaced', () => {
    const registry = new FunctionRegistry();
    const a = new MemoryPeer();
    const b = new MemoryPeer();
    expect(registry.register(a, { id: 'f' }).previous).toBeUndefined();
    expect(registry.register(b, { id: 'f' }).previous?.owner).toBe(a);
    expect(registry.get('f')?.owner).toBe(b);
    expect(registry.size).toBe(1);
  });

  it('unregisters only for the current owner', () => {
    const registry = new FunctionRegistry();
    const a = new MemoryPeer();
    const b = new MemoryPeer();
    registry.register(a, { id: 'f' });
    registry.register(b, { id: 'f' });
    expect(registry.unregister(a, 'f')).toBe(false);
    expect(registry.get('f')?.owner).toBe(b);
    expect(registry.unregister(b, 'f')).toBe(true);
    expect(registry.get('f')).toBeUndefined();
    expect(registry.unregister(b, 'f')).toBe(false);
  });

  it('removes on disconnect only what the connection still owns', () => {
    const registry = new FunctionRegistry();
    const old = new MemoryPeer();
    const fresh = new MemoryPeer();
    registry.register(old, { id: 'a' });
    registry.register(old, { id: 'b' });
    registry.register(old, { id: 'c' });
    registry.register(fresh, { id: 'b' }); // reconnected worker re-registered before the old cleanup ran
    expect(registry.removeOwnedBy(old)).toEqual(['a', 'c']);
    expect(registry.list().map((f) => [f.id, f.owner])).toEqual([['b', fresh]]);
    expect(registry.idsOwnedBy(fresh)).toEqual(['b']);
  });
});
