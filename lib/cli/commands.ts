import type { CliCommand } from './CliCommand';
import { demoCommand } from './demo/demoCommand';
import { engineCommand } from './engineCommand';

/**
 * The command table of `iii-rx`, by name. To add a command (e.g. `demo`), import its
 * {@link CliCommand} here and add one entry; `main` and `--help` pick it up.
 */
export const COMMANDS: ReadonlyMap<string, CliCommand> = new Map<string, CliCommand>([
  [engineCommand.name, engineCommand],
  [demoCommand.name, demoCommand],
]);
