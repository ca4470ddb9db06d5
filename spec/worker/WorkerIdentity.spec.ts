import { WorkerIdentity } from '../../lib/worker/WorkerIdentity';

describe('WorkerIdentity', () => {
  it('opens the first socket without reattach, and every later one with the last id and token', () => {
    const identity = new WorkerIdentity();
    expect(identity.reattach()).toEqual([]);
    expect(identity.workerId).toBeUndefined();
    identity.registered({ type: 'workerregistered', worker_id: 'w-1', reattach_token: 't-1' });
    expect(identity.workerId).toBe('w-1');
    identity.lost();
    expect(identity.workerId).toBeUndefined();
    expect(identity.reattach()).toEqual([{ type: 'reattach', previous_worker_id: 'w-1', reattach_token: 't-1' }]);
    // an engine that gives no token: reattach with the id alone
    identity.registered({ type: 'workerregistered', worker_id: 'w-2', reattach_token: null });
    expect(identity.reattach()).toEqual([{ type: 'reattach', previous_worker_id: 'w-2' }]);
  });
});
