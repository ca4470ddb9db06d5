import { randomUUID } from 'node:crypto';
import type { ErrorBody } from '../../protocol/ErrorBody';
import type { RegisterTriggerFrame } from '../../protocol/Frame';
import { exactField, keepExactField } from '../exactJson';
import type { TriggerRegistry } from '../TriggerRegistry';
import type { BuiltinFunction, BuiltinOutcome } from './BuiltinFunction';
import { readBuiltinInput } from './readBuiltinInput';

const ID = 'engine::register_trigger';
/** How long `engine::register_trigger` waits for a worker provider's `triggerregistrationresult`. */
export const REGISTER_TRIGGER_WAIT_MS = 10_000;

/**
 * `engine::register_trigger` `{trigger_type, function_id, config?, metadata?}` ⇒ `{id}` (a new UUID). The
 * binding is owned by nobody: it survives the caller and goes only through `engine::unregister_trigger`.
 * A worker provider's answer is awaited up to 10 s (then accepted); a refusal is `trigger_registration_failed`;
 * an unknown type parks the binding and still answers `{id}` (PROTOCOL.md §10.5). The binding counts
 * against the caller's quota identity (`maxTriggersPerWorker`, kept across `reattach`) and the engine-wide
 * `maxTriggers`: beyond either, or with an id over `maxIdLength`, the call fails with `trigger_limit` /
 * `id_too_long`. A `config` holding integers beyond 2^53 reaches a worker provider exactly.
 *
 * @example
 * ```ts
 * await registerTrigger(triggers).invoke({ trigger_type: 'cron', function_id: 'job', config: { expression: '* * * * * *' } }, {});
 * // { result: { id: '…' } }
 * ```
 */
export function registerTrigger(triggers: TriggerRegistry, waitMs = REGISTER_TRIGGER_WAIT_MS): BuiltinFunction {
  const waiters = new Map<string, (error?: ErrorBody) => void>();
  const previousHook = triggers.onOutcome;
  triggers.onOutcome = (bindingId, error) => {
    previousHook?.(bindingId, error);
    waiters.get(bindingId)?.(error);
  };
  const refused = (id: string, error: ErrorBody): BuiltinOutcome => {
    triggers.unregisterTrigger({ type: 'unregistertrigger', id });
    // the engine's own limits keep their code; a provider's refusal is upstream's trigger_registration_failed
    const code = error.code === 'trigger_limit' || error.code === 'id_too_long' ? error.code : 'trigger_registration_failed';
    return { error: { code, message: error.message } };
  };
  return {
    id: ID,
    description: 'Bind a function to a trigger type on behalf of nobody (survives the caller)',
    invoke(data, context) {
      const read = readBuiltinInput(ID, 'RegisterTriggerInput', [
        { name: 'trigger_type', kind: 'string', required: true },
        { name: 'function_id', kind: 'string', required: true },
        { name: 'config', kind: 'any' },
        { name: 'metadata', kind: 'any' },
      ], data);
      if ('error' in read) return read;
      const input = read.input;
      const id = randomUUID();
      let answer: { error?: ErrorBody } | undefined;
      waiters.set(id, (error) => (answer = { error }));
      const frame: Record<string, unknown> = {
        type: 'registertrigger',
        id,
        trigger_type: input.trigger_type,
        function_id: input.function_id,
        config: input.config ?? null,
      };
      if (input.metadata != null) frame.metadata = input.metadata;
      const exactConfig = context.exactData && exactField(context.exactData.text, 'config');
      if (exactConfig) keepExactField(frame, exactConfig);
      triggers.registerTrigger(undefined, frame as RegisterTriggerFrame, context.caller);
      const binding = triggers.listBindings().find((b) => b.id === id);
      const type = triggers.listTypes().find((t) => t.id === input.trigger_type);
      const settled = answer as { error?: ErrorBody } | undefined;
      if (settled || !binding || binding.state !== 'active' || type?.provider.kind !== 'worker') {
        waiters.delete(id);
        return settled?.error ? refused(id, settled.error) : { result: { id } };
      }
      return new Promise<BuiltinOutcome>((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(id);
          resolve({ result: { id } });
        }, waitMs);
        timer.unref();
        waiters.set(id, (error) => {
          clearTimeout(timer);
          waiters.delete(id);
          resolve(error ? refused(id, error) : { result: { id } });
        });
      });
    },
  };
}
