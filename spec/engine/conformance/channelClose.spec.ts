import { ConformanceTarget, expectParityWarning, openChannel, startTarget, worker } from './support/conformanceTarget';

/**
 * PROTOCOL.md §10.3: the real engine never reads a channel reader socket, and it ends every reader with a Close
 * without status, whether the writer finished cleanly or not.
 */
describe('§10.3 channel close semantics', () => {
  let target: ConformanceTarget;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterEach(() => target.release());
  afterAll(() => target.close());

  it('§10.3 reader closes first: its Close is never answered and items keep flowing to it', async () => {
    const control = await worker(target);
    const { r, w } = await openChannel(target, control.client);
    await w.send('one');
    await r.nextMessage();
    const before = target.logs.length;
    r.ws.close(1000, 'done reading');
    // an answered Close would end the stream here; instead the next item still arrives, and the socket stays CLOSING
    await w.send('two');
    expect((await r.nextMessage()).data.toString()).toBe('two');
    expect(r.ws.readyState).toBe(r.ws.CLOSING);
    expectParityWarning(target, { socket: 'channel reader', field: 'close' }, before);
    // the writer learned nothing
    expect(w.ws.readyState).toBe(w.ws.OPEN);
  });

  it('§10.3 reader closes first: its pings are not answered either', async () => {
    const control = await worker(target);
    const { r, w } = await openChannel(target, control.client);
    let pongs = 0;
    r.ws.on('pong', () => pongs++);
    r.ws.ping();
    for (const item of ['a', 'b', 'c']) {
      await w.send(item);
      await r.nextMessage();
    }
    expect(pongs).toBe(0);
  });

  const abnormal: Array<[string, (ws: import('ws').WebSocket) => void, boolean]> = [
    ['terminated (no close frame)', (ws) => ws.terminate(), true],
    ['closed with 1001', (ws) => ws.close(1001), true],
    ['closed with 4001', (ws) => ws.close(4001, 'app'), true],
    ['closed with 1011', (ws) => ws.close(1011, 'crash'), true],
    ['closed without a code', (ws) => ws.close(), false],
  ];
  it.each(abnormal)('§10.3 writer %s: the reader gets the queued items, then a close without status (1005)', async (_name, end, warns) => {
    const control = await worker(target);
    const { r, w } = await openChannel(target, control.client);
    await w.send('first');
    await w.send(Buffer.from([1, 2, 3]), true);
    await r.nextMessage();
    await r.nextMessage();
    const before = target.logs.length;
    end(w.ws);
    expect(await r.closed).toEqual({ code: 1005, reason: '' });
    expect(r.messages.map((m) => m.binary)).toEqual([false, true]);
    if (warns) expectParityWarning(target, { socket: 'channel writer', field: 'close' }, before);
  });

  it('§10.3 writer ends cleanly (close 1000): the reader gets everything, then a close without status (1005)', async () => {
    const control = await worker(target);
    const { r, w } = await openChannel(target, control.client);
    await w.send('only');
    await w.close();
    expect(await r.closed).toEqual({ code: 1005, reason: '' });
    expect(r.messages.map((m) => m.data.toString())).toEqual(['only']);
  });
});
