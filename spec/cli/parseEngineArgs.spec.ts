import { parseEngineArgs } from '../../lib/cli/parseEngineArgs';

describe('parseEngineArgs', () => {
  it('defaults to 127.0.0.1:49134', () => {
    expect(parseEngineArgs([])).toEqual({ port: 49134, host: '127.0.0.1', verbose: false, quiet: false, help: false });
  });

  it('reads --port/--host in both spellings and the flags', () => {
    expect(parseEngineArgs(['--port', '0', '--host=0.0.0.0', '-v'])).toEqual({
      port: 0,
      host: '0.0.0.0',
      verbose: true,
      quiet: false,
      help: false,
    });
    expect(parseEngineArgs(['--port=8080', '-q', '--help'])).toMatchObject({ port: 8080, quiet: true, help: true });
  });

  it('refuses bad values and unknown options with a readable message', () => {
    expect(() => parseEngineArgs(['--port'])).toThrow('--port needs a value');
    expect(() => parseEngineArgs(['--port', 'http'])).toThrow('--port must be an integer 0..65535, got http');
    expect(() => parseEngineArgs(['--port', '70000'])).toThrow(/0\.\.65535/);
    expect(() => parseEngineArgs(['--host='])).toThrow('--host must not be empty');
    expect(() => parseEngineArgs(['--frobnicate'])).toThrow('unknown option --frobnicate');
    expect(() => parseEngineArgs(['-v', '-q'])).toThrow(/exclude each other/);
  });

  it('reads --token, else env III_ENGINE_TOKEN (the flag wins); absent means an open engine', () => {
    expect(parseEngineArgs(['--token', 't1']).token).toBe('t1');
    expect(parseEngineArgs(['--token=t2'], { III_ENGINE_TOKEN: 'env' }).token).toBe('t2');
    expect(parseEngineArgs([], { III_ENGINE_TOKEN: 'env' }).token).toBe('env');
    expect(parseEngineArgs([], { III_ENGINE_TOKEN: '' }).token).toBeUndefined();
    expect(parseEngineArgs([]).token).toBeUndefined();
    expect(() => parseEngineArgs(['--token'])).toThrow('--token needs a value');
    expect(() => parseEngineArgs(['--token='])).toThrow('--token must not be empty');
  });

  it('reads the opt-in extensions; none is on by default (the real engine behaviour)', () => {
    const defaults = parseEngineArgs([]);
    expect([defaults.lenient, defaults.channelReportWriterLoss, defaults.channelAnswerReaderClose, defaults.maxPayloadBytes]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(parseEngineArgs(['--lenient', '--report-writer-loss', '--answer-reader-close', '--max-payload-bytes=67108864'])).toMatchObject({
      lenient: true,
      channelReportWriterLoss: true,
      channelAnswerReaderClose: true,
      maxPayloadBytes: 64 * 1024 * 1024,
    });
    expect(() => parseEngineArgs(['--max-payload-bytes', '0'])).toThrow('--max-payload-bytes must be a positive integer, got 0');
    expect(() => parseEngineArgs(['--max-payload-bytes', 'lots'])).toThrow(/positive integer/);
  });

  it('reads the trigger options: --http-port, --http-host, --no-http, --queue', () => {
    expect(parseEngineArgs(['--http-port', '0', '--http-host=0.0.0.0', '--queue'])).toMatchObject({ httpPort: 0, httpHost: '0.0.0.0', queue: true });
    expect(parseEngineArgs(['--no-http', '--report-unserved'])).toMatchObject({ noHttp: true, reportUnserved: true });
    expect(parseEngineArgs([]).noHttp).toBeUndefined();
    expect(() => parseEngineArgs(['--http-port', 'x'])).toThrow('--http-port must be an integer 0..65535, got x');
    expect(() => parseEngineArgs(['--http-host='])).toThrow('--http-host must not be empty');
  });
});
