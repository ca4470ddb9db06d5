import { randomUUID } from '../protocol/randomUUID';
import {
  OutboundFrame,
  registerFunctionFrame,
  registerTriggerFrame,
  registerTriggerTypeFrame,
  unregisterFunctionFrame,
  unregisterTriggerFrame,
  unregisterTriggerTypeFrame,
} from '../protocol/OutboundFrame';
import { RegistrationError } from '../errors/RegistrationError';
import type { FunctionHandler, RegisterFunctionOptions, Registration } from './FunctionContext';
import type { TriggerTypeHandler } from './TriggerTypeHandler';

/** A function served by this worker. */
export interface RegisteredFunction {
  readonly frame: OutboundFrame;
  readonly handler: FunctionHandler;
  readonly options: RegisterFunctionOptions;
}

/** A trigger type provided by this worker. */
export interface RegisteredTriggerType {
  readonly frame: OutboundFrame;
  readonly handler: TriggerTypeHandler;
}

/** What `worker.registerTrigger` takes. */
export interface TriggerRegistrationRequest {
  /** The trigger type id. */
  type: string;
  /** The function to call when it fires. */
  functionId: string;
  config?: unknown;
  metadata?: unknown;
}

/** Options of `worker.registerTriggerType`. */
export interface RegisterTriggerTypeOptions {
  trigger_request_format?: unknown;
  call_request_format?: unknown;
}

/**
 * The worker's registrations: its functions, trigger types and trigger bindings. Each change is sent at once
 * through `send` (which skips it while disconnected), and `replay()` gives every registration again for the
 * next (re)connect, trigger types first so that bindings find their provider.
 *
 * @example
 * ```ts
 * const table = new RegistrationTable((frame) => connection.send(frame, { whenClosed: 'skip' }));
 * table.addFunction('math::add', ({ a, b }) => a + b);
 * new Connection(url, { replay: () => table.replay() });
 * ```
 */
export class RegistrationTable {
  private readonly functions = new Map<string, RegisteredFunction>();
  private readonly triggerTypes = new Map<string, RegisteredTriggerType>();
  private readonly triggers = new Map<string, OutboundFrame>();

  constructor(private readonly send: (frame: OutboundFrame) => void) {}

  /** The function registered under `id`. */
  functionOf(id: string): RegisteredFunction | undefined {
    return this.functions.get(id);
  }

  /** The trigger type provided under `id`. */
  triggerTypeOf(id: string): RegisteredTriggerType | undefined {
    return this.triggerTypes.get(id);
  }

  /** Every registration frame, in replay order. */
  replay(): OutboundFrame[] {
    const frames: OutboundFrame[] = [];
    for (const { frame } of this.triggerTypes.values()) frames.push(frame);
    for (const { frame } of this.functions.values()) frames.push(frame);
    for (const frame of this.triggers.values()) frames.push(frame);
    return frames;
  }

  /** @throws RegistrationError for an empty id, one already registered, or a handler that is not a function */
  addFunction(id: string, handler: FunctionHandler, options: RegisterFunctionOptions): Registration {
    if (typeof id !== 'string' || id.trim() === '') throw new RegistrationError('function id is required');
    if (this.functions.has(id)) throw new RegistrationError(`function id already registered: ${id}`);
    if (typeof handler !== 'function') throw new RegistrationError(`handler of ${id} is not a function`);
    const frame = registerFunctionFrame({
      id,
      description: options.description,
      request_format: options.request_format,
      response_format: options.response_format,
      metadata: options.metadata,
    });
    const entry: RegisteredFunction = { frame, handler, options };
    this.functions.set(id, entry);
    this.send(frame);
    return {
      id,
      unregister: () => {
        if (this.functions.get(id) !== entry) return;
        this.functions.delete(id);
        this.send(unregisterFunctionFrame(id));
      },
    };
  }

  /** @throws RegistrationError for an empty id or one already provided */
  addTriggerType(
    id: string,
    description: string,
    handler: TriggerTypeHandler,
    options: RegisterTriggerTypeOptions,
  ): Registration {
    if (typeof id !== 'string' || id.trim() === '') throw new RegistrationError('trigger type id is required');
    if (this.triggerTypes.has(id)) throw new RegistrationError(`trigger type already registered: ${id}`);
    const frame = registerTriggerTypeFrame({
      id,
      description: description ?? '',
      trigger_request_format: options.trigger_request_format,
      call_request_format: options.call_request_format,
    });
    const entry: RegisteredTriggerType = { frame, handler };
    this.triggerTypes.set(id, entry);
    this.send(frame);
    return {
      id,
      unregister: () => {
        if (this.triggerTypes.get(id) !== entry) return;
        this.triggerTypes.delete(id);
        this.send(unregisterTriggerTypeFrame(id, description ?? ''));
      },
    };
  }

  /** @throws RegistrationError without a type or a function id */
  addTrigger(request: TriggerRegistrationRequest): Registration {
    if (!request || typeof request.type !== 'string' || request.type === '') {
      throw new RegistrationError('trigger type is required');
    }
    if (typeof request.functionId !== 'string' || request.functionId === '') {
      throw new RegistrationError('trigger functionId is required');
    }
    const id = randomUUID();
    const frame = registerTriggerFrame({
      id,
      trigger_type: request.type,
      function_id: request.functionId,
      config: request.config,
      metadata: request.metadata,
    });
    this.triggers.set(id, frame);
    this.send(frame);
    return {
      id,
      unregister: () => {
        if (!this.triggers.delete(id)) return;
        this.send(unregisterTriggerFrame(id, request.type));
      },
    };
  }
}
