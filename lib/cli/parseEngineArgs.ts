import { PROTOCOL } from '../protocol/constants';

/** Options of `iii-rx engine`. */
export interface EngineCommandOptions {
  port: number;
  host: string;
  /** Also print debug lines (every frame dropped, every channel opened). */
  verbose: boolean;
  /** Only print the URL and errors. */
  quiet: boolean;
  help: boolean;
  /** Auth token workers must present (`--token`, else env `III_ENGINE_TOKEN`); absent: open engine. */
  token?: string;
  /** `--lenient`: accept the frames the real engine drops (still warning). */
  lenient?: boolean;
  /** `--report-writer-loss`: a reader whose writer was lost gets 1011 `writer_lost`. */
  channelReportWriterLoss?: boolean;
  /** `--answer-reader-close`: answer a channel reader's Close at once. */
  channelAnswerReaderClose?: boolean;
  /** `--max-payload-bytes N`: largest frame before the socket is dropped (default 16 MiB, like upstream). */
  maxPayloadBytes?: number;
  /** `--http-port`: port of the http trigger listener (default 3111, or 0 when `--port 0`). */
  httpPort?: number;
  /** `--http-host`: interface of the http trigger listener (default 127.0.0.1). */
  httpHost?: string;
  /** `--no-http`: no http trigger listener (http bindings stay parked). */
  noHttp?: boolean;
  /** `--queue`: the built-in in-memory queue (enqueue, durable:subscriber, iii::durable::publish). */
  queue?: boolean;
  /** `--report-unserved`: tell workers about bindings nothing serves (`triggerErrors$`), not only the log. */
  reportUnserved?: boolean;
}

export const ENGINE_USAGE = `usage: iii-rx engine [--port 49134] [--host 127.0.0.1] [--token T] [--verbose | --quiet]
                     [--http-port 3111] [--http-host 127.0.0.1] [--no-http] [--queue] [--report-unserved]
                     [--lenient] [--report-writer-loss] [--answer-reader-close] [--max-payload-bytes N]
Starts an iii-compatible engine in the foreground, prints its URL and logs connections and
registrations. --port 0 picks a free port. Stops cleanly on SIGINT/SIGTERM.
http triggers are served on --http-port (default 3111; a free port when --port is 0) unless --no-http;
cron triggers always run; --queue adds an in-memory queue (enqueue, durable:subscriber, iii::durable::publish).
A binding whose trigger type nothing provides is logged after 2 s; --report-unserved also tells its worker.
--token T (or env III_ENGINE_TOKEN) makes workers present "Authorization: Bearer T"; prefer the
env variable, command lines are visible to other users of the machine.
By default the engine behaves like the real iii engine v0.22.1 wherever a client can notice. Opt-in
extensions: --lenient (accept frames the real engine drops, still warning), --report-writer-loss
(1011 writer_lost to a reader whose writer was lost), --answer-reader-close (answer a channel reader's
Close at once), --max-payload-bytes N (frame limit; default 16777216, larger frames drop the socket).`;

/**
 * Parses the arguments of `iii-rx engine` (`--port N`, `--port=N`, `--host H`, `--token T`, `--verbose`,
 * `--quiet`, `--help`, and the opt-in extensions `--lenient`, `--report-writer-loss`, `--answer-reader-close`,
 * `--max-payload-bytes N`); the token defaults to `env.III_ENGINE_TOKEN`. Throws an Error with a readable
 * message on anything else.
 *
 * @example
 * ```ts
 * parseEngineArgs(['--port', '0']); // { port: 0, host: '127.0.0.1', verbose: false, quiet: false, help: false }
 * parseEngineArgs([], { III_ENGINE_TOKEN: 's3cret' }).token; // 's3cret'
 * ```
 */
export function parseEngineArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): EngineCommandOptions {
  const options: EngineCommandOptions = {
    port: PROTOCOL.workerPort,
    host: '127.0.0.1',
    verbose: false,
    quiet: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new Error(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case '--port':
      case '-p': {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535) throw new Error(`--port must be an integer 0..65535, got ${text}`);
        options.port = port;
        break;
      }
      case '--host':
      case '-H': {
        const host = value();
        if (host === '') throw new Error('--host must not be empty');
        options.host = host;
        break;
      }
      case '--token': {
        const token = value();
        if (token === '') throw new Error('--token must not be empty');
        options.token = token;
        break;
      }
      case '--lenient':
        options.lenient = true;
        break;
      case '--report-writer-loss':
        options.channelReportWriterLoss = true;
        break;
      case '--answer-reader-close':
        options.channelAnswerReaderClose = true;
        break;
      case '--max-payload-bytes': {
        const text = value();
        if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
          throw new Error(`--max-payload-bytes must be a positive integer, got ${text}`);
        }
        options.maxPayloadBytes = Number(text);
        break;
      }
      case '--http-port': {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535) throw new Error(`--http-port must be an integer 0..65535, got ${text}`);
        options.httpPort = port;
        break;
      }
      case '--http-host': {
        const host = value();
        if (host === '') throw new Error('--http-host must not be empty');
        options.httpHost = host;
        break;
      }
      case '--no-http':
        options.noHttp = true;
        break;
      case '--queue':
        options.queue = true;
        break;
      case '--report-unserved':
        options.reportUnserved = true;
        break;
      case '--verbose':
      case '-v':
        options.verbose = true;
        break;
      case '--quiet':
      case '-q':
        options.quiet = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (options.verbose && options.quiet) throw new Error('--verbose and --quiet exclude each other');
  if (options.token === undefined && env.III_ENGINE_TOKEN) options.token = env.III_ENGINE_TOKEN;
  return options;
}
