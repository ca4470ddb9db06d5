import type { CliCommand, CliIo } from '../CliCommand';
import { DEMO_USAGE, parseDemoArgs } from './parseDemoArgs';
import { DemoOutput, runDemo } from './runDemo';

/**
 * `iii-rx demo` (and `npm start`): the main job — a producer worker streams bytes through an iii channel
 * into a consumer worker that hashes and counts them, with a progress bar and a verified summary, then a
 * fan-out of concurrent calls and an Observable result streamed back. Exit code 0 when verified, 1 on a
 * failure, 2 on bad flags, 130 when stopped by SIGINT/SIGTERM.
 *
 * @example
 * ```sh
 * npx iii-rx demo --size 1GiB
 * III_URL=ws://127.0.0.1:49134 npx iii-rx demo --plain
 * ```
 */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'stream bytes producer → channel → consumer, fan out calls, stream an Observable back (npm start)',
  usage: DEMO_USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    if (args.includes('--help') || args.includes('-h')) {
      io.out(DEMO_USAGE);
      return 0;
    }
    let options;
    try {
      options = parseDemoArgs(args, process.env);
    } catch (err) {
      io.err(`iii-rx demo: ${(err as Error).message}`);
      return 2;
    }
    const output: DemoOutput = {
      line: (text) => io.out(text),
      error: (text) => io.err(text),
      // a redrawn line must not wrap, or `\r` returns to its last row only
      redraw: options.plain
        ? undefined
        : (text) => process.stdout.write(`\r${text.slice(0, Math.max(20, (process.stdout.columns || 200) - 1))}\x1b[K`),
    };
    return runDemo(options, output, io.waitForStop());
  },
};
