import { ENGINE_FUNCTIONS } from '../../protocol/constants';
import type { FunctionRegistry } from '../FunctionRegistry';
import type { WorkerDirectory } from '../WorkerDirectory';
import type { BuiltinFunction } from './BuiltinFunction';

/** One entry of `engine::workers::list`. */
export interface WorkerListEntry {
  id: string;
  /** From `engine::workers::register`, when the worker sent it. */
  name?: string;
  runtime?: string;
  version?: string;
  os?: string;
  pid?: number;
  description?: string;
  /** The whole self-description the worker sent. */
  metadata?: Record<string, unknown>;
  remote_address?: string;
  /** ISO time the connection was accepted. */
  connected_at: string;
  /** Ids of the functions this connection owns. */
  functions: string[];
}

/**
 * `engine::workers::list`: `{}` → `{workers: WorkerListEntry[]}`, one entry per live worker connection.
 *
 * @example
 * ```ts
 * workersList(directory, registry).invoke({}, {}); // { result: { workers: [{ id, name, runtime, functions }] } }
 * ```
 */
export function workersList(directory: WorkerDirectory, registry: FunctionRegistry): BuiltinFunction {
  return {
    id: ENGINE_FUNCTIONS.workersList,
    description: 'List the connected workers',
    invoke() {
      const workers: WorkerListEntry[] = directory.list().map(({ peer, metadata }) => {
        const str = (k: string) => (typeof metadata?.[k] === 'string' ? (metadata[k] as string) : undefined);
        return {
          id: peer.workerId,
          name: str('name'),
          runtime: str('runtime'),
          version: str('version'),
          os: str('os'),
          pid: typeof metadata?.pid === 'number' ? metadata.pid : undefined,
          description: str('description'),
          metadata,
          remote_address: peer.remoteAddress,
          connected_at: new Date(peer.connectedAt).toISOString(),
          functions: registry.idsOwnedBy(peer),
        };
      });
      return { result: { workers } };
    },
  };
}
