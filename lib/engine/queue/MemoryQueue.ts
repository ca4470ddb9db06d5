import { randomUUID } from 'node:crypto';
import { asyncScheduler, SchedulerLike, Subscription } from 'rxjs';
import type { ErrorBody } from '../../protocol/ErrorBody';
import type { BuiltinFunction, BuiltinOutcome } from '../builtins/BuiltinFunction';
import type { EngineCaller } from '../EngineCaller';
import type { EngineLog } from '../EngineLogger';
import { mintTraceparent } from '../traceContext';
import type { BuiltinTriggerProvider, TriggerBinding } from '../TriggerRegistry';
import { QUEUE_ENQUEUE_FUNCTION } from './routeEnqueue';
import type { QueueDelivery, QueueDeliveryListener } from './QueueDelivery';
export type { QueueDelivery, QueueDeliveryListener };
import type { MemoryQueueOptions, QueueRetryConfig } from './MemoryQueueOptions';
export type { MemoryQueueOptions, QueueRetryConfig };

/** Trigger type of durable topic subscriptions. */
export const DURABLE_SUBSCRIBER_TRIGGER_TYPE = 'durable:subscriber';
/** Producer of durable topics: `{topic, data}`. */
export const DURABLE_PUBLISH_FUNCTION = 'iii::durable::publish';
/** Lists the dead-letter list: `{queue?, topic?}` ⇒ `{dead_letters: [...]}`. */
export const DEAD_LETTERS_FUNCTION = 'iii::queue::dead_letters';
/** Delivers dead letters again: `{id?}` (all when absent) ⇒ `{redriven: n}`. */
export const REDRIVE_FUNCTION = 'iii::queue::redrive';

/** One message that failed every attempt. */
export interface DeadLetter {
  id: string;
  /** The `enqueue` queue name, for enqueued messages. */
  queue?: string;
  /** The topic, for published messages. */
  topic?: string;
  function_id: string;
  data: unknown;
  attempts: number;
  error: ErrorBody;
  failed_at_ms: number;
}

interface Message {
  id: string;
  queue?: string;
  topic?: string;
  functionId: string;
  conditionId?: string;
  data: unknown;
  bytes: number;
  attempts: number;
  retry: Required<Omit<QueueRetryConfig, 'concurrency'>>;
  traceparent?: string | null;
  baggage?: string | null;
}

interface Lane {
  concurrency: number;
  running: number;
  ready: Message[];
}

interface Subscription_ {
  binding: TriggerBinding;
  topic: string;
  conditionId?: string;
  retry: Required<QueueRetryConfig>;
}

/**
 * An in-memory queue behind the `--queue` option (PROTOCOL.md §11.3): serves `engine::queue::enqueue`
 * (so the `enqueue` action works), the `durable:subscriber` trigger type and `iii::durable::publish`.
 * Each delivery is a call: any result acks; an error retries after `backoffDelayMs × 2^(attempt−1)`
 * until `maxRetries` retries are spent, then the message goes to the dead-letter list
 * (`iii::queue::dead_letters`, `iii::queue::redrive`). Memory is bounded in bytes.
 *
 * @example
 * ```ts
 * const queue = new MemoryQueue(call, log, { backoffDelayMs: 200 });
 * for (const fn of queue.builtins()) core.addBuiltin(fn);
 * core.triggers.registerBuiltinType(DURABLE_SUBSCRIBER_TRIGGER_TYPE, 'Durable topic subscriber', queue);
 * ```
 */
export class MemoryQueue implements BuiltinTriggerProvider {
  /** The upstream module this stands in for (its `worker_name`). */
  readonly module = 'iii-queue';
  private readonly subscriptions = new Map<string, Subscription_>();
  private readonly lanes = new Map<string, Lane>();
  private readonly timers = new Set<Subscription>();
  private readonly dead: DeadLetter[] = [];
  private readonly listeners = new Set<QueueDeliveryListener>();
  private readonly clock: SchedulerLike;
  private readonly maxBytes: number;
  private bytes = 0;
  private closed = false;

  constructor(
    private readonly call: EngineCaller,
    private readonly log: EngineLog,
    private readonly options: MemoryQueueOptions = {},
  ) {
    this.clock = options.clock ?? asyncScheduler;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** The built-in functions of the queue. */
  builtins(): BuiltinFunction[] {
    return [
      {
        id: QUEUE_ENQUEUE_FUNCTION,
        module: this.module,
        description: 'Enqueue a message for a function (built-in in-memory queue)',
        invoke: (data) => this.enqueue(data),
      },
      {
        id: DURABLE_PUBLISH_FUNCTION,
        module: this.module,
        description: 'Publish a message to every durable:subscriber of a topic',
        invoke: (data) => this.publish(data),
      },
      {
        id: DEAD_LETTERS_FUNCTION,
        module: this.module,
        description: 'List the messages that failed every attempt',
        invoke: (data) => {
          const filter = (data ?? {}) as { queue?: unknown; topic?: unknown };
          const list = this.dead.filter(
            (d) => (typeof filter.queue !== 'string' || d.queue === filter.queue) && (typeof filter.topic !== 'string' || d.topic === filter.topic),
          );
          return { result: { dead_letters: list.map((d) => ({ ...d })) } };
        },
      },
      {
        id: REDRIVE_FUNCTION,
        module: this.module,
        description: 'Deliver dead-lettered messages again (one by id, or all)',
        invoke: (data) => {
          const id = (data ?? {}) as { id?: unknown };
          return { result: { redriven: this.redrive(typeof id.id === 'string' ? id.id : undefined) } };
        },
      },
    ];
  }

  register(binding: TriggerBinding): string | undefined {
    const config = (binding.config ?? {}) as Record<string, unknown>;
    if (typeof config.topic !== 'string' || config.topic === '') return 'topic is required for durable:subscriber triggers';
    const qc = (typeof config.queue_config === 'object' && config.queue_config !== null ? config.queue_config : {}) as QueueRetryConfig;
    const sub: Subscription_ = {
      binding,
      topic: config.topic,
      retry: {
        maxRetries: nonNegative(qc.maxRetries, this.options.maxRetries ?? 2),
        backoffDelayMs: nonNegative(qc.backoffDelayMs, this.options.backoffDelayMs ?? 1000),
        concurrency: Math.max(1, nonNegative(qc.concurrency, this.options.concurrency ?? 10)),
      },
    };
    if (typeof config.condition_function_id === 'string' && config.condition_function_id !== '') sub.conditionId = config.condition_function_id;
    this.subscriptions.set(binding.id, sub);
    this.log.info('durable subscriber registered', { id: binding.id, topic: sub.topic, function_id: binding.function_id });
    return undefined;
  }

  unregister(binding: TriggerBinding): void {
    if (this.subscriptions.delete(binding.id)) this.log.info('durable subscriber removed', { id: binding.id });
  }

  /** The dead-letter list, oldest first. */
  deadLetters(): DeadLetter[] {
    return this.dead.map((d) => ({ ...d }));
  }

  /** Bytes held (waiting, retrying and dead-lettered messages). */
  get heldBytes(): number {
    return this.bytes;
  }

  /** Tells `listener` about every finished attempt; returns the function that stops it. */
  onDelivery(listener: QueueDeliveryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops retries and drops everything (engine shutdown). Idempotent. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) t.unsubscribe();
    this.timers.clear();
    this.lanes.clear();
    this.listeners.clear();
  }

  private enqueue(data: unknown): BuiltinOutcome {
    const input = (data ?? {}) as Record<string, unknown>;
    if (typeof input.queue !== 'string' || typeof input.function_id !== 'string') {
      return { error: { code: 'invalid_input', message: 'engine::queue::enqueue needs {queue, function_id, data}' } };
    }
    const settings = { ...this.options, ...this.options.queues?.[input.queue] };
    const message = this.message({
      id: typeof input.messageReceiptId === 'string' ? input.messageReceiptId : randomUUID(),
      queue: input.queue,
      functionId: input.function_id,
      data: input.data === undefined ? null : input.data,
      retry: {
        maxRetries: nonNegative(settings.maxRetries, 2),
        backoffDelayMs: nonNegative(settings.backoffDelayMs, 1000),
      },
      traceparent: typeof input.traceparent === 'string' ? input.traceparent : null,
      baggage: typeof input.baggage === 'string' ? input.baggage : null,
    });
    if ('error' in message) return message;
    this.push(`queue:${input.queue}:${input.function_id}`, Math.max(1, nonNegative(settings.concurrency, 10)), message);
    return { result: { messageReceiptId: message.id } };
  }

  private publish(data: unknown): BuiltinOutcome {
    const input = (data ?? {}) as Record<string, unknown>;
    if (typeof input.topic !== 'string' || input.topic === '') {
      return { error: { code: 'invalid_input', message: `${DURABLE_PUBLISH_FUNCTION} needs {topic, data}` } };
    }
    const published = this.publishMessages(input.topic, input.data);
    return 'error' in published ? published : { result: undefined };
  }

  /** Publishes `data` to every subscriber of `topic`; the ids of the messages made (one per subscriber), or `queue_full`. */
  publishMessages(topic: string, data: unknown): { messageIds: string[] } | { error: ErrorBody } {
    const input = { topic, data };
    const subs = [...this.subscriptions.values()].filter((s) => s.topic === input.topic);
    const messages: Message[] = [];
    for (const sub of subs) {
      const message = this.message({
        id: randomUUID(),
        topic: sub.topic,
        functionId: sub.binding.function_id,
        conditionId: sub.conditionId,
        data: input.data === undefined ? null : input.data,
        retry: { maxRetries: sub.retry.maxRetries, backoffDelayMs: sub.retry.backoffDelayMs },
      });
      if ('error' in message) {
        for (const m of messages) this.bytes -= m.bytes;
        return message;
      }
      messages.push(message);
    }
    messages.forEach((m, i) => this.push(`topic:${subs[i].binding.id}`, subs[i].retry.concurrency, m));
    return { messageIds: messages.map((m) => m.id) };
  }

  /** A new message counted against the byte cap, or `queue_full`. */
  private message(fields: Omit<Message, 'bytes' | 'attempts'>): Message | { error: ErrorBody } {
    const bytes = Buffer.byteLength(JSON.stringify(fields.data) ?? 'null', 'utf8');
    while (this.bytes + bytes > this.maxBytes && this.dead.length > 0) this.dropOldestDeadLetter();
    if (this.bytes + bytes > this.maxBytes) {
      this.log.warn('queue full: message refused', { max_bytes: this.maxBytes, held_bytes: this.bytes, message_bytes: bytes });
      return { error: { code: 'queue_full', message: `the in-memory queue holds ${this.bytes} of ${this.maxBytes} bytes` } };
    }
    this.bytes += bytes;
    return { ...fields, bytes, attempts: 0 };
  }

  private push(laneKey: string, concurrency: number, message: Message): void {
    let lane = this.lanes.get(laneKey);
    if (!lane) this.lanes.set(laneKey, (lane = { concurrency, running: 0, ready: [] }));
    lane.ready.push(message);
    this.pump(laneKey, lane);
  }

  private pump(laneKey: string, lane: Lane): void {
    while (!this.closed && lane.running < lane.concurrency && lane.ready.length > 0) {
      const message = lane.ready.shift() as Message;
      lane.running++;
      const attempt = this.attempt(message, () => this.retryLater(laneKey, lane, message)).catch((err) => {
        this.log.error('queue delivery failed inside the engine', { id: message.id, error: err instanceof Error ? err.stack : String(err) });
      });
      void attempt.then(() => {
        lane.running--;
        if (lane.running === 0 && lane.ready.length === 0 && this.lanes.get(laneKey) === lane) this.lanes.delete(laneKey);
        else this.pump(laneKey, lane);
      });
    }
  }

  private retryLater(laneKey: string, lane: Lane, message: Message): void {
    const delay = message.retry.backoffDelayMs * 2 ** (message.attempts - 1);
    const timer = this.clock.schedule(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      const current = this.lanes.get(laneKey) ?? lane;
      this.lanes.set(laneKey, current);
      current.ready.push(message);
      this.pump(laneKey, current);
    }, delay);
    this.timers.add(timer);
  }

  /** One delivery attempt; a retry is scheduled (`retry`) before listeners hear of the failure. */
  private async attempt(message: Message, retry: () => void): Promise<QueueDelivery['fate']> {
    message.attempts++;
    let outcome: BuiltinOutcome | 'skipped' = 'skipped';
    if (message.conditionId !== undefined) {
      const verdict = await this.call(message.conditionId, message.data, { traceparent: mintTraceparent() });
      if ('error' in verdict) outcome = verdict;
      else if (verdict.result === false) outcome = 'skipped';
      else outcome = await this.deliver(message);
    } else {
      outcome = await this.deliver(message);
    }
    if (this.closed) return 'acked';
    let fate: QueueDelivery['fate'];
    if (outcome === 'skipped' || !('error' in outcome)) {
      fate = 'acked';
      this.bytes -= message.bytes;
    } else if (message.attempts <= message.retry.maxRetries) {
      fate = 'retrying';
      retry();
    } else {
      fate = 'dead';
      this.deadLetter(message, outcome.error);
    }
    const delivery: QueueDelivery = { messageId: message.id, functionId: message.functionId, attempt: message.attempts, outcome, fate };
    if (message.queue !== undefined) delivery.queue = message.queue;
    if (message.topic !== undefined) delivery.topic = message.topic;
    for (const listener of this.listeners) {
      try {
        listener(delivery);
      } catch (err) {
        this.log.error('queue delivery listener threw', { error: err instanceof Error ? err.message : String(err) });
      }
    }
    return fate;
  }

  private deliver(message: Message): Promise<BuiltinOutcome> {
    return this.call(message.functionId, message.data, {
      traceparent: message.traceparent ?? mintTraceparent(),
      baggage: message.baggage ?? undefined,
    });
  }

  private deadLetter(message: Message, error: ErrorBody): void {
    const entry: DeadLetter = {
      id: message.id,
      function_id: message.functionId,
      data: message.data,
      attempts: message.attempts,
      error,
      failed_at_ms: this.clock.now(),
    };
    if (message.queue !== undefined) entry.queue = message.queue;
    if (message.topic !== undefined) entry.topic = message.topic;
    this.dead.push(entry);
    this.deadBytes.set(entry, message.bytes);
    this.log.warn('message dead-lettered after its last attempt', {
      id: message.id,
      queue: message.queue,
      topic: message.topic,
      function_id: message.functionId,
      attempts: message.attempts,
      error,
    });
  }

  private readonly deadBytes = new WeakMap<DeadLetter, number>();

  private dropOldestDeadLetter(): void {
    const oldest = this.dead.shift();
    if (!oldest) return;
    this.bytes -= this.deadBytes.get(oldest) ?? 0;
    this.log.warn('dead-letter list over the byte cap: dropped the oldest entry', { id: oldest.id, function_id: oldest.function_id });
  }

  private redrive(id: string | undefined): number {
    const picked = this.dead.filter((d) => id === undefined || d.id === id);
    for (const d of picked) {
      this.dead.splice(this.dead.indexOf(d), 1);
      const bytes = this.deadBytes.get(d) ?? 0;
      const sub = d.topic !== undefined ? [...this.subscriptions.values()].find((s) => s.topic === d.topic && s.binding.function_id === d.function_id) : undefined;
      const settings = d.queue !== undefined ? { ...this.options, ...this.options.queues?.[d.queue] } : this.options;
      const message: Message = {
        id: d.id,
        queue: d.queue,
        topic: d.topic,
        functionId: d.function_id,
        conditionId: sub?.conditionId,
        data: d.data,
        bytes,
        attempts: 0,
        retry: {
          maxRetries: sub?.retry.maxRetries ?? nonNegative(settings.maxRetries, 2),
          backoffDelayMs: sub?.retry.backoffDelayMs ?? nonNegative(settings.backoffDelayMs, 1000),
        },
      };
      const lane = sub ? `topic:${sub.binding.id}` : `queue:${d.queue}:${d.function_id}`;
      this.push(lane, sub?.retry.concurrency ?? Math.max(1, nonNegative(settings.concurrency, 10)), message);
    }
    return picked.length;
  }
}

function nonNegative(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}
