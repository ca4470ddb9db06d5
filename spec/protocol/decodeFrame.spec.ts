import { decodeFrame } from '../../lib/protocol/decodeFrame';

describe('decodeFrame', () => {
  it('decodes a known frame and keeps unknown extra fields', () => {
    const r = decodeFrame(
      '{"type":"registertrigger","id":"a","trigger_type":"t","function_id":"f","config":{},"message_type":"registertrigger"}',
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.frame.type).toBe('registertrigger');
  });

  it('accepts binary JSON', () => {
    const r = decodeFrame(Buffer.from('{"type":"ping"}'));
    expect(r).toEqual({ ok: true, frame: { type: 'ping' } });
  });

  it('names the path of a missing field', () => {
    const r = decodeFrame('{"type":"invocationresult"}');
    expect(r).toMatchObject({ ok: false, code: 'INVALID_FIELD', path: 'invocation_id', type: 'invocationresult' });
  });

  it('names the path of a field of the wrong type', () => {
    const r = decodeFrame('{"type":"invokefunction","function_id":3,"data":null}');
    expect(r).toMatchObject({ ok: false, code: 'INVALID_FIELD', path: 'function_id' });
  });

  it('treats null optionals as absent', () => {
    const r = decodeFrame('{"type":"workerregistered","worker_id":"w","reattach_token":null}');
    expect(r.ok).toBe(true);
  });

  it.each([
    ['not json', 'INVALID_JSON'],
    ['[1,2]', 'NOT_AN_OBJECT'],
    ['{"type":"unregistertriggertypes"}', 'UNKNOWN_TYPE'],
    ['{"no":"type"}', 'INVALID_FIELD'],
    ['   ', 'EMPTY'],
  ])('reports %s as %s without throwing', (raw, code) => {
    expect(decodeFrame(raw)).toMatchObject({ ok: false, code });
  });
});
