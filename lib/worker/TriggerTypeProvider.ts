import { isObservable, lastValueFrom, Observable, Subject } from 'rxjs';
import type { Logger } from '../connection/Logger';
import { toErrorBody } from '../protocol/ErrorBody';
import type { RegisterTriggerFrame, TriggerRegistrationResultFrame, UnregisterTriggerFrame } from '../protocol/Frame';
import { OutboundFrame, triggerRegistrationResultFrame } from '../protocol/OutboundFrame';
import type { RegistrationTable } from './RegistrationTable';
import type { TriggerRegistrationFailure } from './TriggerTypeHandler';

/**
 * The trigger-type side of a worker: hands the engine's `registertrigger` / `unregistertrigger` frames for
 * the types this worker provides to their handlers and answers `triggerregistrationresult`; reports the
 * failures the engine forwards for this worker's own bindings on `failures$` (and to the logger).
 *
 * @example
 * ```ts
 * const provider = new TriggerTypeProvider(table, (frame) => connection.send(frame), logger);
 * provider.failures$.subscribe((f) => console.warn(f.code));
 * ```
 */
export class TriggerTypeProvider {
  private readonly failures = new Subject<TriggerRegistrationFailure>();
  /** Trigger registrations the engine reported as failed; completes with `complete()`. */
  readonly failures$: Observable<TriggerRegistrationFailure> = this.failures.asObservable();

  constructor(
    private readonly table: RegistrationTable,
    private readonly reply: (frame: OutboundFrame) => void,
    private readonly logger: Logger,
  ) {}

  /** A binding of a type this worker provides: ask its handler, answer the engine. */
  async register(frame: RegisterTriggerFrame): Promise<void> {
    const base = { id: frame.id, trigger_type: frame.trigger_type, function_id: frame.function_id };
    const provider = this.table.triggerTypeOf(frame.trigger_type);
    if (!provider) {
      this.reply(triggerRegistrationResultFrame({ ...base, error: { code: 'trigger_type_not_found', message: 'Trigger type not found' } }));
      return;
    }
    try {
      await settleAny(
        provider.handler.registerTrigger({
          id: frame.id,
          triggerType: frame.trigger_type,
          functionId: frame.function_id,
          config: frame.config ?? null,
          metadata: frame.metadata ?? undefined,
        }),
      );
    } catch (err) {
      this.reply(triggerRegistrationResultFrame({ ...base, error: { code: 'trigger_registration_failed', message: messageOf(err) } }));
      return;
    }
    this.reply(triggerRegistrationResultFrame(base));
  }

  /** A binding of a type this worker provides was removed: tell its handler. */
  async unregister(frame: UnregisterTriggerFrame): Promise<void> {
    const type = frame.trigger_type ?? undefined;
    if (!type) return;
    const provider = this.table.triggerTypeOf(type);
    if (!provider) return;
    try {
      await settleAny(provider.handler.unregisterTrigger({ id: frame.id, triggerType: type, functionId: '', config: undefined }));
    } catch (err) {
      this.logger.error?.(`unregistering trigger ${frame.id} failed: ${messageOf(err)}`, err);
    }
  }

  /** The engine's answer about one of this worker's bindings: a failure is logged and emitted. */
  result(frame: TriggerRegistrationResultFrame): void {
    if (!frame.error) return;
    const body = toErrorBody(frame.error);
    const failure: TriggerRegistrationFailure = {
      id: frame.id,
      triggerType: frame.trigger_type ?? undefined,
      functionId: frame.function_id ?? undefined,
      code: body.code,
      message: body.message,
    };
    this.logger.error?.(
      `trigger registration ${frame.id} (${failure.triggerType ?? '?'}) failed: ${body.code}: ${body.message}`,
      failure,
    );
    this.failures.next(failure);
  }

  /** Completes `failures$` (the worker closed). */
  complete(): void {
    this.failures.complete();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function settleAny(value: unknown): Promise<unknown> {
  if (isObservable(value)) return lastValueFrom(value, { defaultValue: undefined });
  return value;
}
