/**
 * A live worker connection as {@link EmbeddedEngine.listWorkers} reports it (an embedded-engine view for
 * tests and tools; the wire built-in `engine::workers::list` has upstream's shape instead).
 */
export interface ConnectedWorker {
  /** The connection's `worker_id`. */
  id: string;
  /** From `engine::workers::register`, when the worker sent it. */
  name?: string;
  runtime?: string;
  version?: string;
  os?: string;
  pid?: number;
  description?: string;
  /** Everything the worker said about itself, merged as upstream does. */
  metadata?: Record<string, unknown>;
  remote_address?: string;
  /** ISO time the connection was accepted. */
  connected_at: string;
  /** Ids of the functions this connection owns now. */
  functions: string[];
}
