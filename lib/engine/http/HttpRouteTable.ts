import { HttpRoute } from './HttpRoute';

/** A route and the trigger binding serving it. */
export interface HttpRouteEntry {
  route: HttpRoute;
  triggerId: string;
  functionId: string;
  config: HttpTriggerConfig;
  metadata?: unknown;
}

/** The config of an `http` trigger (PROTOCOL.md §11.1). */
export interface HttpTriggerConfig {
  api_path: string;
  http_method?: string;
  condition_function_id?: string;
  middleware_function_ids?: string[];
}

/** What {@link HttpRouteTable.find} answers for a request. */
export type HttpRouteLookup =
  | { kind: 'found'; entry: HttpRouteEntry; params: Record<string, string> }
  | { kind: 'method_not_allowed' }
  | { kind: 'not_found' };

/**
 * The http routes of the engine: keyed by method and path (a same-key registration replaces the route);
 * a route of the same shape under other parameter names is refused; lookups prefer literal segments.
 *
 * @example
 * ```ts
 * const table = new HttpRouteTable();
 * table.add({ route: HttpRoute.parse('GET', 'orders/:id'), triggerId: 't1', functionId: 'orders::get', config });
 * table.find('GET', 'orders/7'); // { kind: 'found', entry, params: { id: '7' } }
 * table.find('POST', 'orders/7'); // { kind: 'method_not_allowed' }
 * ```
 */
export class HttpRouteTable {
  private readonly entries = new Map<string, HttpRouteEntry>();

  /** Adds or replaces a route; returns the refusal text on a conflict. */
  add(entry: HttpRouteEntry): string | undefined {
    const { route } = entry;
    for (const other of this.entries.values()) {
      if (other.route.key !== route.key && other.route.shape === route.shape) {
        return (
          `Route '${route.key}' conflicts with already-registered route '${other.route.key}': ` +
          'insertion failed due to conflict with previously registered route'
        );
      }
    }
    this.entries.set(route.key, entry);
    return undefined;
  }

  /** Removes the route of `triggerId` (a route replaced by a newer binding stays). */
  remove(triggerId: string): boolean {
    for (const [key, entry] of this.entries) {
      if (entry.triggerId === triggerId) {
        this.entries.delete(key);
        return true;
      }
    }
    return false;
  }

  /** The route for a request method and path (no leading `/`, not decoded). */
  find(method: string, path: string): HttpRouteLookup {
    let best: { entry: HttpRouteEntry; params: Record<string, string> } | undefined;
    let otherMethod = false;
    for (const entry of this.entries.values()) {
      if (!entry.route.served) continue;
      const params = entry.route.match(path);
      if (!params) continue;
      if (entry.route.method !== method) {
        otherMethod = true;
        continue;
      }
      if (!best || entry.route.rank < best.entry.route.rank) best = { entry, params };
    }
    if (best) return { kind: 'found', ...best };
    return otherMethod ? { kind: 'method_not_allowed' } : { kind: 'not_found' };
  }

  /** Every route (for tests and logs). */
  list(): HttpRouteEntry[] {
    return [...this.entries.values()];
  }
}
