/**
 * A small REST API served by an iii worker: http triggers for the routes, a cron job that sweeps finished
 * todos, and one streamed endpoint. Only the worker's public API and the real engine's trigger types are
 * used, so the same file runs against the embedded engine and against a real iii engine (with its `iii-http`
 * and `iii-cron` modules, the default configuration):
 *
 *   npx iii-rx engine                      # embedded: workers on ws://127.0.0.1:49134, http on :3111
 *   npm run build && node dist/examples/rest-api.js
 *   curl -X POST localhost:3111/todos -H 'content-type: application/json' -d '{"title":"milk"}'
 *   curl localhost:3111/todos
 *
 * Against a real engine set `III_URL` to its worker address; the routes answer on its http port.
 */
import { firstValueFrom, from, ignoreElements, map } from 'rxjs';
import { connectWorker, ENGINE_FUNCTIONS, HttpRequest, HttpResponse, Registration, Worker, writeHttpResponse } from '../lib/index';

/** One todo item. */
export interface Todo {
  id: number;
  title: string;
  done: boolean;
}

/** The API's state, in the worker's memory. */
export interface TodoStore {
  todos: Map<number, Todo>;
  nextId: number;
  /** `scheduled_time` of the last sweep, if any. */
  lastSweep?: string;
}

const notFound = (id: string): HttpResponse => ({ status_code: 404, body: { error: `no todo ${id}` } });

/**
 * Registers the todo API on `worker`: `GET/POST todos`, `GET/PATCH/DELETE todos/:id`, `GET todos/export`
 * (newline-delimited JSON, streamed through the response channel), `GET stats`, and a cron job
 * (`sweepExpression`, default every minute) that deletes finished todos.
 *
 * @example
 * ```ts
 * const worker = connectWorker();
 * const { store } = serveTodoApi(worker);
 * ```
 */
export function serveTodoApi(worker: Worker, sweepExpression = '0 * * * * *'): { store: TodoStore; registrations: Registration[] } {
  const store: TodoStore = { todos: new Map(), nextId: 1 };
  const registrations: Registration[] = [];
  const route = (functionId: string, method: string, apiPath: string, handler: (req: HttpRequest<any>) => unknown) => {
    registrations.push(worker.registerFunction(functionId, handler));
    registrations.push(worker.registerTrigger({ type: 'http', functionId, config: { api_path: apiPath, http_method: method } }));
  };

  route('todos::list', 'GET', 'todos', (): HttpResponse<Todo[]> => ({ body: [...store.todos.values()] }));
  route('todos::create', 'POST', 'todos', (req: HttpRequest<{ title?: unknown }>): HttpResponse => {
    const title = req.body?.title;
    if (typeof title !== 'string' || title.trim() === '') return { status_code: 400, body: { error: 'title (a non-empty string) is required' } };
    const todo: Todo = { id: store.nextId++, title: title.trim(), done: false };
    store.todos.set(todo.id, todo);
    return { status_code: 201, headers: { location: `/todos/${todo.id}` }, body: todo };
  });
  route('todos::get', 'GET', 'todos/:id', (req): HttpResponse => {
    const todo = store.todos.get(Number(req.path_params.id));
    return todo ? { body: todo } : notFound(req.path_params.id);
  });
  route('todos::update', 'PATCH', 'todos/:id', (req: HttpRequest<Partial<Todo>>): HttpResponse => {
    const todo = store.todos.get(Number(req.path_params.id));
    if (!todo) return notFound(req.path_params.id);
    if (typeof req.body?.done === 'boolean') todo.done = req.body.done;
    if (typeof req.body?.title === 'string' && req.body.title.trim() !== '') todo.title = req.body.title.trim();
    return { body: todo };
  });
  route('todos::delete', 'DELETE', 'todos/:id', (req): HttpResponse => {
    return store.todos.delete(Number(req.path_params.id)) ? { status_code: 204, headers: { 'content-type': 'text/plain' }, body: null } : notFound(req.path_params.id);
  });
  // streamed: the handler returns nothing and writes the body into the response channel
  route('todos::export', 'GET', 'todos/export', (req) =>
    writeHttpResponse(req.response, {
      headers: { 'content-type': 'application/x-ndjson' },
      body: from([...store.todos.values()]).pipe(map((todo) => `${JSON.stringify(todo)}\n`)),
    }).pipe(ignoreElements()),
  );
  route('todos::stats', 'GET', 'stats', (): HttpResponse => {
    const all = [...store.todos.values()];
    return { body: { open: all.filter((t) => !t.done).length, done: all.filter((t) => t.done).length, lastSweep: store.lastSweep ?? null } };
  });

  registrations.push(
    worker.registerFunction('todos::sweep', (input: { scheduled_time: string }) => {
      let removed = 0;
      for (const [id, todo] of store.todos) {
        if (todo.done) {
          store.todos.delete(id);
          removed++;
        }
      }
      store.lastSweep = input.scheduled_time;
      return { removed };
    }),
  );
  registrations.push(worker.registerTrigger({ type: 'cron', functionId: 'todos::sweep', config: { expression: sweepExpression } }));
  return { store, registrations };
}

/** Runs the API until SIGINT/SIGTERM against `III_URL` (default ws://127.0.0.1:49134). */
async function main(): Promise<void> {
  const worker = connectWorker(undefined, { workerName: 'todo-api' });
  serveTodoApi(worker);
  worker.triggerErrors$.subscribe((e) => console.error(`trigger ${e.triggerType} refused: ${e.message}`));
  // one round trip behind the registrations: once it returns, the engine has them all
  await firstValueFrom(worker.trigger(ENGINE_FUNCTIONS.functionsList, {}), { defaultValue: undefined });
  console.log(`todo-api ready (engine ${worker.url})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await worker.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
