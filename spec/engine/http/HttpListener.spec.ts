import type { ServerResponse } from 'node:http';
import { toEngineLog } from '../../../lib/engine/EngineLogger';
import { HttpListener } from '../../../lib/engine/http/HttpListener';
import { eventually, httpCall } from '../support/httpCall';

describe('HttpListener', () => {
  it('handles at most maxConcurrentRequests at once; the next request waits for a slot', async () => {
    const held: ServerResponse[] = [];
    const order: string[] = [];
    const listener = await HttpListener.start(
      '127.0.0.1',
      0,
      (req, res) => {
        order.push(req.url as string);
        held.push(res);
      },
      toEngineLog(undefined),
      1,
    );
    try {
      expect(listener.url).toBe(`http://127.0.0.1:${listener.port}`);
      const first = httpCall(`${listener.url}/first`);
      await eventually(() => order.length === 1);
      const second = httpCall(`${listener.url}/second`);
      await eventually(() => listener.queued === 1);
      expect([listener.inFlight, order]).toEqual([1, ['/first']]);
      held[0].end('one');
      await eventually(() => order.length === 2);
      held[1].end('two');
      expect([(await first).text, (await second).text]).toEqual(['one', 'two']);
      expect(order).toEqual(['/first', '/second']);
    } finally {
      await listener.close();
    }
  });

  it('refuses to start on a port in use', async () => {
    const taken = await HttpListener.start('127.0.0.1', 0, (_req, res) => res.end(), toEngineLog(undefined));
    try {
      await expect(HttpListener.start('127.0.0.1', taken.port, (_req, res) => res.end(), toEngineLog(undefined))).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await taken.close();
    }
  });
});
