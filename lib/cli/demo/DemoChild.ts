import { ChildProcess, fork } from 'node:child_process';

/** A message between the demo's orchestrator and one of its processes. */
export type DemoMessage = { type: string; [key: string]: unknown };

/**
 * One process of the demo (engine, producer or consumer), forked with an IPC channel. Messages are awaited by
 * type; the child is told to stop with `{type:'stop'}` and killed if it does not exit in time.
 */
export class DemoChild {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly waiters = new Map<string, Array<(m: DemoMessage) => void>>();
  private readonly listeners = new Map<string, (m: DemoMessage) => void>();
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  /** How the child ended, once it has: `code 0`, `code 1`, `SIGKILL`, ... */
  exitReason: string | undefined;

  constructor(name: string, script: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.name = name;
    this.child = fork(script, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: DemoMessage) => {
      const queue = this.waiters.get(m.type);
      const waiter = queue?.shift();
      if (waiter) waiter(m);
      else this.listeners.get(m.type)?.(m);
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : null);
        this.exitReason = signal ?? `code ${code}`;
        for (const queue of this.waiters.values()) queue.splice(0);
        resolve(this.exitCode);
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Calls `fn` for every message of this type that nobody awaits. */
  on(type: string, fn: (m: DemoMessage) => void): void {
    this.listeners.set(type, fn);
  }

  /** Resolves with the next message of this type; rejects if the child exits first. */
  next(type: string): Promise<DemoMessage> {
    if (this.exitCode !== undefined) return Promise.reject(new Error(`${this.name} exited (${this.exitCode})`));
    return new Promise((resolve, reject) => {
      const queue = this.waiters.get(type) ?? [];
      queue.push(resolve);
      this.waiters.set(type, queue);
      void this.exited.then((code) => reject(new Error(`${this.name} exited (${code}) before sending "${type}"`)));
    });
  }

  /** Sends a message if the child is still there. */
  send(message: DemoMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Sends a request and awaits the reply of type `replyType`. */
  async request(message: DemoMessage, replyType: string): Promise<DemoMessage> {
    const reply = this.next(replyType);
    this.send(message);
    return reply;
  }

  /** Asks the child to stop, kills it after `graceMs`, resolves with its exit code. */
  async stop(graceMs = 5000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** Resolves when the child exits. */
  wait(): Promise<number | null> {
    return this.exited;
  }
}
