/**
 * What the channel benches share: messages between the parent and its child processes, pacing a consumer to
 * a rate, reading numeric flags, and the entry point that runs either the parent or one child role.
 */

/** A message between a bench parent and a child process. */
export type Msg = { type: string; [k: string]: unknown };

/** Sends a message to the parent process (a child role only). */
export const send = (m: Msg): void => {
  process.send!(m);
};

/**
 * CPU time (user + system, in ms) this process used since `start` (a `process.cpuUsage()` reading): a
 * measure of how much work a role did that, unlike MB/s, other load on the machine barely changes.
 *
 * @example
 * ```ts
 * const cpu0 = process.cpuUsage();
 * await work();
 * send({ type: 'done', cpuMs: cpuMsSince(cpu0) });
 * ```
 */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return Math.round((d.user + d.system) / 1000);
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves on the parent's next message: the "go" that starts a measured run. */
export const waitGo = (): Promise<void> => new Promise<void>((resolve) => process.once('message', () => resolve()));

/**
 * Paces a consumer to `mbps` MB/s (0 = full speed): call it with each chunk's size and await what it returns.
 *
 * @example
 * ```ts
 * const pace = pacer(50);
 * await pace(chunk.byteLength);
 * ```
 */
export function pacer(mbps: number): (n: number) => Promise<void> | undefined {
  if (!mbps) return () => undefined;
  let start = 0;
  let total = 0;
  return (n) => {
    if (!start) start = Date.now();
    total += n;
    const wait = start + (total / (mbps * 1e6)) * 1000 - Date.now();
    return wait > 1 ? sleep(wait) : undefined;
  };
}

/**
 * Reads `--name N` from the command line, or `def` when it is absent.
 *
 * @example
 * ```ts
 * const bytes = numberFlag('mib', 256) * MiB;
 * ```
 */
export function numberFlag(name: string, def: number, argv: string[] = process.argv.slice(2)): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
}

/**
 * The entry point of a bench that forks itself: `--child ROLE ARGS…` runs one child role, anything else runs
 * the parent; either exits 1 with the error printed when it fails.
 *
 * @example
 * ```ts
 * if (require.main === module) runBench(main, runChild);
 * ```
 */
export function runBench(main: () => Promise<void>, runChild?: (role: string, args: string[]) => Promise<void>): void {
  const fail = (err: unknown) => {
    console.error(err);
    process.exit(1);
  };
  const i = process.argv.indexOf('--child');
  if (i >= 0 && runChild) runChild(process.argv[i + 1], process.argv.slice(i + 2)).then(() => process.exit(0), fail);
  else main().catch(fail);
}
