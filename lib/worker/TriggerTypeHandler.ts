import { Observable } from 'rxjs';

/** A trigger binding as the provider of its type sees it. */
export interface TriggerBinding {
  id: string;
  triggerType: string;
  /** The function to call when the trigger fires (`""` on unregister, as the engine does not send it). */
  functionId: string;
  config: unknown;
  metadata?: unknown;
}

/**
 * The provider side of a trigger type: told when a binding of its type is registered or removed. A throw
 * (or rejected Promise / error notification) from `registerTrigger` answers `trigger_registration_failed`.
 */
export interface TriggerTypeHandler {
  registerTrigger(trigger: TriggerBinding): void | Promise<unknown> | Observable<unknown>;
  unregisterTrigger(trigger: TriggerBinding): void | Promise<unknown> | Observable<unknown>;
}

/** A failure the engine forwarded for one of this worker's trigger registrations. */
export interface TriggerRegistrationFailure {
  id: string;
  triggerType?: string;
  functionId?: string;
  code: string;
  message: string;
}
