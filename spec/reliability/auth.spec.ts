import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { registerWorker } from 'iii-sdk';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { AuthError } from '../../lib/errors/AuthError';
import { InvocationError } from '../../lib/errors/InvocationError';
import { ChannelReader } from '../../lib/channel/ChannelReader';
import { ChannelWriter } from '../../lib/channel/ChannelWriter';
import { RawClient, waitFor } from '../engine/support/RawClient';
import { errorOf, syncWithEngine, whenOpen } from '../worker/workerTestKit';
import { recordingLogger } from './support/recordingLogger';
import type { CliIo } from '../../lib/cli/CliCommand';
import { main } from '../../lib/cli/main';

const TOKEN = 'correct horse battery staple';

describe('engine auth token', () => {
  let engine: EmbeddedEngine;
  const { logger, entries } = recordingLogger();
  const raws: RawClient[] = [];
  const workers: Worker[] = [];

  const raw = async (path: string, headers?: Record<string, string>) => {
    const c = await RawClient.open(`${engine.url}${path}`, { headers });
    raws.push(c);
    return c;
  };
  const worker = (options: Parameters<typeof connectWorker>[1] = {}) => {
    const w = connectWorker(engine.url, { reconnect: { initialDelayMs: 1, maxDelayMs: 5 }, ...options });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    engine = await startEngine({ port: 0, token: TOKEN, logger });
  });

  afterEach(async () => {
    await Promise.all(raws.splice(0).map((c) => c.close(true)));
    await Promise.all(workers.splice(0).map((w) => w.close()));
  });

  afterAll(async () => {
    await engine.close();
  });

  it('refuses a worker socket without the token: one AUTH_ERROR frame, then a close without status', async () => {
    const refusedBefore = engine.stats().refusedSockets;
    for (const headers of [undefined, { Authorization: 'Bearer wrong' }, { Authorization: `Basic ${TOKEN}` }, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }, { Authorization: TOKEN }]) {
      const c = await raw('/', headers);
      const close = await c.closed;
      expect(close.code).toBe(1005);
      expect(c.frames).toEqual([{ type: 'error', error: { code: 'AUTH_ERROR', message: expect.any(String) } }]);
    }
    expect(engine.stats().refusedSockets).toBe(refusedBefore + 6);
    expect(engine.stats().workers).toBe(0);
    const refusals = entries.filter((e) => e.level === 'warn' && /socket refused: (no|wrong) auth token/.test(e.message));
    expect(refusals.length).toBeGreaterThanOrEqual(6);
    // the presented token is never logged
    expect(JSON.stringify(entries)).not.toContain('Bearer wrong');
  });

  it('frames sent on a refused socket are ignored', async () => {
    const c = await raw('/');
    await c.send({ type: 'registerfunction', id: 'auth::sneaky' }).catch(() => undefined);
    await c.closed;
    expect(engine.functionIds()).not.toContain('auth::sneaky');
  });

  it('accepts the right token (scheme name in any case)', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const c = await raw('/', { Authorization: `${scheme} ${TOKEN}` });
      const hello = await c.next();
      expect(hello.type).toBe('workerregistered');
    }
  });

  it('guards /otel the same way', async () => {
    const refused = await raw('/otel');
    expect((await refused.closed).code).toBe(1005);
    expect(refused.frames[0]).toMatchObject({ type: 'error', error: { code: 'AUTH_ERROR' } });
    const before = engine.stats().telemetryFrames;
    const ok = await raw('/otel', { Authorization: `Bearer ${TOKEN}` });
    await ok.send(Buffer.from('OTLP{}'), true);
    await waitFor(() => engine.stats().telemetryFrames === before + 1);
  });

  it('channel sockets stay key-only: no token needed to use a channel', async () => {
    const w = worker({ token: TOKEN });
    const channel = await firstValueFrom(w.createChannel());
    // ends opened on their own, with no Authorization header at all
    const reader = new ChannelReader(engine.url, channel.readerRef);
    const writer = new ChannelWriter(engine.url, channel.writerRef);
    const got = lastValueFrom(reader.text$.pipe(toArray()));
    writer.next('a');
    writer.next('b');
    writer.complete();
    expect(await got).toEqual(['a', 'b']);
  });

  it('an iii-rx worker with the token works end to end', async () => {
    const callee = worker({ token: TOKEN });
    const caller = worker({ token: TOKEN });
    callee.registerFunction('auth::double', (n: number) => n * 2);
    await syncWithEngine(callee);
    await whenOpen(caller);
    await expect(firstValueFrom(caller.trigger('auth::double', 21))).resolves.toBe(42);
  });

  it('takes the token from env III_TOKEN by default', async () => {
    const saved = process.env.III_TOKEN;
    process.env.III_TOKEN = TOKEN;
    try {
      const w = worker();
      await whenOpen(w);
      await syncWithEngine(w);
      expect(w.state).toBe('open');
    } finally {
      if (saved === undefined) delete process.env.III_TOKEN;
      else process.env.III_TOKEN = saved;
    }
  });

  it.each([
    ['no token', {}, /requires a token/],
    ['a wrong token', { token: 'guess' }, /not valid/],
  ])('an iii-rx worker with %s closes for good with AuthError; its calls fail with it', async (_what, options, message) => {
    const refusedBefore = engine.stats().refusedSockets;
    const w = worker(options);
    // queued before the socket opens: fails with the AuthError rather than a generic close
    const call = errorOf(w.trigger('auth::anything', {}));
    const states = lastValueFrom(w.state$.pipe(toArray()));
    expect(await states).toEqual(expect.arrayContaining(['connecting', 'closed']));
    expect(await states).not.toContain('reconnecting');
    const err = await call;
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: 'AUTH_ERROR' });
    expect(w.closeError).toBeInstanceOf(AuthError);
    expect(w.closeError?.message).toMatch(message);
    // later calls fail at once with the same error
    const later = await errorOf(w.trigger('auth::anything', {}));
    expect(later).toBeInstanceOf(AuthError);
    // it did not retry (a retry would show as another refused socket within its 1 ms backoff)
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.stats().refusedSockets).toBe(refusedBefore + 1);
  });

  it('calls already sent on the refused socket fail with AuthError, not a timeout', async () => {
    const w = worker({ token: 'guess', failInFlightOnDisconnect: false });
    const calls = [1, 2, 3].map((n) => errorOf(w.trigger('auth::anything', n, { timeoutMs: 60_000 })));
    for (const err of await Promise.all(calls)) {
      expect(err).toBeInstanceOf(AuthError);
      expect(err).not.toBeInstanceOf(InvocationError);
    }
    expect(w.pendingCalls).toBe(0);
  });

  describe('official iii-sdk 0.22.1', () => {
    let quiet: jest.SpyInstance[] = [];
    beforeAll(() => {
      quiet = (['debug', 'info', 'warn', 'error', 'log'] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => undefined));
    });
    afterAll(() => quiet.forEach((s) => s.mockRestore()));

    it('with the `headers` option it registers and serves calls', async () => {
      const sdk = registerWorker(engine.url, {
        otel: { enabled: false },
        enableMetricsReporting: false,
        headers: { Authorization: `Bearer ${TOKEN}` },
      } as never);
      try {
        sdk.registerFunction('auth::sdk-add', async (d: { a: number; b: number }) => d.a + d.b);
        await waitFor(() => engine.functionIds().includes('auth::sdk-add'));
        const caller = worker({ token: TOKEN });
        await expect(firstValueFrom(caller.trigger('auth::sdk-add', { a: 40, b: 2 }))).resolves.toBe(42);
        // and the SDK can call an iii-rx function
        caller.registerFunction('auth::rx-neg', (n: number) => -n);
        await syncWithEngine(caller);
        await expect(sdk.trigger({ function_id: 'auth::rx-neg', payload: 5 })).resolves.toBe(-5);
      } finally {
        await sdk.shutdown();
      }
    });

    it('without it the SDK is refused (it logs and keeps retrying) and registers nothing', async () => {
      const before = engine.stats().refusedSockets;
      const sdk = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false });
      try {
        sdk.registerFunction('auth::sdk-sneaky', async () => 1);
        await waitFor(() => engine.stats().refusedSockets > before);
        expect(engine.functionIds()).not.toContain('auth::sdk-sneaky');
      } finally {
        await sdk.shutdown();
      }
    });
  });
});

describe('engine without a token', () => {
  it('accepts workers that present one anyway', async () => {
    const engine = await startEngine({ port: 0 });
    const c = await RawClient.open(engine.url, { headers: { Authorization: 'Bearer whatever' } });
    try {
      expect((await c.next()).type).toBe('workerregistered');
    } finally {
      await c.close(true);
      await engine.close();
    }
  });

  it('refuses an empty token option', async () => {
    await expect(startEngine({ port: 0, token: '' })).rejects.toThrow(/non-empty/);
  });
});

describe('iii-rx engine --token / III_ENGINE_TOKEN', () => {
  const run = (args: string[]) => {
    const out: string[] = [];
    let stop!: (signal: string) => void;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const io: CliIo = { out: (l) => out.push(l), err: () => undefined, waitForStop: () => stopped };
    return { exit: main(args, io), out, stop };
  };
  const urlOf = async (out: string[]) => {
    await waitFor(() => out.some((l) => l.startsWith('iii-rx engine listening on ')));
    return out.find((l) => l.startsWith('iii-rx engine listening on '))!.slice('iii-rx engine listening on '.length);
  };

  it.each([
    ['--token', ['--token', 'cli-secret'], undefined],
    ['III_ENGINE_TOKEN', [], 'cli-secret'],
  ])('%s: the engine refuses workers without the token and accepts it', async (_how, flags, env) => {
    const saved = process.env.III_ENGINE_TOKEN;
    if (env === undefined) delete process.env.III_ENGINE_TOKEN;
    else process.env.III_ENGINE_TOKEN = env;
    const cli = run(['engine', '--port', '0', '--quiet', ...flags]);
    try {
      const url = await urlOf(cli.out);
      expect(cli.out).toContain('iii-rx engine: workers must present the token (Authorization: Bearer)');
      const refused = await RawClient.open(url);
      expect((await refused.closed).code).toBe(1005);
      expect(refused.frames[0]).toMatchObject({ type: 'error', error: { code: 'AUTH_ERROR' } });
      const ok = await RawClient.open(url, { headers: { Authorization: 'Bearer cli-secret' } });
      expect((await ok.next()).type).toBe('workerregistered');
      await ok.close(true);
    } finally {
      cli.stop('SIGTERM');
      await cli.exit;
      if (saved === undefined) delete process.env.III_ENGINE_TOKEN;
      else process.env.III_ENGINE_TOKEN = saved;
    }
  });
});
