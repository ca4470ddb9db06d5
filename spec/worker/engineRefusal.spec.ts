import { AuthError } from '../../lib/errors/AuthError';
import { engineRefusal } from '../../lib/worker/engineRefusal';

const URL = 'ws://engine.test';

describe('engineRefusal', () => {
  it('reads an AUTH_ERROR frame as an AuthError naming the engine and its message', () => {
    const err = engineRefusal({ type: 'error', error: { code: 'AUTH_ERROR', message: 'token not valid' } }, URL);
    expect(err).toBeInstanceOf(AuthError);
    expect(err?.code).toBe('AUTH_ERROR');
    expect(err?.message).toBe(`the engine at ${URL} refused this worker: token not valid`);
    expect(engineRefusal({ type: 'error', error: { code: 'AUTH_ERROR' } }, URL)?.message).toMatch(/: AUTH_ERROR$/);
  });

  it('is undefined for any other frame or error body', () => {
    expect(engineRefusal({ type: 'error', error: { code: 'OTHER', message: 'x' } }, URL)).toBeUndefined();
    expect(engineRefusal({ type: 'error', error: 'AUTH_ERROR' }, URL)).toBeUndefined();
    expect(engineRefusal({ type: 'error' }, URL)).toBeUndefined();
    expect(engineRefusal({ type: 'pong' }, URL)).toBeUndefined();
  });
});
