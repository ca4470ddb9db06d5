/** Methods the http trigger serves (others register but are never served, PROTOCOL.md §11.1). */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** One segment of an `api_path`: literal text, a `:name` parameter, or a `{name}` wildcard (matches, no param). */
type Segment = { kind: 'static'; text: string } | { kind: 'param'; name: string } | { kind: 'wildcard' };

/**
 * A registered http route: upper-case method plus `api_path` without its leading `/` (a trailing `/` is
 * kept and significant). `:name` segments become `path_params` (raw, still percent-encoded); `{name}`
 * segments match any segment but give no parameter.
 *
 * @example
 * ```ts
 * const route = HttpRoute.parse('post', '/users/:id');
 * route.key; // 'POST users/:id'
 * route.match('users/42'); // { id: '42' }
 * route.match('users/42/x'); // undefined
 * ```
 */
export class HttpRoute {
  private constructor(
    /** Upper-case method. */
    readonly method: string,
    /** The registered path without its leading `/` (the `path` of the input). */
    readonly path: string,
    private readonly segments: readonly Segment[],
  ) {}

  /** Builds a route; `method` defaults to GET and is case-insensitive. */
  static parse(method: string | undefined, apiPath: string): HttpRoute {
    const path = apiPath.startsWith('/') ? apiPath.slice(1) : apiPath;
    const segments: Segment[] = path.split('/').map((text) => {
      if (text.length > 1 && text.startsWith(':')) return { kind: 'param', name: text.slice(1) };
      if (text.length > 2 && text.startsWith('{') && text.endsWith('}')) return { kind: 'wildcard' };
      return { kind: 'static', text };
    });
    return new HttpRoute((method ?? 'GET').toUpperCase(), path, segments);
  }

  /** Identity of the route: same key ⇒ the newer registration replaces the older. */
  get key(): string {
    return `${this.method} ${this.path}`;
  }

  /** Same key up to parameter names: two routes of one shape with different names conflict. */
  get shape(): string {
    return `${this.method} ${this.segments.map((s) => (s.kind === 'static' ? s.text : '*')).join('/')}`;
  }

  /** True for a method the listener answers. */
  get served(): boolean {
    return (HTTP_METHODS as readonly string[]).includes(this.method);
  }

  /**
   * Specificity for choosing among matching routes: one digit per segment, static before parameter, read
   * left to right (as a router tree prefers literal children).
   */
  get rank(): string {
    return this.segments.map((s) => (s.kind === 'static' ? '0' : '1')).join('');
  }

  /** The raw `path_params` when `path` (no leading `/`, not decoded) matches, else undefined. */
  match(path: string): Record<string, string> | undefined {
    const parts = path.split('/');
    if (parts.length !== this.segments.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const segment = this.segments[i];
      const part = parts[i];
      if (segment.kind === 'static') {
        if (segment.text !== part) return undefined;
      } else {
        if (part === '') return undefined;
        if (segment.kind === 'param') params[segment.name] = part;
      }
    }
    return params;
  }
}
