import { encodeFrame } from '../../lib/connection/encodeFrame';
import { PayloadEncodeError } from '../../lib/errors/PayloadEncodeError';
import { PayloadTooLargeError } from '../../lib/errors/PayloadTooLargeError';
import { invokeFunctionFrame, pingFrame } from '../../lib/protocol/OutboundFrame';

describe('encodeFrame', () => {
  it('is the JSON text of the frame', () => {
    expect(encodeFrame(pingFrame(), 100)).toBe('{"type":"ping"}');
  });

  it('counts UTF-8 bytes, not UTF-16 units, against the limit', () => {
    const frame = invokeFunctionFrame({ function_id: 'f', data: '€'.repeat(20) }); // 60 bytes of data
    const bytes = Buffer.byteLength(JSON.stringify(frame));
    expect(encodeFrame(frame, bytes)).toBe(JSON.stringify(frame));
    expect(() => encodeFrame(frame, bytes - 1)).toThrow(PayloadTooLargeError);
    expect(() => encodeFrame(frame, bytes - 1)).toThrow(/invokefunction frame is \d+ bytes/);
  });

  it('refuses what JSON cannot encode with PayloadEncodeError', () => {
    expect(() => encodeFrame(invokeFunctionFrame({ function_id: 'f', data: 10n }), 100)).toThrow(PayloadEncodeError);
  });
});
