import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** One peer from `.cache/interop/peers.json`, written by `scripts/interop-setup.sh`. */
export interface PeerSpec {
  name: string;
  lang: 'python' | 'rust';
  version: string;
  command: string[];
}

/** A JSON line a peer printed on stdout. */
export interface PeerEvent {
  event: string;
  [key: string]: unknown;
}

const manifestPath = resolve(__dirname, '../../../../.cache/interop/peers.json');
const STDERR_KEEP = 64 * 1024;

/**
 * The peers prepared by `scripts/interop-setup.sh`, optionally narrowed by `INTEROP_PEERS`
 * (comma-separated names such as `python-0.25.0,rust-0.25.0`).
 * Throws with the command to run when the setup has not run.
 */
export function loadPeers(): PeerSpec[] {
  if (!existsSync(manifestPath)) {
    throw new Error(`no interop peers: run "npm run test:interop" (or "bash scripts/interop-setup.sh") first`);
  }
  const all = JSON.parse(readFileSync(manifestPath, 'utf8')) as PeerSpec[];
  const only = process.env.INTEROP_PEERS?.split(',').map((s) => s.trim()).filter(Boolean);
  const peers = only ? all.filter((p) => only.includes(p.name)) : all;
  if (peers.length === 0) throw new Error(`INTEROP_PEERS=${process.env.INTEROP_PEERS} matches no peer in ${manifestPath}`);
  return peers;
}

/** A short function-id prefix for a peer, unique per process: `py0221a`, `rs0250b`, ... */
export function prefixFor(spec: PeerSpec, tag: string): string {
  return `${spec.lang === 'python' ? 'py' : 'rs'}${spec.version.replace(/\D/g, '')}${tag}`;
}

/**
 * A running peer process. Its stdout is parsed as JSON lines, stderr kept (last 64 KiB) for
 * failure messages. `stop()` closes stdin (the peer shuts its SDK down and exits 0) and falls back
 * to SIGKILL; `kill()` kills at once (to make the engine see a worker vanish).
 */
export class PeerProcess {
  readonly events: PeerEvent[] = [];
  private stderr = '';
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly spec: PeerSpec,
    readonly prefix: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) this.events.push(parseLine(line));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_KEEP);
    });
    this.exited = new Promise((done) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        done(this.exitCode);
      });
    });
  }

  /** Spawns a peer against `url` and waits for its `ready` line (or fails with its stderr). */
  static async start(spec: PeerSpec, url: string, prefix: string, timeoutMs = 60_000, env: Record<string, string> = {}): Promise<PeerProcess> {
    const [cmd, ...args] = spec.command;
    const child = spawn(cmd, [...args, '--url', url, '--prefix', prefix, '--timeout', '900'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, OTEL_ENABLED: process.env.OTEL_ENABLED ?? 'false', RUST_LOG: process.env.RUST_LOG ?? 'warn', ...env },
    });
    const peer = new PeerProcess(spec, prefix, child);
    await peer.waitFor('ready', timeoutMs);
    return peer;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The `ready` line. */
  get ready(): PeerEvent {
    const ready = this.events.find((e) => e.event === 'ready');
    if (!ready) throw new Error(`${this.spec.name} is not ready`);
    return ready;
  }

  /** Resolves with the first event named `name`; rejects if the peer exits first or on timeout. */
  waitFor(name: string, timeoutMs: number): Promise<PeerEvent> {
    return new Promise((done, fail) => {
      const check = (): boolean => {
        const found = this.events.find((e) => e.event === name);
        if (found) {
          cleanup();
          done(found);
          return true;
        }
        return false;
      };
      const onData = (): void => {
        setImmediate(check);
      };
      const onExit = (code: number | null): void => {
        setImmediate(() => {
          if (!check()) {
            cleanup();
            fail(new Error(`${this.spec.name} exited (${code}) before "${name}":\n${this.stderr}`));
          }
        });
      };
      const timer = setTimeout(() => {
        cleanup();
        fail(new Error(`${this.spec.name}: no "${name}" within ${timeoutMs} ms:\n${this.stderr}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.child.stdout.off('data', onData);
        this.child.off('exit', onExit);
      };
      this.child.stdout.on('data', onData);
      this.child.on('exit', onExit);
      if (this.exitCode !== undefined) onExit(this.exitCode);
      else check();
    });
  }

  /** Closes stdin and waits for the exit code; SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process at once and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The last 64 KiB the peer wrote on stderr (SDK logs), for diagnostics. */
  get log(): string {
    return this.stderr;
  }
}

function parseLine(line: string): PeerEvent {
  try {
    const value = JSON.parse(line) as unknown;
    if (value && typeof value === 'object' && typeof (value as PeerEvent).event === 'string') return value as PeerEvent;
  } catch {
    // not JSON: kept as a plain output line
  }
  return { event: 'output', line };
}
