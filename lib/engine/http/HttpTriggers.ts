import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebSocket } from 'ws';
import type { EngineCaller } from '../EngineCaller';
import type { EngineLog } from '../EngineLogger';
import { isW3cTraceparent, mintTraceparent } from '../traceContext';
import type { BuiltinTriggerProvider, TriggerBinding } from '../TriggerRegistry';
import { httpRequestInput, HttpRequestInput } from './httpRequestInput';
import { HttpRoute } from './HttpRoute';
import { HttpRouteTable, HttpTriggerConfig } from './HttpRouteTable';
import { HttpReply, responseHeaders, returnedResponse } from './returnedResponse';

/** Id of the http trigger type. */
export const HTTP_TRIGGER_TYPE = 'http';

/** Largest frame the engine writes into a `request_body` channel. */
const BODY_FRAME_BYTES = 64 * 1024;

/** How the http module gets channels: a new channel's id and key, and a socket to one of its ends. */
export interface EngineChannelEnds {
  create(): { channelId: string; accessKey: string };
  open(channelId: string, accessKey: string, dir: 'read' | 'write'): WebSocket;
}

/** Limits of the http module. */
export interface HttpTriggersOptions {
  /** No response head within this time ⇒ 504. Default 30 000 ms (`default_timeout` upstream). */
  timeoutMs: number;
  /**
   * Request bodies larger than this are answered 413 (an embedded-only safety cap, with a warning;
   * upstream has no limit). Default 64 MiB.
   */
  maxBodyBytes: number;
}

/** One request on its way: the parts the reply logic shares. */
interface Exchange {
  res: ServerResponse;
  headSent: boolean;
  finished: boolean;
  status: number;
  headers: Record<string, string>;
  /** The function returned nothing: the response channel decides. */
  channelMode: boolean;
  /** The engine's reader of the response channel ended. */
  channelEnded: boolean;
  reader?: WebSocket;
  timer?: NodeJS.Timeout;
}

/**
 * The in-engine provider of trigger type `http` and the request logic behind the http listener
 * (PROTOCOL.md §11.1): routes from `{api_path, http_method?, condition_function_id?,
 * middleware_function_ids?}`; each request runs the middleware, the condition, then the function with the
 * request, a `request_body` reader ref (the raw body) and a `response` writer ref. The reply is whichever
 * comes first: the returned `{status_code, headers, body}`, or the response channel (`set_status` /
 * `set_headers` text messages, then binary body frames). 404, 405, 422, 500 (with `error_id`) and 504 as
 * the real engine answers them.
 *
 * @example
 * ```ts
 * const http = new HttpTriggers(call, ends, log, { timeoutMs: 30_000, maxBodyBytes: 64 << 20 });
 * core.triggers.registerBuiltinType(HTTP_TRIGGER_TYPE, 'HTTP route', http);
 * server.on('request', (req, res) => http.handle(req, res));
 * ```
 */
export class HttpTriggers implements BuiltinTriggerProvider {
  /** The upstream module this stands in for (its `worker_name`). */
  readonly module = 'iii-http';
  readonly routes = new HttpRouteTable();
  private readonly sockets = new Set<WebSocket>();
  private closed = false;

  constructor(
    private readonly call: EngineCaller,
    private readonly ends: EngineChannelEnds,
    private readonly log: EngineLog,
    private readonly options: HttpTriggersOptions,
  ) {}

  register(binding: TriggerBinding): string | undefined {
    const config = (binding.config ?? {}) as Partial<HttpTriggerConfig>;
    if (typeof config !== 'object' || typeof config.api_path !== 'string' || config.api_path === '') {
      return 'api_path is required for http triggers';
    }
    const middleware = config.middleware_function_ids;
    if (middleware != null && !(Array.isArray(middleware) && middleware.every((id) => typeof id === 'string'))) {
      return 'middleware_function_ids must be an array of function ids';
    }
    const method = typeof config.http_method === 'string' ? config.http_method : undefined;
    const route = HttpRoute.parse(method, config.api_path);
    const refusal = this.routes.add({
      route,
      triggerId: binding.id,
      functionId: binding.function_id,
      config: config as HttpTriggerConfig,
      metadata: binding.metadata,
    });
    if (refusal !== undefined) return refusal;
    if (!route.served) {
      this.log.warn('http route registered with a method the listener never serves', { id: binding.id, method: route.method });
    }
    this.log.info('http route registered', { id: binding.id, route: route.key, function_id: binding.function_id });
    return undefined;
  }

  unregister(binding: TriggerBinding): void {
    if (this.routes.remove(binding.id)) this.log.info('http route removed', { id: binding.id });
  }

  /** Terminates the engine's own channel sockets (engine shutdown). */
  close(): void {
    this.closed = true;
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
  }

  /** Answers one HTTP request. Never throws. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const rawPath = url.split('?')[0];
    const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
    const lookup = this.routes.find((req.method ?? 'GET').toUpperCase(), path);
    if (lookup.kind === 'not_found') {
      sendReply(res, json(404, { error: { code: 'NOT_FOUND', message: 'Not Found' } }));
      req.resume();
      return;
    }
    if (lookup.kind === 'method_not_allowed') {
      sendReply(res, { status: 405, headers: {}, body: Buffer.alloc(0) });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > this.options.maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        this.log.warn('http request body over the embedded engine cap: answered 413 (the real engine has no limit)', {
          route: lookup.entry.route.key,
          max_body_bytes: this.options.maxBodyBytes,
        });
        sendReply(res, json(413, { error: { code: 'PAYLOAD_TOO_LARGE', message: `request body over ${this.options.maxBodyBytes} bytes` } }), true);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => this.log.debug('http request error', { error: err.message }));
    req.on('end', () => {
      if (refused) return;
      const body = Buffer.concat(chunks);
      const input = httpRequestInput(req, body, lookup.entry.route.path, lookup.params);
      this.serve(req, res, lookup.entry.functionId, lookup.entry.config, lookup.entry.metadata, input, body).catch((err) => {
        this.log.error('http request handling failed', { route: lookup.entry.route.key, error: err instanceof Error ? err.stack : String(err) });
        if (!res.headersSent) sendReply(res, json(500, { error: { code: 'internal_error', message: 'the engine failed to handle the request' } }));
        else res.destroy();
      });
    });
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    functionId: string,
    config: HttpTriggerConfig,
    metadata: unknown,
    request: HttpRequestInput,
    rawBody: Buffer,
  ): Promise<void> {
    const traceparent = childTraceparent(req.headers.traceparent);
    const ex: Exchange = { res, headSent: false, finished: false, status: 200, headers: {}, channelMode: false, channelEnded: false };
    ex.timer = setTimeout(() => {
      if (ex.headSent || ex.finished) return;
      this.log.warn('http function gave no response head in time: 504', { function_id: functionId, timeout_ms: this.options.timeoutMs });
      this.finish(ex, { status: 504, headers: {}, body: Buffer.alloc(0) });
    }, this.options.timeoutMs);
    res.on('close', () => this.cleanup(ex));

    for (const middleware of config.middleware_function_ids ?? []) {
      const outcome = await this.call(middleware, { phase: 'preHandler', request, context: {} }, { traceparent });
      if (ex.finished) return;
      if ('error' in outcome) {
        this.fail(ex, middleware, outcome);
        return;
      }
      const r = outcome.result as { action?: unknown; response?: unknown } | null | undefined;
      if (r && typeof r === 'object' && r.action === 'respond') {
        this.replyReturned(ex, r.response, middleware);
        return;
      }
    }
    if (typeof config.condition_function_id === 'string' && config.condition_function_id !== '') {
      const outcome = await this.call(config.condition_function_id, request, { metadata, traceparent });
      if (ex.finished) return;
      if ('error' in outcome) {
        this.fail(ex, config.condition_function_id, outcome);
        return;
      }
      if (outcome.result === false) {
        this.finish(ex, json(422, { error: { code: 'CONDITION_NOT_MET', message: 'Request condition not met' }, skipped: true }));
        return;
      }
    }

    const bodyChannel = this.ends.create();
    const responseChannel = this.ends.create();
    this.writeBody(bodyChannel, rawBody, request.body !== null);
    this.readResponse(ex, responseChannel);
    const input = {
      ...request,
      request_body: { channel_id: bodyChannel.channelId, access_key: bodyChannel.accessKey, direction: 'read' },
      response: { channel_id: responseChannel.channelId, access_key: responseChannel.accessKey, direction: 'write' },
    };
    const outcome = await this.call(functionId, input, { metadata, traceparent });
    if (ex.finished) return;
    if ('error' in outcome) {
      if (ex.headSent) {
        this.log.warn('http function failed after its response head was sent: connection dropped', { function_id: functionId });
        ex.finished = true;
        res.destroy();
        this.cleanup(ex);
      } else {
        this.fail(ex, functionId, outcome);
      }
      return;
    }
    if (ex.headSent) return; // the response channel came first
    if (outcome.result === undefined || outcome.result === null) {
      ex.channelMode = true;
      if (ex.channelEnded) this.endChannelReply(ex);
      return;
    }
    this.replyReturned(ex, outcome.result, functionId);
  }

  private replyReturned(ex: Exchange, value: unknown, functionId: string): void {
    const reply = returnedResponse(value);
    if (!reply) {
      this.fail(ex, functionId, { error: { code: 'invalid_response', message: 'status_code must be an integer 100..599' } });
      return;
    }
    this.finish(ex, reply);
  }

  private fail(ex: Exchange, functionId: string, outcome: { error: { code: string; message: string } }): void {
    const errorId = randomBytes(8).toString('hex');
    this.log.warn('http function failed: 500', { function_id: functionId, error_id: errorId, error: outcome.error });
    this.finish(ex, json(500, { error: { code: outcome.error.code, message: outcome.error.message, error_id: errorId } }));
  }

  /** Sends a whole reply unless the head already went out. */
  private finish(ex: Exchange, reply: HttpReply): void {
    if (ex.finished || ex.headSent) return;
    ex.finished = true;
    ex.headSent = true;
    sendReply(ex.res, reply);
    this.cleanup(ex);
  }

  private cleanup(ex: Exchange): void {
    if (ex.timer) clearTimeout(ex.timer);
    ex.timer = undefined;
    const reader = ex.reader;
    ex.reader = undefined;
    if (reader && reader.readyState !== WebSocket.CLOSED) reader.terminate();
  }

  /** The engine writes the raw body into the `request_body` channel (JSON as one frame) and closes it. */
  private writeBody(channel: { channelId: string; accessKey: string }, body: Buffer, oneFrame: boolean): void {
    if (this.closed) return;
    const ws = this.track(this.ends.open(channel.channelId, channel.accessKey, 'write'));
    ws.on('open', () => {
      const step = oneFrame ? Math.max(body.length, 1) : BODY_FRAME_BYTES;
      for (let at = 0; at < body.length; at += step) ws.send(body.subarray(at, at + step), { binary: true });
      ws.close(1000, 'stream_complete');
    });
  }

  /** The engine reads the `response` channel: text control messages, then binary body frames. */
  private readResponse(ex: Exchange, channel: { channelId: string; accessKey: string }): void {
    if (this.closed) return;
    const ws = this.track(this.ends.open(channel.channelId, channel.accessKey, 'read'));
    ex.reader = ws;
    ws.on('message', (data, isBinary) => {
      if (ex.finished && !ex.channelMode) return; // answered from the returned value
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (!isBinary) {
        this.control(ex, bytes.toString('utf8'));
        return;
      }
      if (!ex.headSent) this.sendHead(ex);
      if (!ex.res.write(bytes)) {
        ws.pause();
        ex.res.once('drain', () => ws.resume());
      }
    });
    ws.on('close', () => {
      ex.channelEnded = true;
      if (ex.reader === ws) ex.reader = undefined;
      if (ex.headSent && ex.channelMode && !ex.finished) {
        ex.finished = true;
        ex.res.end();
        this.cleanup(ex);
      } else if (ex.channelMode && !ex.headSent) {
        this.endChannelReply(ex);
      }
    });
  }

  /** The response channel ended before any body byte: the head (and an empty body) goes out now. */
  private endChannelReply(ex: Exchange): void {
    if (ex.finished) return;
    this.sendHead(ex);
    ex.finished = true;
    ex.res.end();
    this.cleanup(ex);
  }

  private sendHead(ex: Exchange): void {
    ex.headSent = true;
    ex.channelMode = true;
    if (ex.timer) clearTimeout(ex.timer);
    try {
      ex.res.writeHead(ex.status, ex.headers);
    } catch (err) {
      this.log.warn('http response head from the channel is invalid: 500', { error: (err as Error).message });
      ex.res.writeHead(500, { 'content-type': 'application/json' });
    }
  }

  private control(ex: Exchange, text: string): void {
    let message: { type?: unknown; status_code?: unknown; headers?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      this.log.debug('http response channel: ignored a text message that is not JSON');
      return;
    }
    if (ex.headSent) {
      this.log.warn('http response channel: control message after the head was sent is ignored', { type: String(message.type) });
      return;
    }
    if (message.type === 'set_status' && Number.isInteger(message.status_code)) {
      const code = message.status_code as number;
      if (code >= 100 && code <= 599) ex.status = code;
    } else if (message.type === 'set_headers') {
      ex.headers = { ...ex.headers, ...responseHeaders(message.headers) };
    }
  }

  private track(ws: WebSocket): WebSocket {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', (err) => this.log.debug('http channel socket error', { error: err.message }));
    return ws;
  }
}

function json(status: number, body: unknown): HttpReply {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body), 'utf8') };
}

function sendReply(res: ServerResponse, reply: HttpReply, close = false): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { ...reply.headers, 'content-length': reply.body.length };
  if (close) headers.connection = 'close';
  try {
    res.writeHead(reply.status, headers);
  } catch {
    res.writeHead(500, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
    return;
  }
  res.end(reply.body);
}

/** A child of the incoming `traceparent` header when it parses, else a fresh one (PROTOCOL.md §10.6). */
function childTraceparent(header: string | string[] | undefined): string {
  const value = (Array.isArray(header) ? header[header.length - 1] : header)?.trim();
  if (!isW3cTraceparent(value)) return mintTraceparent();
  const [, traceId, , flags] = value.split('-');
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}
