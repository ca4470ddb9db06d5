import { HttpRoute } from '../../../lib/engine/http/HttpRoute';
import { HttpRouteTable } from '../../../lib/engine/http/HttpRouteTable';

const entry = (method: string | undefined, path: string, triggerId: string) => ({
  route: HttpRoute.parse(method, path),
  triggerId,
  functionId: `fn::${triggerId}`,
  config: { api_path: path },
});

describe('HttpRoute', () => {
  it('defaults to GET, upper-cases the method and drops one leading slash', () => {
    const route = HttpRoute.parse(undefined, '/orders/:id');
    expect([route.method, route.path, route.key]).toEqual(['GET', 'orders/:id', 'GET orders/:id']);
    expect(HttpRoute.parse('patch', 'a').method).toBe('PATCH');
  });

  it('keeps path params raw, gives none for {name} segments, and treats a trailing slash as significant', () => {
    expect(HttpRoute.parse('GET', 'files/:name').match('files/a%2Fb')).toEqual({ name: 'a%2Fb' });
    expect(HttpRoute.parse('GET', 'files/{name}/raw').match('files/x/raw')).toEqual({});
    expect(HttpRoute.parse('GET', 'files/').match('files')).toBeUndefined();
    expect(HttpRoute.parse('GET', 'files/').match('files/')).toEqual({});
    expect(HttpRoute.parse('GET', 'files/:name').match('files/')).toBeUndefined();
  });

  it('knows which methods the listener serves', () => {
    expect(HttpRoute.parse('OPTIONS', 'a').served).toBe(true);
    expect(HttpRoute.parse('TRACE', 'a').served).toBe(false);
  });
});

describe('HttpRouteTable', () => {
  it('prefers literal segments over parameters', () => {
    const table = new HttpRouteTable();
    expect(table.add(entry('GET', 'users/:id', 'param'))).toBeUndefined();
    expect(table.add(entry('GET', 'users/me', 'literal'))).toBeUndefined();
    const me = table.find('GET', 'users/me');
    const other = table.find('GET', 'users/7');
    expect(me.kind === 'found' && me.entry.triggerId).toBe('literal');
    expect(other.kind === 'found' && [other.entry.triggerId, other.params]).toEqual(['param', { id: '7' }]);
  });

  it('replaces a route of the same key, keeps it when the replaced trigger is removed, and refuses other names', () => {
    const table = new HttpRouteTable();
    table.add(entry('POST', 'users/:id/posts/:pid', 't1'));
    expect(table.add(entry('POST', '/users/:id/posts/:pid', 't2'))).toBeUndefined();
    expect(table.remove('t1')).toBe(false);
    const found = table.find('POST', 'users/1/posts/2');
    expect(found.kind === 'found' && found.entry.triggerId).toBe('t2');
    expect(table.add(entry('POST', 'users/:x/posts/:y', 't3'))).toMatch(
      /^Route 'POST users\/:x\/posts\/:y' conflicts with already-registered route 'POST users\/:id\/posts\/:pid': /,
    );
    // the same shape under another method is a different route
    expect(table.add(entry('GET', 'users/:x/posts/:y', 't4'))).toBeUndefined();
  });

  it('tells an unknown path from a path known for another method, ignoring unserved methods', () => {
    const table = new HttpRouteTable();
    table.add(entry('GET', 'a', 'get'));
    table.add(entry('TRACE', 'b', 'trace'));
    expect(table.find('POST', 'a').kind).toBe('method_not_allowed');
    expect(table.find('GET', 'z').kind).toBe('not_found');
    expect(table.find('TRACE', 'b').kind).toBe('not_found');
  });
});
