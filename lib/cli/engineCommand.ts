import { startEngine } from '../engine/startEngine';
import type { EngineLogDetails, EngineLogger } from '../engine/EngineLogger';
import type { CliCommand, CliIo } from './CliCommand';
import { ENGINE_USAGE, parseEngineArgs } from './parseEngineArgs';

/**
 * `iii-rx engine`: runs the embedded engine in the foreground until SIGINT/SIGTERM, logging through the
 * engine's logger hook to the console.
 *
 * @example
 * ```sh
 * npx iii-rx engine --port 49134
 * III_ENGINE_TOKEN=s3cret npx iii-rx engine   # workers: connectWorker(url, { token: 's3cret' }) or env III_TOKEN
 * ```
 */
export const engineCommand: CliCommand = {
  name: 'engine',
  summary: 'run an iii-compatible engine in the foreground',
  usage: ENGINE_USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    let options;
    try {
      options = parseEngineArgs(args, process.env);
    } catch (err) {
      io.err(`iii-rx engine: ${(err as Error).message}`);
      io.err(ENGINE_USAGE);
      return 2;
    }
    if (options.help) {
      io.out(ENGINE_USAGE);
      return 0;
    }
    const line = (level: string, message: string, details?: EngineLogDetails) => {
      const time = new Date().toISOString();
      const extra = details && Object.keys(details).length > 0 ? ` ${JSON.stringify(details)}` : '';
      return `${time} ${level.padEnd(5)} ${message}${extra}`;
    };
    const logger: EngineLogger = {
      error: (m, d) => io.err(line('error', m, d)),
      warn: (m, d) => io.err(line('warn', m, d)),
      info: options.quiet ? undefined : (m, d) => io.out(line('info', m, d)),
      debug: options.verbose ? (m, d) => io.out(line('debug', m, d)) : undefined,
    };
    let engine;
    try {
      engine = await startEngine({
        port: options.port,
        host: options.host,
        token: options.token,
        logger,
        lenient: options.lenient,
        channelReportWriterLoss: options.channelReportWriterLoss,
        channelAnswerReaderClose: options.channelAnswerReaderClose,
        maxPayloadBytes: options.maxPayloadBytes,
        http: options.noHttp ? false : { port: options.httpPort ?? (options.port === 0 ? 0 : 3111), host: options.httpHost ?? '127.0.0.1' },
        queue: options.queue === true,
        reportUnservedTriggers: options.reportUnserved === true,
      });
    } catch (err) {
      io.err(`iii-rx engine: cannot listen on ${options.host}:${options.port}: ${(err as Error).message}`);
      return 1;
    }
    io.out(`iii-rx engine listening on ${engine.url}`);
    if (engine.httpUrl !== undefined) io.out(`iii-rx engine: http triggers on ${engine.httpUrl}`);
    if (options.token !== undefined) io.out('iii-rx engine: workers must present the token (Authorization: Bearer)');
    const signal = await io.waitForStop();
    io.out(`iii-rx engine: ${signal}, stopping`);
    await engine.close();
    return 0;
  },
};
