import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineLog } from '../EngineLogger';

/**
 * The engine's HTTP port for `http` triggers (upstream `iii-http`, default 127.0.0.1:3111): a plain
 * HTTP/1.1 server handing each request to `handler`, with at most `maxConcurrentRequests` in flight (the
 * rest wait their turn, as upstream's concurrency limit makes them).
 *
 * @example
 * ```ts
 * const listener = await HttpListener.start('127.0.0.1', 0, (req, res) => http.handle(req, res), log, 1024);
 * listener.url; // 'http://127.0.0.1:41873'
 * await listener.close();
 * ```
 */
export class HttpListener {
  /** `http://host:port` of the listener. */
  readonly url: string;
  /** The bound port (useful with port 0). */
  readonly port: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    host: string,
    private readonly handler: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly maxConcurrentRequests: number,
  ) {
    this.port = (server.address() as AddressInfo).port;
    const shown = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shown}:${this.port}`;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.admit(req, res));
  }

  /** Binds `host:port`; rejects if it cannot. */
  static async start(
    host: string,
    port: number,
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    log: EngineLog,
    maxConcurrentRequests = 1024,
  ): Promise<HttpListener> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => log.error('http trigger listener error', { error: err.message }));
    server.on('clientError', (err, socket) => {
      log.debug('http client error', { error: err.message });
      socket.destroy();
    });
    const listener = new HttpListener(server, host, handler, maxConcurrentRequests);
    log.info('http triggers listening', { url: listener.url });
    return listener;
  }

  /** Requests being handled now. */
  get inFlight(): number {
    return this.active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Stops listening and drops every connection. Idempotent. */
  close(): Promise<void> {
    this.waiting.length = 0;
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private admit(req: IncomingMessage, res: ServerResponse): void {
    const run = () => {
      this.active++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.active--;
        this.waiting.shift()?.();
      };
      res.on('close', release);
      this.handler(req, res);
    };
    if (this.active < this.maxConcurrentRequests) run();
    else this.waiting.push(run);
  }
}
