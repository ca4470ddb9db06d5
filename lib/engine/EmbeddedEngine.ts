import { createServer, IncomingMessage, Server, ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { PROTOCOL } from '../protocol/constants';
import { ChannelBroker } from './ChannelBroker';
import type { ConnectedWorker } from './ConnectedWorker';
import { EngineCore } from './EngineCore';
import { EngineLog, toEngineLog } from './EngineLogger';
import type { EngineOptions } from './EngineOptions';
import type { EngineStats } from './EngineStats';
import { parseEngineRoute } from './parseEngineRoute';
import { tokenMatches } from './tokenMatches';
import type { ForwardedCallListener } from './ForwardedCall';
import type { EngineTriggerModules } from './EngineTriggerModules';
import { TriggerModules } from './TriggerModules';
import { dropInsteadOfClosing, refusedMessageBytes } from './dropInsteadOfClosing';
import { ignoreReaderInput } from './ignoreReaderInput';
import { readWriterFrames } from './readWriterFrames';
import { FramePool } from './FramePool';
import { checkUpgradeHeaders } from './checkUpgradeHeaders';
import { warnParity } from './warnParity';
import { WorkerConnection } from './WorkerConnection';
import { DEFAULT_REGISTRATION_LIMITS } from './RegistrationLimits';

const DEFAULTS = {
  port: PROTOCOL.workerPort,
  host: '127.0.0.1',
  maxPayloadBytes: PROTOCOL.maxFrameBytes,
  // a second bound behind maxOutboundBytes: at 64 frames (the real engine's queue length, PROTOCOL.md §9.1)
  // a burst of small calls to a callee that reads, but lags, was refused while using a few KiB
  outboundQueueFrames: 16_384,
  socketHighWaterBytes: 1024 * 1024,
  maxOutboundBytes: 32 * 1024 * 1024,
  outboundStallMs: 30_000,
  channelTtlMs: PROTOCOL.channelTtlMs,
  channelSweepMs: PROTOCOL.channelSweepMs,
  channelReaderHighWaterBytes: 256 * 1024,
  channelReaderMaxInFlight: 8,
  channelMaxQueuedBytes: 64 * 1024 * 1024,
  channelMaxQueuedBytesPerWorker: 64 * 1024 * 1024,
  channelMaxQueuedBytesTotal: 256 * 1024 * 1024,
  maxChannels: 16_384,
  ...DEFAULT_REGISTRATION_LIMITS,
  maxPendingInvocations: 100_000,
  upgradeTimeoutMs: PROTOCOL.upgradeDeadlineMs,
  maxChannelsPerWorker: 1024,
  maxPendingPerWorker: 20_000,
  channelReportWriterLoss: false,
  channelAnswerReaderClose: false,
  channelRelayFrameBytes: Infinity,
  channelFramePoolBytes: 32 * 1024 * 1024,
  lenient: false,
};

type ResolvedOptions = typeof DEFAULTS;

/**
 * A running iii-compatible engine on one HTTP listener: worker sockets on `/`, telemetry on `/otel`
 * (accepted, frames discarded) and channel sockets on `/ws/channels/{id}`. Create it with
 * {@link startEngine}; the official `iii-sdk` and iii-rx clients connect to {@link EmbeddedEngine.url}.
 *
 * @example
 * ```ts
 * const engine = await startEngine({ port: 0 });
 * const worker = registerWorker(engine.url, { otel: { enabled: false } });
 * // ...
 * await engine.close();
 * ```
 */
export class EmbeddedEngine {
  /** `ws://host:port` — pass it to workers as the engine address. */
  readonly url: string;
  /** The bound TCP port (useful with `port: 0`). */
  readonly port: number;
  /** The bound interface. */
  readonly host: string;
  private readonly workerSockets = new Map<WebSocket, WorkerConnection>();
  private readonly telemetrySockets = new Set<WebSocket>();
  private readonly channelSockets = new Set<WebSocket>();
  private telemetryFrames = 0;
  private refusedSockets = 0;
  private closing?: Promise<void>;
  private modules?: TriggerModules;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    private readonly core: EngineCore,
    private readonly broker: ChannelBroker,
    private readonly log: EngineLog,
    private readonly options: ResolvedOptions,
    private readonly token: string | undefined,
    private readonly framePool: FramePool | undefined,
  ) {
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.host = options.host;
    this.url = `ws://${urlHost(options.host)}:${address.port}`;
    server.on('request', (req, res) => this.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Duplex, head));
  }

  /** Starts listening; resolves once the port is bound. Prefer {@link startEngine}. */
  static async start(options: EngineOptions = {}): Promise<EmbeddedEngine> {
    if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) {
      throw new TypeError('engine token must be a non-empty string (omit it for an open engine)');
    }
    const resolved: ResolvedOptions = { ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS) as Array<keyof ResolvedOptions>) {
      const value = (options as Record<string, unknown>)[key];
      if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
    }
    const log = toEngineLog(options.logger);
    const server = createServer({
      headersTimeout: resolved.upgradeTimeoutMs,
      requestTimeout: resolved.upgradeTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, resolved.upgradeTimeoutMs),
    });
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: resolved.maxPayloadBytes,
      clientTracking: true,
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => log.error('http server error', { error: err.message }));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      log.debug('http client error', { error: err.message, code: err.code });
      // upgrade headers unfinished in time: TCP closed without any response, as upstream (PROTOCOL.md §10.7)
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        socket.destroy();
        return;
      }
      if (socket.writable) socket.end(`HTTP/1.1 ${err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400} ${err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'Request Timeout' : 'Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    });
    // the writer's large frames are assembled into reusable buffers (0: every frame assembled by `ws` alone)
    const framePool = resolved.channelFramePoolBytes > 0 ? new FramePool(resolved.channelFramePoolBytes) : undefined;
    const broker = new ChannelBroker(log, {
      ttlMs: resolved.channelTtlMs,
      sweepMs: resolved.channelSweepMs,
      readerLimits: {
        maxInFlight: resolved.channelReaderMaxInFlight,
        highWaterBytes: resolved.channelReaderHighWaterBytes,
        maxQueuedBytes: resolved.channelMaxQueuedBytes,
        reportWriterLoss: resolved.channelReportWriterLoss,
        stallTimeoutMs: resolved.outboundStallMs,
        framePool,
      },
      maxQueuedBytesPerWorker: resolved.channelMaxQueuedBytesPerWorker,
      maxQueuedBytesTotal: resolved.channelMaxQueuedBytesTotal,
    });
    broker.start();
    const core = new EngineCore(log, broker, {
      maxPendingInvocations: resolved.maxPendingInvocations,
      maxPendingPerWorker: resolved.maxPendingPerWorker,
      maxChannelsPerWorker: resolved.maxChannelsPerWorker,
      maxChannels: resolved.maxChannels,
      registrationLimits: {
        maxIdLength: resolved.maxIdLength,
        maxFunctionsPerWorker: resolved.maxFunctionsPerWorker,
        maxFunctions: resolved.maxFunctions,
        maxRegistrationBytesPerWorker: resolved.maxRegistrationBytesPerWorker,
        maxRegistrationBytes: resolved.maxRegistrationBytes,
        maxTriggersPerWorker: resolved.maxTriggersPerWorker,
        maxTriggers: resolved.maxTriggers,
        maxTriggerTypesPerWorker: resolved.maxTriggerTypesPerWorker,
      },
      lenient: resolved.lenient,
    });
    const engine = new EmbeddedEngine(server, wss, core, broker, log, resolved, options.token, framePool);
    try {
      engine.modules = await TriggerModules.start(core, log, options, engine.url);
    } catch (err) {
      await engine.close();
      throw err;
    }
    log.info('engine listening', { url: engine.url, auth: options.token !== undefined ? 'bearer token' : 'none' });
    return engine;
  }

  /** `http://host:port` of the http trigger listener; undefined when http is off. */
  get httpUrl(): string | undefined {
    return this.modules?.http?.url;
  }

  /** The engine's http, cron and queue trigger modules (for the testing entry and tools). */
  get triggerModules(): EngineTriggerModules | undefined {
    return this.modules;
  }

  /** Tells `listener` about every call the engine forwards to a worker; returns the function that stops it. */
  observeCalls(listener: ForwardedCallListener): () => void {
    return this.core.router.observeCalls(listener);
  }

  /** Counts of sockets, functions, calls and channels right now. */
  stats(): EngineStats {
    const core = this.core.stats();
    const channels = this.broker.stats();
    return {
      workers: this.workerSockets.size,
      telemetrySockets: this.telemetrySockets.size,
      channelSockets: this.channelSockets.size,
      telemetryFrames: this.telemetryFrames,
      refusedSockets: this.refusedSockets,
      functions: core.functions,
      pendingInvocations: core.pendingInvocations,
      triggerTypes: core.triggerTypes,
      triggers: core.triggers,
      channels: channels.channels,
      channelTombstones: channels.tombstones,
      channelQueuedMessages: channels.queuedMessages,
      channelQueuedBytes: channels.queuedBytes,
      framePoolIdleBytes: this.framePool?.idleBytes ?? 0,
      framePoolLentBytes: this.framePool?.lentBytes ?? 0,
      framePoolReused: this.framePool?.counters.reused ?? 0,
      framePoolAllocated: this.framePool?.counters.allocated ?? 0,
    };
  }

  /** Ids of the connected workers (one per worker socket), in connection order. */
  workerIds(): string[] {
    return [...this.workerSockets.values()].map((c) => c.workerId);
  }

  /** Every connected worker with what it told the engine (with or without a `pid`), in connection order. */
  listWorkers(): ConnectedWorker[] {
    return this.core.listWorkers();
  }

  /** Function ids of the registry, in registration order (built-ins not included). */
  functionIds(): string[] {
    return this.core.functions.list().map((f) => f.id);
  }

  /**
   * Drops a worker's socket without a close frame (as a network failure would), running the normal
   * disconnect cleanup. The SDK then reconnects and replays. False if no such worker is connected.
   */
  terminateWorker(workerId: string): boolean {
    for (const conn of this.workerSockets.values()) {
      if (conn.workerId === workerId) {
        conn.terminate();
        return true;
      }
    }
    return false;
  }

  /** Runs the channel TTL sweep now (normally periodic). Returns how many channels were removed. */
  sweepChannels(): number {
    return this.broker.sweep();
  }

  /** Closes every socket and the listener and clears every timer. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.log.info('engine closing', { url: this.url });
    await this.modules?.close();
    this.broker.close();
    for (const ws of this.wss.clients) ws.terminate();
    for (const conn of this.workerSockets.values()) this.core.detach(conn);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const route = parseEngineRoute(req.method, req.url);
    if (route.kind === 'reject') {
      // an empty body goes without Content-Type, as upstream (PROTOCOL.md §10.7)
      const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(route.body) };
      if (route.body !== '') headers['content-type'] = 'text/plain; charset=utf-8';
      res.writeHead(route.status, headers);
      res.end(route.body);
      return;
    }
    // a socket path without a WebSocket upgrade
    const body = "Connection header did not include 'upgrade'";
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.log.debug('upgrade socket error', { error: err.message }));
    if (this.closing) {
      rejectUpgrade(socket, 503, '');
      return;
    }
    const route = parseEngineRoute(req.method, req.url);
    const badHeaders = route.kind === 'reject' ? undefined : checkUpgradeHeaders(req.headers);
    if (badHeaders !== undefined) {
      this.log.debug('upgrade refused', { url: req.url, status: 400, reason: badHeaders });
      rejectUpgrade(socket, 400, badHeaders);
      return;
    }
    switch (route.kind) {
      case 'reject':
        this.log.debug('upgrade refused', { url: req.url, status: route.status });
        rejectUpgrade(socket, route.status, route.body);
        return;
      case 'worker':
      case 'otel': {
        const kind = route.kind;
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          if (this.token !== undefined && !tokenMatches(req.headers.authorization, this.token)) {
            this.refuseUnauthenticated(ws, kind, req);
            return;
          }
          // a peer's Close is not echoed and an oversized frame gets no 1009: the socket is dropped (§10.1, §10.7)
          dropInsteadOfClosing(ws, () => true);
          if (kind === 'worker') {
            this.acceptWorker(ws, req);
          } else {
            this.acceptTelemetry(ws);
          }
        });
        return;
      }
      case 'channel': {
        const channel = this.broker.lookup(route.channelId, route.key);
        if (!channel) {
          this.log.debug('channel not found (unknown id or wrong key)', { channel_id: route.channelId });
          rejectUpgrade(socket, 404, 'Channel not found');
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          this.track(this.channelSockets, ws);
          const kind = route.dir === 'write' ? 'channel writer' : 'channel reader';
          ws.on('error', (err) => this.logSocketError(kind, err, undefined, channel.id, ws));
          // an oversized frame drops the writer without a 1009 (§10.1); its Close is echoed as upstream does
          dropInsteadOfClosing(ws, (code) => code === 1009);
          const taken = route.dir === 'write' ? channel.attachWriter(ws) : channel.attachReader(ws);
          if (!taken) {
            this.log.debug('channel half already taken: closing', { channel_id: channel.id, dir: route.dir });
            ws.close();
            return;
          }
          this.log.debug('channel half taken', { channel_id: channel.id, dir: route.dir });
          // a writer's large binary frames are assembled into pooled buffers; opt-in: they go on to the
          // reader as they arrive (never assembled)
          const relay = this.options.channelRelayFrameBytes !== Infinity;
          if (route.dir === 'write' && (relay || this.framePool)) {
            readWriterFrames(
              socket,
              ws,
              this.options.maxPayloadBytes,
              relay ? { sink: channel, minBytes: this.options.channelRelayFrameBytes } : undefined,
              this.framePool,
            );
          }
          if (route.dir === 'read' && !this.options.channelAnswerReaderClose) {
            // upstream never reads a reader socket: its Close and pings go unanswered (§10.3)
            ignoreReaderInput(socket, () =>
              warnParity(this.log, 'channel reader sent Close: ignored', {
                socket: 'channel reader',
                channel_id: channel.id,
                field: 'close',
                problem: 'the reader closed first',
                real: 'never answered; the engine keeps forwarding items until a send fails (the reader sees 1006 after its own close timeout)',
              }),
            );
          }
        });
        return;
      }
    }
  }

  private acceptWorker(ws: WebSocket, req: IncomingMessage): void {
    const conn = new WorkerConnection(
      ws,
      {
        queueFrames: this.options.outboundQueueFrames,
        socketHighWaterBytes: this.options.socketHighWaterBytes,
        maxOutboundBytes: this.options.maxOutboundBytes,
        stallTimeoutMs: this.options.outboundStallMs,
      },
      req.socket.remoteAddress,
      this.log,
      req.socket,
    );
    this.workerSockets.set(ws, conn);
    ws.on('message', (data, isBinary) => this.core.receive(conn, toBuffer(data), isBinary));
    ws.on('error', (err) => this.logSocketError('worker', err, conn.workerId, undefined, ws));
    // upstream answers a WebSocket ping on `/` twice (the library and the read loop each queue a pong, §10.7)
    ws.on('ping', (data) => {
      if (ws.readyState === ws.OPEN) ws.pong(data);
    });
    ws.on('close', (code) => {
      this.workerSockets.delete(ws);
      this.log.debug('worker socket closed', { worker_id: conn.workerId, code });
      this.core.detach(conn);
    });
    this.core.attach(conn);
  }

  /**
   * RBAC-style refusal (PROTOCOL.md §2 `error`, §3 step 1): one `error` frame with code `AUTH_ERROR`, then
   * a Close frame without status; nothing the socket sends is read.
   */
  private refuseUnauthenticated(ws: WebSocket, kind: 'worker' | 'otel', req: IncomingMessage): void {
    this.refusedSockets++;
    const missing = req.headers.authorization === undefined;
    this.log.warn(`${kind === 'worker' ? 'worker' : 'telemetry'} socket refused: ${missing ? 'no' : 'wrong'} auth token`, {
      remote_address: req.socket.remoteAddress,
      path: kind === 'worker' ? '/' : PROTOCOL.otelPath,
    });
    ws.on('error', (err) => this.logSocketError('refused', err));
    const message = missing
      ? 'this engine requires a token: send the header "Authorization: Bearer <token>"'
      : 'the token presented in the Authorization header is not valid for this engine';
    ws.send(JSON.stringify({ type: 'error', error: { code: 'AUTH_ERROR', message } }));
    ws.close();
  }

  private acceptTelemetry(ws: WebSocket): void {
    this.track(this.telemetrySockets, ws);
    ws.on('message', () => {
      this.telemetryFrames++;
    });
    ws.on('error', (err) => this.logSocketError('telemetry', err, undefined, undefined, ws));
    this.log.debug('telemetry socket connected');
  }

  private track(set: Set<WebSocket>, ws: WebSocket): void {
    set.add(ws);
    ws.on('close', () => set.delete(ws));
  }

  private logSocketError(kind: string, err: Error & { code?: string }, workerId?: string, channelId?: string, ws?: WebSocket): void {
    if (err.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.log.debug(`${kind.startsWith('channel') ? 'channel' : kind} socket error`, { worker_id: workerId, channel_id: channelId, error: err.message, code: err.code });
      return;
    }
    const consequence: Record<string, string> = {
      worker: 'socket dropped without a close frame (1006) and cleaned up: its functions vanish, calls it serves end with invocation_stopped',
      telemetry: 'socket dropped without a close frame (1006)',
      'channel writer': 'writer dropped without a close frame (1006); the reader gets the earlier items, then a Close without status: silent truncation',
    };
    warnParity(this.log, `${kind} socket sent a frame over the ${this.options.maxPayloadBytes}-byte limit: dropped`, {
      socket: kind,
      field: 'size',
      problem: `frame payload over ${this.options.maxPayloadBytes} bytes`,
      size: ws ? refusedMessageBytes(ws) : undefined,
      limit: this.options.maxPayloadBytes,
      real: consequence[kind] ?? 'socket dropped without a close frame (1006)',
      worker_id: workerId,
      channel_id: channelId,
    });
  }
}

function toBuffer(data: import('ws').RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data as ArrayBuffer);
}

function rejectUpgrade(socket: Duplex, status: number, body: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
      (body === '' ? '' : 'Content-Type: text/plain; charset=utf-8\r\n') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
