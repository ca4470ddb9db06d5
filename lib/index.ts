// The public API of iii-rx. Explicit re-exports only; nothing else is public.

// version
export { VERSION } from './version';

// protocol
export { PROTOCOL, ENGINE_FUNCTIONS } from './protocol/constants';
export { isStreamChannelRef } from './protocol/StreamChannelRef';
export type { StreamChannelRef, ChannelDirection } from './protocol/StreamChannelRef';
export type { ErrorBody } from './protocol/ErrorBody';
export { decodeFrame } from './protocol/decodeFrame';
export type { FrameDecodeResult, FrameDecodeFailure, FrameDecodeSuccess } from './protocol/decodeFrame';
export type { Frame, FrameType } from './protocol/Frame';

// errors
export {
  IiiRxError,
  InvocationError,
  ConnectionClosedError,
  SendQueueFullError,
  PayloadTooLargeError,
  ChannelClosedError,
  ChannelNotFoundError,
  ChannelOverflowError,
  CollectLimitError,
  SocketError,
  DecodeError,
  HandshakeRejectedError,
  AuthError,
  InvalidChannelRefError,
} from './errors';

// socket
export type { SocketLike, SocketHandlers, SocketFactory, OpenSocketOptions } from './socket/SocketLike';
export { openBrowserSocket } from './socket/openBrowserSocket';
export type { BrowserSocketOptions, DomWebSocketLike, DomWebSocketConstructor } from './socket/openBrowserSocket';

// engine (section owned by the engine work)
export { startEngine } from './engine/startEngine';
export { EmbeddedEngine } from './engine/EmbeddedEngine';
export type { EngineOptions } from './engine/EngineOptions';
export type { EngineLogger, EngineLogDetails } from './engine/EngineLogger';
export type { EngineStats } from './engine/EngineStats';
export type { FunctionListEntry } from './engine/builtins/functionsList';
export type { WorkerListEntry } from './engine/builtins/workersList';
export { WORKERS_AVAILABLE_TRIGGER } from './engine/EngineCore';

// connection + worker (section owned by the worker-client work)
export { connectWorker } from './worker/connectWorker';
export { Worker } from './worker/Worker';
export type {
  WorkerOptions,
  TriggerOptions,
  TriggerRegistrationRequest,
  RegisterTriggerTypeOptions,
} from './worker/Worker';
export type { FunctionContext, FunctionHandler, RegisterFunctionOptions, Registration } from './worker/FunctionContext';
export type { TriggerBinding, TriggerTypeHandler, TriggerRegistrationFailure } from './worker/TriggerTypeHandler';
export { Connection } from './connection/Connection';
export type { ConnectionState, ConnectionOptions, SendOptions, SendOutcome } from './connection/Connection';
export { backoffDelay, DEFAULT_RECONNECT } from './connection/backoffDelay';
export type { ReconnectConfig } from './connection/backoffDelay';
export { heartbeat } from './connection/heartbeat';
export type { HeartbeatConfig, HeartbeatSignal } from './connection/heartbeat';
export type { Logger } from './connection/Logger';
export {
  invokeFunctionFrame,
  invocationResultFrame,
  registerFunctionFrame,
  unregisterFunctionFrame,
  registerTriggerTypeFrame,
  unregisterTriggerTypeFrame,
  registerTriggerFrame,
  unregisterTriggerFrame,
  triggerRegistrationResultFrame,
  reattachFrame,
  pingFrame,
} from './protocol/OutboundFrame';
export type { OutboundFrame, InvokeOptions } from './protocol/OutboundFrame';
export { PendingLimitError, PayloadEncodeError, RegistrationError, StreamError, StreamTruncatedError } from './errors';

// channel + codec (section owned by the channel work)
export { ChannelReader, channelReader } from './channel/ChannelReader';
export type { ChannelReaderOptions } from './channel/ChannelReader';
export { ChannelWriter, channelWriter } from './channel/ChannelWriter';
export type { ChannelWriterOptions, ChannelSource } from './channel/ChannelWriter';
export type { ChannelItem } from './channel/ChannelItem';
export type { ChannelProgress } from './channel/ChannelProgress';
export type { ChannelHost } from './channel/ChannelHost';
export type { Channel } from './channel/Channel';
export { createChannel } from './channel/createChannel';
export type { CreateChannelOptions } from './channel/createChannel';
export { channelUrl } from './channel/channelUrl';
export { toChannelRef } from './channel/toChannelRef';
export type { ChannelRefLike } from './channel/toChannelRef';
export { readChannel } from './channel/readChannel';
export type { ReadChannelOptions } from './channel/readChannel';
export type { ReadFlowOptions } from './channel/ReadSession';
export type { WriteFlowOptions } from './channel/WriteSession';
export { writeChannel } from './channel/writeChannel';
export { binaryItems } from './channel/binaryItems';
export { textItems } from './channel/textItems';
export { jsonLines } from './channel/jsonLines';
export type { JsonLinesOptions } from './channel/jsonLines';
export { observeValues } from './channel/observeValues';
export type { ObserveValuesOptions } from './channel/observeValues';
export { progress } from './channel/progress';
export { collectBytes } from './channel/collectBytes';
export type { CollectOptions } from './channel/collectBytes';
export { Watermarks } from './channel/Watermarks';
export type { WatermarkOptions, FlowSignal } from './channel/Watermarks';
export { pauseSignals } from './channel/pauseSignals';
export { decodeValues } from './channel/decodeValues';
export { streamOf } from './channel/streamOf';
export { Demand } from './demand/Demand';
export { DemandObservable, subscribeWithDemand, isDemandAware, keepDemand } from './demand/DemandObservable';
export type { DemandSubscribe } from './demand/DemandObservable';
export { consume } from './demand/consume';
export type { ConsumeOptions } from './demand/consume';
export { consumeBatches } from './demand/consumeBatches';
export type { ConsumeBatchesOptions } from './demand/consumeBatches';
export { pulled } from './demand/pulled';
export type { PullSource } from './demand/pulled';
export { identityCodec } from './codec/PayloadCodec';
export type { PayloadCodec } from './codec/PayloadCodec';
export { channelPayloadCodec } from './codec/channelPayloadCodec';
export type { ChannelPayloadCodecOptions } from './codec/channelPayloadCodec';
export { streamResult } from './codec/streamResult';
export { streamValues, framedValues } from './codec/streamValues';
export type { StreamValuesOptions } from './codec/streamValues';
export { encodeStreamEnd, decodeStreamEnd, isStreamEnd, STREAM_END_KEY } from './protocol/streamEnd';
export { encodeStreamBegin, decodeStreamRecord, STREAM_RECORDS_VERSION } from './protocol/streamEnd';
export type { StreamEnd, StreamRecord } from './protocol/streamEnd';
export type { RequireEnd, StreamReadOptions, StreamWriteOptions } from './channel/streamRecords';
export type { StreamResultOptions } from './codec/streamResult';
export { isChannelEnd } from './codec/isChannelEnd';

// http trigger helpers (section owned by the triggers work)
export type { HttpRequest } from './http/HttpRequest';
export type { HttpResponse } from './http/HttpResponse';
export { writeHttpResponse } from './http/writeHttpResponse';
export type { StreamedHttpResponse } from './http/writeHttpResponse';
