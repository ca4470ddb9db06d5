/** What a command may use of the outside world; tests pass their own. */
export interface CliIo {
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Resolves with the signal name once the process is asked to stop (SIGINT/SIGTERM). */
  waitForStop(): Promise<string>;
}

/**
 * One `iii-rx <name>` command. Add a command by writing one of these and listing it in `commands.ts`.
 *
 * @example
 * ```ts
 * const hello: CliCommand = { name: 'hello', summary: 'say hello', usage: 'iii-rx hello',
 *   run: async (_args, io) => { io.out('hello'); return 0; } };
 * ```
 */
export interface CliCommand {
  name: string;
  /** One line for `iii-rx --help`. */
  summary: string;
  /** Full usage text for `iii-rx <name> --help`. */
  usage: string;
  /** Runs the command; resolves with the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}
