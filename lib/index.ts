// The public API of iii-rx. Explicit re-exports only; nothing else is public.

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
} from './errors';

// socket
export type { SocketLike, SocketHandlers, SocketFactory, OpenSocketOptions } from './socket/SocketLike';

// engine (section owned by the engine work)

// connection + worker (section owned by the worker-client work)

// channel + codec (section owned by the channel work)
