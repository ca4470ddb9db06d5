import type { EngineLog } from './EngineLogger';
import type { TriggerBinding, TriggerRegistry } from './TriggerRegistry';

/** Where a trigger type usually comes from, for the hint in the warning. */
const HINTS: Readonly<Record<string, string>> = {
  http: 'start the engine with http on (iii-rx engine serves it unless --no-http; startEngine({ http: true }))',
  cron: 'start the engine with cron on (the default)',
  'durable:subscriber': 'start the engine with --queue (startEngine({ queue: true }))',
};

/**
 * Makes parked bindings visible (issue: a binding whose trigger type nobody provides is parked silently
 * by the real engine): `grace` ms after such a registration, if the binding is still parked and its type
 * still unprovided, the engine logs one warning and, with `report`, sends the registering worker a
 * `triggerregistrationresult` with code `trigger_type_not_found` (iii-rx workers see it on
 * `triggerErrors$`; the binding stays parked and activates if a provider registers the type later).
 *
 * @example
 * ```ts
 * const watch = new UnservedTriggerWatch(core.triggers, log, { graceMs: 2000, report: false });
 * core.triggers.onUnserved = (binding) => watch.parked(binding);
 * watch.close();
 * ```
 */
export class UnservedTriggerWatch {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly registry: TriggerRegistry,
    private readonly log: EngineLog,
    private readonly options: { graceMs: number; report: boolean },
  ) {}

  /** A binding was parked because its type has no provider: check again after the grace period. */
  parked(binding: TriggerBinding): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.check(binding);
    }, this.options.graceMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Clears pending checks. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private check(binding: TriggerBinding): void {
    if (binding.state !== 'parked' || !this.registry.listBindings().includes(binding)) return;
    if (this.registry.listTypes().some((t) => t.id === binding.trigger_type)) return;
    const message =
      `No provider for trigger type '${binding.trigger_type}' after ${this.options.graceMs} ms: trigger ${binding.id} ` +
      `(function ${binding.function_id}) is parked until one registers the type`;
    this.log.warn('trigger binding parked: nothing provides its trigger type', {
      event: 'real_engine_parity',
      id: binding.id,
      trigger_type: binding.trigger_type,
      function_id: binding.function_id,
      worker_id: binding.origin?.workerId,
      real: 'parked silently until a provider registers the type',
      hint: HINTS[binding.trigger_type] ?? 'connect the worker that provides this trigger type',
    });
    if (!this.options.report || !binding.origin?.isOpen) return;
    binding.origin.send({
      type: 'triggerregistrationresult',
      id: binding.id,
      trigger_type: binding.trigger_type,
      function_id: binding.function_id,
      error: { code: 'trigger_type_not_found', message },
    });
  }
}
