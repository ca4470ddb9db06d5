import { Subscription } from 'rxjs';
import type { ChannelHost } from '../channel/ChannelHost';
import { defaultPayloadCodec } from '../codec/defaultPayloadCodec';
import { Connection } from '../connection/Connection';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import { ENGINE_FUNCTIONS, PROTOCOL } from '../protocol/constants';
import { invokeFunctionFrame, OutboundFrame } from '../protocol/OutboundFrame';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import { TrackedSocketFactory, trackSockets } from '../socket/trackSockets';
import { CallClient } from './CallClient';
import { disconnectPolicy } from './disconnectPolicy';
import { FunctionHost } from './FunctionHost';
import { PendingCalls } from './PendingCalls';
import { RegistrationTable } from './RegistrationTable';
import { routeFrame } from './routeFrame';
import { TriggerTypeProvider } from './TriggerTypeProvider';
import type { Worker } from './Worker';
import { WorkerIdentity } from './WorkerIdentity';
import { workerMetadata } from './workerMetadata';
import type { WorkerOptions } from './WorkerOptions';

/** The parts of one worker, wired to each other and to its connection. */
export interface WorkerParts {
  readonly connection: Connection;
  readonly pending: PendingCalls;
  readonly table: RegistrationTable;
  readonly calls: CallClient;
  readonly host: FunctionHost;
  readonly provider: TriggerTypeProvider;
  readonly identity: WorkerIdentity;
  /** The tracked factory of the worker's channel sockets (`closeAll` on close). */
  readonly channelSockets: TrackedSocketFactory;
  /** Frame routing and the disconnect policy: unsubscribed when the worker closes. */
  readonly subscription: Subscription;
}

/**
 * Builds the parts of `worker` and wires them: the connection opens each socket with the identity's
 * `reattach` and the registration table's replay and ends it with the metadata call; inbound frames go
 * through {@link routeFrame} and state changes through {@link disconnectPolicy}. The payload codec gets
 * only a narrow capability (a {@link ChannelHost}) to open channels, not the worker.
 *
 * @example
 * ```ts
 * const parts = assembleWorker(worker, { workerName: 'thumbnails' });
 * parts.calls.trigger('math::add', { a: 1, b: 2 }).subscribe(console.log);
 * ```
 */
export function assembleWorker(worker: Worker, options: WorkerOptions): WorkerParts {
  const { url } = worker;
  const logger = options.logger ?? {};
  const channelSockets = trackSockets(options.socketFactory ?? defaultSocketFactory);
  const socketFactory = channelSockets.factory;
  const pending = new PendingCalls(options.maxPendingCalls ?? 10_000, options.scheduler);
  const identity = new WorkerIdentity();
  // the codec's narrow capability: open channels through this worker's calls and sockets
  const channelHost: ChannelHost = { url, socketFactory, trigger: (functionId, payload) => calls.trigger(functionId, payload) };
  const codec = defaultPayloadCodec(options.payloadCodec, channelHost, logger);
  const table = new RegistrationTable((frame) => {
    // sent now if connected; otherwise it is part of the next replay
    try {
      connection.send(frame, { whenClosed: 'skip' });
    } catch (err) {
      if (!(err instanceof ConnectionClosedError)) throw err;
    }
  });
  const metadata = { function_id: ENGINE_FUNCTIONS.workersRegister, data: workerMetadata(options), action: { type: 'void' as const } };
  const connection = new Connection(url, {
    ...options,
    replay: () => [...identity.reattach(), ...table.replay()],
    afterFlush: () => [invokeFunctionFrame(metadata)],
  });
  const timeoutMs = options.invocationTimeoutMs ?? PROTOCOL.invocationTimeoutMs;
  const calls = new CallClient({ connection, codec, pending, timeoutMs, url, socketFactory });
  const reply = (frame: OutboundFrame) => {
    try {
      connection.send(frame);
    } catch (err) {
      if (!(err instanceof ConnectionClosedError)) throw err;
      logger.debug?.('a reply was not sent because the worker is closed', err); // nobody else can be told
    }
  };
  const maxConcurrentInvocations = options.maxConcurrentInvocations ?? 10_000;
  const host = new FunctionHost({ table, codec, channelHost, logger, reply, maxConcurrentInvocations, worker });
  const provider = new TriggerTypeProvider(table, reply, logger);
  const subscription = new Subscription();
  const refused = (err: Error) => connection.fail(err);
  const routes = { pending, host, provider, identity, logger, refused, url };
  subscription.add(connection.frames$.subscribe((frame) => routeFrame(frame, routes)));
  const failInFlight = options.failInFlightOnDisconnect !== false;
  const policy = { calls, pending, provider, identity, logger, failInFlight, closeError: () => connection.closeError };
  subscription.add(connection.state$.subscribe((state) => disconnectPolicy(state, policy)));
  return { connection, pending, table, calls, host, provider, identity, channelSockets, subscription };
}
