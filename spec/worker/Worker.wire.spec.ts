import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Worker } from '../../lib/worker/Worker';
import { FakeSocket } from '../connection/FakeSocket';
import { InvocationError } from '../../lib/errors/InvocationError';
import { AuthError } from '../../lib/errors/AuthError';
import { errorOf } from './workerTestKit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A worker over a scripted socket, to check the exact frames it puts on the wire. */
async function wiredWorker(options: ConstructorParameters<typeof Worker>[1] = {}) {
  let socket!: FakeSocket;
  const logged: string[] = [];
  const worker = new Worker('ws://engine.test', {
    workerName: 'wire',
    logger: { error: (m) => logged.push(m), warn: (m) => logged.push(m) },
    ...options,
    socketFactory: (url) => (socket = new FakeSocket(url)),
  });
  socket.open();
  socket.receive({ type: 'workerregistered', worker_id: '5b0f2c1e-8a47-4c1d-9f21-0c6e3a9d7b10' });
  return { worker, socket, logged };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Worker wire frames (scripted socket)', () => {
  it('always sends the keys a real engine requires', async () => {
    const { worker, socket } = await wiredWorker();
    try {
      socket.sent.length = 0;
      worker.registerFunction('f::one', () => 1, { description: 'one', metadata: { team: 'a' } });
      worker.registerTriggerType('tt', undefined as unknown as string, { registerTrigger: () => undefined, unregisterTrigger: () => undefined });
      worker.registerTrigger({ type: 'tt', functionId: 'f::one' });
      const call = worker.trigger('f::two').subscribe({ error: () => undefined });
      const frames = socket.frames();
      expect(frames[0]).toEqual({ type: 'registerfunction', id: 'f::one', description: 'one', metadata: { team: 'a' } });
      expect(frames[1]).toEqual({ type: 'registertriggertype', id: 'tt', description: '' });
      expect(frames[2]).toEqual({ type: 'registertrigger', id: expect.stringMatching(UUID), trigger_type: 'tt', function_id: 'f::one', config: null });
      expect(frames[3]).toEqual({ type: 'invokefunction', function_id: 'f::two', data: null, invocation_id: expect.stringMatching(UUID) });
      call.unsubscribe();
    } finally {
      await worker.close();
    }
  });

  it('answers with function_id, never a null stacktrace, and function_not_found for unknown ids', async () => {
    const { worker, socket } = await wiredWorker();
    try {
      worker.registerFunction('f::throws', () => {
        throw 'not an Error';
      });
      socket.sent.length = 0;
      socket.receive({ type: 'invokefunction', invocation_id: '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa', function_id: 'f::throws', data: {} });
      socket.receive({ type: 'invokefunction', invocation_id: '1d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa', function_id: 'f::nope', data: {} });
      await tick();
      const frames = socket.frames();
      expect(frames).toContainEqual({
        type: 'invocationresult',
        invocation_id: '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa',
        function_id: 'f::throws',
        error: { code: 'invocation_failed', message: 'not an Error' },
      });
      expect(frames).toContainEqual({
        type: 'invocationresult',
        invocation_id: '1d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa',
        function_id: 'f::nope',
        error: { code: 'function_not_found', message: 'Function not found' },
      });
    } finally {
      await worker.close();
    }
  });

  it('sends the metadata call last on open, as a void call', async () => {
    let socket!: FakeSocket;
    const worker = new Worker('ws://engine.test', {
      workerName: 'wire',
      socketFactory: (url) => (socket = new FakeSocket(url)),
    });
    worker.registerFunction('f::a', () => 1);
    socket.open();
    const frames = socket.frames();
    expect(frames.map((f) => f.type)).toEqual(['registerfunction', 'invokefunction']);
    expect(frames[1]).toMatchObject({
      function_id: 'engine::workers::register',
      action: { type: 'void' },
      data: { runtime: 'node', name: 'wire', pid: process.pid, telemetry: { framework: 'iii-rx' } },
    });
    expect(frames[1]).not.toHaveProperty('invocation_id');
    await worker.close();
  });

  it('a void call queued while disconnected completes when it is flushed', async () => {
    let socket!: FakeSocket;
    const worker = new Worker('ws://engine.test', { socketFactory: (url) => (socket = new FakeSocket(url)) });
    const done = lastValueFrom(worker.trigger('f::later', 1, { action: 'void' }).pipe(toArray()));
    socket.open();
    expect(await done).toEqual([]);
    expect(socket.frames().some((f) => f.function_id === 'f::later' && !('invocation_id' in f))).toBe(true);
    await worker.close();
  });

  it('matches results by id and treats a non-ErrorBody error as UNKNOWN', async () => {
    const { worker, socket } = await wiredWorker();
    try {
      const result = firstValueFrom(worker.trigger('f::x', 1)).catch((e: InvocationError) => e);
      const id = socket.frames().at(-1)?.invocation_id as string;
      socket.receive({ type: 'invocationresult', invocation_id: '2d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa', function_id: 'f::x', result: 'not mine' });
      socket.receive({ type: 'invocationresult', invocation_id: id, function_id: 'f::x', error: 'plain' });
      const err = (await result) as InvocationError;
      expect(err.code).toBe('UNKNOWN');
      expect(err.message).toBe('UNKNOWN: "plain"');
    } finally {
      await worker.close();
    }
  });

  it('logs engine error frames and registration rejections', async () => {
    const { worker, socket, logged } = await wiredWorker();
    try {
      socket.receive({ type: 'error', error: { code: 'ENGINE_SAID_NO', message: 'no' } });
      socket.receive({ type: 'registrationrejected', code: 'FUNCTION_NAMESPACE_CONFLICT' });
      expect(worker.state).toBe('open'); // only AUTH_ERROR closes the worker
      expect(logged.some((m) => /engine reported an error/.test(m))).toBe(true);
      expect(logged.some((m) => /FUNCTION_NAMESPACE_CONFLICT/.test(m))).toBe(true);
    } finally {
      await worker.close();
    }
  });

  it('AUTH_ERROR closes it for good with AuthError: calls fail with it, the socket is closed, nothing reconnects', async () => {
    const sockets: FakeSocket[] = [];
    const errors: string[] = [];
    const worker = new Worker('ws://engine.test', {
      logger: { error: (m) => errors.push(m) },
      reconnect: { initialDelayMs: 1, maxDelayMs: 1 },
      socketFactory: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
    });
    sockets[0].open();
    const sent = errorOf(worker.trigger('f::x', 1));
    sockets[0].receive({ type: 'error', error: { code: 'AUTH_ERROR', message: 'token not valid' } });
    expect(worker.state).toBe('closed');
    expect(worker.closeError).toBeInstanceOf(AuthError);
    expect(worker.closeError?.message).toMatch(/token not valid/);
    expect(await sent).toBe(worker.closeError);
    expect(await errorOf(worker.trigger('f::y', 1))).toBe(worker.closeError);
    expect(sockets[0].closedByClient).toBe(true);
    expect(errors).toContainEqual(expect.stringMatching(/refused this worker: token not valid; not reconnecting/));
    // the connection's lifecycle has ended (state$ completed): no socket can be opened any more
    expect(await lastValueFrom(worker.state$.pipe(toArray()))).toEqual(['closed']);
    expect(sockets).toHaveLength(1);
    await worker.close();
  });

  it('opens every later socket with reattach (the previous id and token), then its registrations', async () => {
    const sockets: FakeSocket[] = [];
    const worker = new Worker('ws://engine.test', {
      reconnect: { initialDelayMs: 1, maxDelayMs: 1 },
      socketFactory: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
    });
    worker.registerFunction('f::a', () => 1);
    sockets[0].open();
    expect(sockets[0].frames()[0]).toMatchObject({ type: 'registerfunction' }); // no reattach on the first socket
    sockets[0].receive({ type: 'workerregistered', worker_id: 'w-1', reattach_token: 't-1' });
    expect(worker.workerId).toBe('w-1');
    sockets[0].drop();
    expect(worker.workerId).toBeUndefined();
    await until(() => sockets.length === 2);
    sockets[1].open();
    const frames = sockets[1].frames();
    expect(frames[0]).toEqual({ type: 'reattach', previous_worker_id: 'w-1', reattach_token: 't-1' });
    expect(frames.map((f) => f.type)).toEqual(['reattach', 'registerfunction', 'invokefunction']);
    await worker.close();
  });

  it('refuses calls beyond maxPendingCalls and beyond the send queue with typed errors', async () => {
    let socket!: FakeSocket;
    const worker = new Worker('ws://engine.test', {
      maxPendingCalls: 2,
      maxQueuedFrames: 4,
      socketFactory: (url) => (socket = new FakeSocket(url)), // never opens: calls queue up
    });
    const errors: Array<{ code?: string }> = [];
    const onError = { error: (e: { code?: string }) => errors.push(e) };
    const subs = [1, 2, 3].map((n) => worker.trigger('f::q', n).subscribe(onError));
    expect(errors.map((e) => e.code)).toEqual(['PENDING_LIMIT']); // 3 finds the table full
    expect(worker.pendingCalls).toBe(2);
    // void calls wait for no result but still need a queue slot: 2 more fit, the next is refused
    subs.push(...[4, 5, 6].map((n) => worker.trigger('f::v', n, { action: 'void' }).subscribe(onError)));
    expect(errors.map((e) => e.code)).toEqual(['PENDING_LIMIT', 'SEND_QUEUE_FULL']);
    subs.forEach((s) => s.unsubscribe());
    expect(worker.pendingCalls).toBe(0);
    expect(socket.sent).toEqual([]);
    await worker.close();
  });
});

/** Polls a condition on the event loop (no fixed sleeps); the jest timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
