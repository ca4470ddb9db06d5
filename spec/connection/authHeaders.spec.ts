import { authHeaders } from '../../lib/connection/authHeaders';

describe('authHeaders', () => {
  const saved = process.env.III_TOKEN;
  afterEach(() => {
    if (saved === undefined) delete process.env.III_TOKEN;
    else process.env.III_TOKEN = saved;
  });

  it('adds the token as a bearer Authorization header, over one in headers', () => {
    delete process.env.III_TOKEN;
    expect(authHeaders({ token: 's3cret', headers: { Authorization: 'Basic x', 'X-Team': 'a' } })).toEqual({
      Authorization: 'Bearer s3cret',
      'X-Team': 'a',
    });
    expect(authHeaders({ headers: { 'X-Team': 'a' } })).toEqual({ 'X-Team': 'a' });
    expect(authHeaders({})).toBeUndefined();
  });

  it('takes env III_TOKEN when no token is given (an empty one counts as none)', () => {
    process.env.III_TOKEN = 'from-env';
    expect(authHeaders({})).toEqual({ Authorization: 'Bearer from-env' });
    expect(authHeaders({ token: 'given' })).toEqual({ Authorization: 'Bearer given' });
    process.env.III_TOKEN = '';
    expect(authHeaders({})).toBeUndefined();
  });
});
