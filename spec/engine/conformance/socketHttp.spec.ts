import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { RawClient } from '../support/RawClient';
import { ConformanceTarget, EXTERNAL_URL, openChannel, startTarget, worker } from './support/conformanceTarget';

/** A plain HTTP GET with chosen headers: status, body and content type. */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; body: string; contentType?: string }>((resolve, reject) => {
    const req = http.request(`${url.replace(/^ws:/, 'http:')}${path}`, { method, headers, agent: false });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] }));
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('upgraded'));
    });
    req.on('error', reject);
    req.end();
  });
}

const upgradeHeaders = (extra: Record<string, string> = {}) => ({
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
  ...extra,
});

/** PROTOCOL.md §10.7: socket and HTTP details of the real engine. */
describe('§10.7 socket and HTTP details', () => {
  let target: ConformanceTarget;
  beforeAll(async () => {
    // the upgrade deadline is 10 s upstream; the embedded target shortens it (the rule is what happens, not when)
    target = await startTarget({ upgradeTimeoutMs: 500 });
  });
  afterEach(() => target.release());
  afterAll(() => target.close());

  it('§10.7 a worker socket that sends Close is not answered: TCP is dropped (1006)', async () => {
    const { client } = await worker(target);
    client.ws.close(1000);
    expect((await client.closed).code).toBe(1006);
  });

  it('§10.7 an /otel socket that sends Close is not answered: TCP is dropped (1006)', async () => {
    const otel = target.track(await RawClient.open(`${target.url}/otel`));
    otel.ws.close(1000);
    expect((await otel.closed).code).toBe(1006);
  });

  /** Pongs carrying `a` received before the pong of a later ping `b`. */
  const pongsBefore = async (client: RawClient) => {
    const seen: string[] = [];
    const done = new Promise<void>((resolve) =>
      client.ws.on('pong', (data) => {
        seen.push(data.toString());
        if (data.toString() === 'b') resolve();
      }),
    );
    client.ws.ping('a');
    client.ws.ping('b');
    await done;
    return seen.filter((p) => p === 'a').length;
  };

  it('§10.7 WebSocket ping: two pongs on /, one on /otel and on a channel writer', async () => {
    const { client } = await worker(target);
    expect(await pongsBefore(client)).toBe(2);
    const otel = target.track(await RawClient.open(`${target.url}/otel`));
    expect(await pongsBefore(otel)).toBe(1);
    const control = await worker(target);
    const { w } = await openChannel(target, control.client);
    expect(await pongsBefore(w)).toBe(1);
  });

  it("§10.7 Sec-WebSocket-Version 8: 400 `Sec-WebSocket-Version` header did not include '13'", async () => {
    const res = await get(target.url, '/', upgradeHeaders({ 'Sec-WebSocket-Version': '8' }));
    expect([res.status, res.body]).toEqual([400, "`Sec-WebSocket-Version` header did not include '13'"]);
  });

  it("§10.7 no upgrade headers: 400 Connection header did not include 'upgrade'; no key: 400 `Sec-WebSocket-Key` header missing", async () => {
    const plain = await get(target.url, '/');
    expect([plain.status, plain.body]).toEqual([400, "Connection header did not include 'upgrade'"]);
    const headers: Record<string, string> = upgradeHeaders();
    delete headers['Sec-WebSocket-Key'];
    const noKey = await get(target.url, '/', headers);
    expect([noKey.status, noKey.body]).toEqual([400, '`Sec-WebSocket-Key` header missing']);
  });

  it('§10.7 a repeated dir or key on a channel URL: 400 Failed to deserialize query string: duplicate field', async () => {
    const id = randomUUID();
    const dir = await get(target.url, `/ws/channels/${id}?key=k&dir=read&dir=write`, upgradeHeaders());
    expect([dir.status, dir.body]).toEqual([400, 'Failed to deserialize query string: duplicate field `dir`']);
    const key = await get(target.url, `/ws/channels/${id}?key=k&key=j&dir=read`, upgradeHeaders());
    expect([key.status, key.body]).toEqual([400, 'Failed to deserialize query string: duplicate field `key`']);
  });

  it('§10.7 unknown path and /ws/channels/: 404; non-GET on a socket path: 405; empty body and no Content-Type', async () => {
    for (const [path, method, status] of [
      ['/nope', 'GET', 404],
      ['/ws/channels/', 'GET', 404],
      ['/', 'POST', 405],
      ['/otel', 'PUT', 405],
    ] as const) {
      const res = await get(target.url, path, {}, method);
      expect({ path, method, status: res.status, body: res.body, contentType: res.contentType }).toEqual({ path, method, status, body: '', contentType: undefined });
    }
    const upgrade = await get(target.url, '/nope', upgradeHeaders());
    expect([upgrade.status, upgrade.body, upgrade.contentType]).toEqual([404, '', undefined]);
  });

  it('§10.7 upgrade headers unfinished in time: TCP closed without any response', async () => {
    const { hostname, port } = new URL(target.url);
    const socket = net.connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
    let reply = '';
    socket.on('data', (c) => (reply += c.toString()));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(reply).toBe('');
  }, EXTERNAL_URL ? 20_000 : 5_000);
});
