import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(__dirname, '../../../..');

/**
 * The `iii-rx` CLI and the demo's child entries bundled with esbuild into a temp folder (the demo forks
 * compiled `.js` files, which ts-jest does not produce). Same sources as `npm run build`, bundled in about a
 * second and independent of other files of the tree that may be mid-edit.
 */
export interface DemoBundle {
  dir: string;
  /** Starts `iii-rx <args>` from the bundle. */
  run(args: string[], env?: NodeJS.ProcessEnv): DemoRun;
  remove(): void;
}

/** One running CLI process with its collected output. */
export interface DemoRun {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once the output matches `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (signal exits as 128 + n are not expected here: `null`). */
  exited: Promise<number | null>;
}

export async function buildDemoBundle(): Promise<DemoBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'iii-rx-demo-spec-'));
  await build({
    entryPoints: [
      { in: join(root, 'lib/cli/main.ts'), out: 'main' },
      { in: join(root, 'lib/cli/demo/engineProcess.ts'), out: 'engineProcess' },
      { in: join(root, 'lib/cli/demo/consumerProcess.ts'), out: 'consumerProcess' },
      { in: join(root, 'lib/cli/demo/producerProcess.ts'), out: 'producerProcess' },
    ],
    outdir: dir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // optional native helpers of ws: loaded when present, skipped otherwise
    external: ['bufferutil', 'utf-8-validate'],
    logLevel: 'error',
  });
  writeFileSync(
    join(dir, 'cli.js'),
    "require('./main.js').main(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n",
  );
  return {
    dir,
    run(args, env = process.env) {
      const proc = spawn(process.execPath, [join(dir, 'cli.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const watchers: Array<() => void> = [];
      const exited = new Promise<number | null>((resolveExit) => proc.on('close', (code) => resolveExit(code)));
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        for (const w of watchers.slice()) w();
      });
      proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      return {
        proc,
        stdout: () => out,
        stderr: () => err,
        exited,
        waitFor: (pattern) =>
          new Promise((resolveMatch, reject) => {
            const check = () => {
              const m = pattern.exec(out);
              if (!m) return;
              watchers.splice(watchers.indexOf(check), 1);
              resolveMatch(m);
            };
            watchers.push(check);
            check();
            void exited.then(() => reject(new Error(`exited before ${pattern}:\n${out}\n${err}`)));
          }),
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether a process with this pid still runs (a zombie waiting to be reaped does not count). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Resolves once none of `pids` runs any more (the test's timeout bounds the wait). */
export async function allGone(pids: number[]): Promise<void> {
  while (pids.some(alive)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The pids the demo printed in its header (engine, consumer, producer). */
export function demoPids(stdout: string): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const m of stdout.matchAll(/^ {2}(engine|consumer|producer) .*?pid (\d+)/gm)) pids[m[1]] = Number(m[2]);
  return pids;
}
