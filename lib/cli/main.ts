import type { CliIo } from './CliCommand';
import { COMMANDS } from './commands';

/** The real process: console output and SIGINT/SIGTERM. */
export const processIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  waitForStop: () =>
    new Promise<string>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(signal);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
};

/** `iii-rx --help` text, built from the command table. */
export function usage(): string {
  const width = Math.max(...[...COMMANDS.keys()].map((n) => n.length));
  const lines = [...COMMANDS.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ['usage: iii-rx <command> [options]', '', 'commands:', ...lines, '', 'iii-rx <command> --help for details'].join('\n');
}

/**
 * Entry point of the `iii-rx` binary (`bin/iii-rx.js`): dispatches to a command of the table.
 * Resolves with the exit code.
 *
 * @example
 * ```ts
 * await main(['engine', '--port', '0']);
 * ```
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.get(name);
  if (!command) {
    io.err(`iii-rx: unknown command "${name}"`);
    io.err(usage());
    return 2;
  }
  return command.run(rest, io);
}
