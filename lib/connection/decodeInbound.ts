import { FrameDecodeResult, decodeFrame } from '../protocol/decodeFrame';

/**
 * One inbound message of the worker socket as a frame: the contract of `decodeFrame` (never throws,
 * failures name the bad path; the frames of every call take its hand-checked fast path).
 *
 * @example
 * ```ts
 * const r = decodeInbound('{"type":"invocationresult","invocation_id":"…","result":3}');
 * if (r.ok) console.log(r.frame.type);
 * ```
 */
export const decodeInbound: (raw: string | Uint8Array) => FrameDecodeResult = decodeFrame;
