import * as t from 'io-ts';

/** An optional field: absent, `null` and `undefined` are all "not there" (PROTOCOL.md §2). */
const opt = <C extends t.Mixed>(codec: C) => t.union([codec, t.null, t.undefined]);

/** Any JSON value, including a missing key (read leniently; always sent by iii-rx). */
const json = t.unknown;

const InvokeAction = t.union([
  t.type({ type: t.literal('void') }),
  t.intersection([t.type({ type: t.literal('enqueue') }), t.partial({ queue: opt(t.string) })]),
]);

const frame = <T extends string, P extends t.Props, O extends t.Props>(type: T, required: P, optional: O) =>
  t.intersection([t.type({ type: t.literal(type), ...required }), t.partial(optional)], type);

/** The engine's greeting, always the first frame on a worker socket. */
export const WorkerRegisteredCodec = frame('workerregistered', { worker_id: t.string }, { reattach_token: opt(t.string) });
/** First frame of a reconnection: asks the engine to evict the previous connection. */
export const ReattachCodec = frame(
  'reattach',
  { previous_worker_id: t.string },
  { reattach_token: opt(t.string) },
);
/** Registers (upserts) a function owned by the sending connection. */
export const RegisterFunctionCodec = frame(
  'registerfunction',
  { id: t.string },
  {
    description: opt(t.string),
    request_format: json,
    response_format: json,
    metadata: json,
    invocation: opt(t.UnknownRecord),
  },
);
/** Removes a function if the sender still owns it. */
export const UnregisterFunctionCodec = frame('unregisterfunction', { id: t.string }, {});
/** A call, in either direction. A missing `invocation_id` means nobody waits for the result. */
export const InvokeFunctionCodec = frame(
  'invokefunction',
  { function_id: t.string },
  {
    invocation_id: opt(t.string),
    data: json,
    action: opt(InvokeAction),
    metadata: json,
    traceparent: opt(t.string),
    baggage: opt(t.string),
    namespace: json,
  },
);
/** The outcome of a call: `error` present means failure. */
export const InvocationResultCodec = frame(
  'invocationresult',
  { invocation_id: t.string },
  {
    function_id: opt(t.string),
    result: json,
    error: json,
    traceparent: opt(t.string),
    baggage: opt(t.string),
  },
);
/** Declares this connection the provider of a trigger type. */
export const RegisterTriggerTypeCodec = frame(
  'registertriggertype',
  { id: t.string },
  {
    description: opt(t.string),
    trigger_request_format: json,
    call_request_format: json,
    namespace: json,
  },
);
/** Binds a function to a trigger type with a config; forwarded to the type's provider. */
export const RegisterTriggerCodec = frame(
  'registertrigger',
  { id: t.string, trigger_type: t.string, function_id: t.string },
  { config: json, metadata: json, namespace: json, trigger_namespace: json },
);
/** A provider's answer to a forwarded `registertrigger`; towards a worker it only ever carries an error. */
export const TriggerRegistrationResultCodec = frame(
  'triggerregistrationresult',
  { id: t.string },
  { trigger_type: opt(t.string), function_id: opt(t.string), error: json },
);
/** Removes a trigger binding. */
export const UnregisterTriggerCodec = frame('unregistertrigger', { id: t.string }, { trigger_type: opt(t.string) });
/** Sent by the official SDK, unknown to the upstream engine. */
export const UnregisterTriggerTypeCodec = frame('unregistertriggertype', { id: t.string }, { description: opt(t.string) });
/** Catalogue-only service declaration. */
export const RegisterServiceCodec = frame(
  'registerservice',
  { id: t.string },
  { name: opt(t.string), description: opt(t.string), parent_service_id: opt(t.string) },
);
/** JSON-level ping; answered with `pong`. */
export const PingCodec = frame('ping', {}, {});
/** JSON-level pong; ignored. */
export const PongCodec = frame('pong', {}, {});
/** Sent by an engine only when authentication fails, just before it closes the socket. */
export const ErrorFrameCodec = frame('error', {}, { error: json });
/** [0.23] A newer engine refusing a registration. Read, never sent to a 0.22.1 peer. */
export const RegistrationRejectedCodec = frame(
  'registrationrejected',
  { code: t.string },
  { namespace: json, worker_name: json, function_id: json, owner_worker_id: json },
);

/** Codec per frame `type`, used by {@link decodeFrame}. */
export const FRAME_CODECS = {
  workerregistered: WorkerRegisteredCodec,
  reattach: ReattachCodec,
  registerfunction: RegisterFunctionCodec,
  unregisterfunction: UnregisterFunctionCodec,
  invokefunction: InvokeFunctionCodec,
  invocationresult: InvocationResultCodec,
  registertriggertype: RegisterTriggerTypeCodec,
  registertrigger: RegisterTriggerCodec,
  triggerregistrationresult: TriggerRegistrationResultCodec,
  unregistertrigger: UnregisterTriggerCodec,
  unregistertriggertype: UnregisterTriggerTypeCodec,
  registerservice: RegisterServiceCodec,
  ping: PingCodec,
  pong: PongCodec,
  error: ErrorFrameCodec,
  registrationrejected: RegistrationRejectedCodec,
} as const;

/** Every frame `type` iii-rx knows. */
export type FrameType = keyof typeof FRAME_CODECS;

/** The decoded frame of a given type. */
export type FrameOf<K extends FrameType> = t.TypeOf<(typeof FRAME_CODECS)[K]>;

/** Any decoded frame of the worker socket, discriminated by `type`. */
export type Frame = { [K in FrameType]: FrameOf<K> }[FrameType];

export type WorkerRegisteredFrame = FrameOf<'workerregistered'>;
export type ReattachFrame = FrameOf<'reattach'>;
export type RegisterFunctionFrame = FrameOf<'registerfunction'>;
export type UnregisterFunctionFrame = FrameOf<'unregisterfunction'>;
export type InvokeFunctionFrame = FrameOf<'invokefunction'>;
export type InvocationResultFrame = FrameOf<'invocationresult'>;
export type RegisterTriggerTypeFrame = FrameOf<'registertriggertype'>;
export type RegisterTriggerFrame = FrameOf<'registertrigger'>;
export type TriggerRegistrationResultFrame = FrameOf<'triggerregistrationresult'>;
export type UnregisterTriggerFrame = FrameOf<'unregistertrigger'>;
export type RegisterServiceFrame = FrameOf<'registerservice'>;
