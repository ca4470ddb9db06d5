import type { Logger } from '../connection/Logger';
import type { Frame } from '../protocol/Frame';
import type { FunctionHost } from './FunctionHost';
import type { PendingCalls } from './PendingCalls';
import type { TriggerTypeProvider } from './TriggerTypeProvider';
import { engineRefusal } from './engineRefusal';
import type { WorkerIdentity } from './WorkerIdentity';

/** The worker parts an inbound frame can be for. */
export interface FrameRoutes {
  readonly pending: PendingCalls;
  readonly host: FunctionHost;
  readonly provider: TriggerTypeProvider;
  readonly identity: WorkerIdentity;
  readonly logger: Logger;
  /** The engine refused this worker for good (AUTH_ERROR): close with this error, do not reconnect. */
  readonly refused: (err: Error) => void;
  /** The engine's address, named in the refusal. */
  readonly url: string;
}

/**
 * Hands one inbound application frame to the worker part whose job it is: results to the pending calls,
 * calls to the function host, trigger frames to the trigger-type provider, `workerregistered` to the
 * worker's identity; engine errors and rejected registrations to the logger, and an `AUTH_ERROR` to
 * `refused`. Never throws: what fails later is logged.
 *
 * @example
 * ```ts
 * connection.frames$.subscribe((frame) => routeFrame(frame, { pending, host, provider, identity, logger, refused, url }));
 * ```
 */
export function routeFrame(frame: Frame, routes: FrameRoutes): void {
  const { logger } = routes;
  switch (frame.type) {
    case 'invocationresult':
      routes.pending.resolve(frame);
      break;
    case 'invokefunction':
      routes.host.serve(frame).catch((err) => logger.error?.('failed to answer an invocation', err));
      break;
    case 'registertrigger':
      routes.provider.register(frame).catch((err) => logger.error?.('failed to answer a trigger registration', err));
      break;
    case 'unregistertrigger':
      routes.provider.unregister(frame).catch((err) => logger.error?.('failed to unregister a trigger', err));
      break;
    case 'triggerregistrationresult':
      routes.provider.result(frame);
      break;
    case 'workerregistered':
      routes.identity.registered(frame);
      break;
    case 'error': {
      logger.error?.('the engine reported an error (it usually closes the socket next)', frame.error);
      const refusal = engineRefusal(frame, routes.url);
      if (refusal) routes.refused(refusal);
      break;
    }
    case 'registrationrejected':
      logger.warn?.(`the engine rejected a registration: ${frame.code}`, frame);
      break;
    default:
      break;
  }
}
