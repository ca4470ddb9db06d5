import http from 'node:http';
import WebSocket from 'ws';

/** One inbound message as the raw client saw it. */
export interface RawMessage {
  data: Buffer;
  binary: boolean;
}

/** How a raw socket ended. */
export interface RawClose {
  code: number;
  reason: string;
}

/**
 * A plain `ws` client for engine tests: records every inbound message in order and lets a test await
 * the next one matching a predicate. Speaks no protocol itself.
 */
export class RawClient {
  readonly messages: RawMessage[] = [];
  readonly closed: Promise<RawClose>;
  private waiters: Array<() => void> = [];
  private cursor = 0;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
    ws.on('message', (data, binary) => {
      this.messages.push({ data: data as Buffer, binary });
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  /** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
      const client = new RawClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          ws.terminate();
          reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body, headers: res.headers }));
        });
      });
      ws.once('error', (err) => reject(err));
    });
  }

  /** Sends a JSON frame (objects are stringified), a raw string, or bytes. */
  send(frame: unknown, binary = false): Promise<void> {
    const payload = typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame);
    return new Promise((resolve, reject) => this.ws.send(payload, { binary }, (err) => (err ? reject(err) : resolve())));
  }

  /** JSON frames received so far (text or binary), in order. */
  get frames(): Array<Record<string, unknown>> {
    return this.messages.map((m) => {
      try {
        return JSON.parse(m.data.toString());
      } catch {
        return { unparsable: m.data.toString() };
      }
    });
  }

  /** Resolves with the next message (after the previous `next*` result) matching `pred`. */
  async nextMessage(pred: (m: RawMessage) => boolean = () => true): Promise<RawMessage> {
    for (;;) {
      while (this.cursor < this.messages.length) {
        const m = this.messages[this.cursor++];
        if (pred(m)) return m;
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting for a message');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves with the next JSON frame matching `pred`. */
  async next(pred: (f: Record<string, any>) => boolean = () => true): Promise<Record<string, any>> {
    const m = await this.nextMessage((msg) => {
      try {
        return pred(JSON.parse(msg.data.toString()));
      } catch {
        return false;
      }
    });
    return JSON.parse(m.data.toString());
  }

  /** Sends a JSON `ping` and waits for the `pong`: every frame the engine sent before it has arrived. */
  async sync(): Promise<void> {
    await this.send({ type: 'ping' });
    await this.next((f) => f.type === 'pong');
  }

  /** Closes (or terminates) and waits for the close event. */
  async close(terminate = false): Promise<RawClose> {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      if (terminate) this.ws.terminate();
      else this.ws.close();
    }
    return this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Opens a worker socket and returns it with its `workerregistered` frame. */
export async function openWorker(url: string): Promise<{ client: RawClient; workerId: string; token: string }> {
  const client = await RawClient.open(url);
  const hello = await client.next();
  if (hello.type !== 'workerregistered') throw new Error(`first frame was ${JSON.stringify(hello)}`);
  return { client, workerId: hello.worker_id, token: hello.reattach_token };
}

/** Sends a plain HTTP request (no keep-alive) and returns status and body. */
export function httpRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url.replace(/^ws:/, 'http:'), { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `cond` until it holds (the test's own timeout bounds the wait). */
export async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 5));
}
