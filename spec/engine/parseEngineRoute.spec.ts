import { parseEngineRoute } from '../../lib/engine/parseEngineRoute';

describe('parseEngineRoute', () => {
  it('routes the three socket paths', () => {
    expect(parseEngineRoute('GET', '/')).toEqual({ kind: 'worker' });
    expect(parseEngineRoute('GET', '/?token=x')).toEqual({ kind: 'worker' });
    expect(parseEngineRoute('GET', '/otel')).toEqual({ kind: 'otel' });
    expect(parseEngineRoute('GET', '/ws/channels/abc?key=a%2Bb&dir=write')).toEqual({
      kind: 'channel',
      channelId: 'abc',
      key: 'a+b',
      dir: 'write',
    });
  });

  it('answers 404 for other paths and an empty channel id', () => {
    for (const path of ['/x', '/ws/channels/', '/ws/channels', '/ws/channels/a/b?key=k&dir=read', '/otel/']) {
      expect(parseEngineRoute('GET', path)).toEqual({ kind: 'reject', status: 404, body: '' });
    }
  });

  it('answers 405 for other methods on socket paths (404 wins for unknown paths)', () => {
    expect(parseEngineRoute('POST', '/')).toMatchObject({ status: 405 });
    expect(parseEngineRoute('PUT', '/otel')).toMatchObject({ status: 405 });
    expect(parseEngineRoute('DELETE', '/ws/channels/a?key=k&dir=read')).toMatchObject({ status: 405 });
    expect(parseEngineRoute('POST', '/x')).toMatchObject({ status: 404 });
  });

  it('answers 400 for a missing key or a bad dir', () => {
    for (const q of ['?dir=read', '?key=k', '?key=k&dir=Read', '?key=k&dir=']) {
      const route = parseEngineRoute('GET', `/ws/channels/a${q}`);
      expect(route).toMatchObject({ kind: 'reject', status: 400 });
      expect(route.kind === 'reject' && route.body).toMatch(/^Failed to deserialize query string: /);
    }
  });
});
