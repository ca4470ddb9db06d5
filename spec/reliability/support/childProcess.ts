import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

/** A temp dir holding the bundled fault child (iii-rx from source) and plain-JS iii-sdk children. */
export interface ChildKit {
  dir: string;
  /** Path of the bundled `faultChild.ts`. */
  faultChild: string;
  /** Path of the bundled `engineChild.ts`. */
  engineChild: string;
  /** Writes a plain-JS script into the kit dir and returns its path. */
  script(name: string, source: string): string;
  dispose(): void;
}

/** Bundles `faultChild.ts` and `engineChild.ts` with esbuild into a fresh temp dir. */
export function makeChildKit(): ChildKit {
  const dir = mkdtempSync(join(tmpdir(), 'iii-rx-faults-'));
  const faultChild = join(dir, 'faultChild.js');
  const engineChild = join(dir, 'engineChild.js');
  buildSync({
    entryPoints: { faultChild: resolve(__dirname, 'faultChild.ts'), engineChild: resolve(__dirname, 'engineChild.ts') },
    outdir: dir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'silent',
    // optional native helpers of ws: resolved at run time if installed
    external: ['bufferutil', 'utf-8-validate'],
  });
  return {
    dir,
    faultChild,
    engineChild,
    script(name, source) {
      const path = join(dir, name);
      writeFileSync(path, source);
      return path;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A running child process whose stdout lines can be awaited. */
export class Child {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly proc: ChildProcess;
  private waiters: Array<() => void> = [];
  private stderr = '';

  constructor(script: string, args: string[], cwd?: string, nodeArgs: string[] = []) {
    this.proc = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd });
    let buffered = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      const parts = buffered.split('\n');
      buffered = parts.pop() as string;
      this.lines.push(...parts);
      this.wake();
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (text: string) => {
      if (this.stderr.length < 10_000) this.stderr += text;
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => {
      resolve({ code, signal });
      this.wake();
    }));
  }

  /** Sends `command` and resolves with the rest of the next line starting with `<command> `. */
  async request(command: string): Promise<string> {
    const from = this.lines.length;
    this.send(command);
    const line = await this.line(new RegExp(`^${command} `), from);
    return line.slice(command.length + 1);
  }

  /** Writes one line to the child's stdin. */
  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  /** Resolves with the first line (from the start) matching `pattern`; rejects if the child exits first. */
  async line(pattern: RegExp, from = 0): Promise<string> {
    for (;;) {
      for (let i = from; i < this.lines.length; i++) if (pattern.test(this.lines[i])) return this.lines[i];
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(`child exited before printing ${pattern}; stdout: ${this.lines.join(' | ')}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Closes the child's stdin (children that read commands exit on it) and waits for the exit. */
  async stop(): Promise<void> {
    this.proc.stdin!.end();
    await this.exited;
  }

  /** `kill -9`: no cleanup of any kind runs in the child. */
  async killHard(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
