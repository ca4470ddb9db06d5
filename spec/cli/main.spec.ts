import WebSocket from 'ws';
import type { CliIo } from '../../lib/cli/CliCommand';
import { COMMANDS } from '../../lib/cli/commands';
import { main, usage } from '../../lib/cli/main';

/** An io that records output and stops when the test says so. */
function testIo() {
  const out: string[] = [];
  const err: string[] = [];
  let stop!: (signal: string) => void;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), waitForStop: () => stopped };
  return { io, out, err, stop };
}

const waitFor = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('iii-rx main', () => {
  it('lists the commands of the table in --help and exits 0', async () => {
    const { io, out } = testIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(out.join('\n')).toBe(usage());
    for (const name of COMMANDS.keys()) expect(usage()).toContain(`  ${name}`);
  });

  it('exits 2 on no command or an unknown one', async () => {
    const a = testIo();
    expect(await main([], a.io)).toBe(2);
    const b = testIo();
    expect(await main(['frobnicate'], b.io)).toBe(2);
    expect(b.err[0]).toBe('iii-rx: unknown command "frobnicate"');
  });

  it('engine: exits 2 with usage on bad arguments', async () => {
    const { io, err } = testIo();
    expect(await main(['engine', '--port', 'x'], io)).toBe(2);
    expect(err[0]).toMatch(/^iii-rx engine: --port must be/);
  });

  it('engine: prints its URL, logs connections and registrations, and stops cleanly on a signal', async () => {
    const { io, out, stop } = testIo();
    const run = main(['engine', '--port', '0'], io);
    await waitFor(() => out.some((l) => l.startsWith('iii-rx engine listening on ')));
    const url = out.find((l) => l.startsWith('iii-rx engine listening on '))!.slice('iii-rx engine listening on '.length);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);

    const ws = new WebSocket(url);
    await new Promise((resolve) => ws.once('message', resolve));
    ws.send(JSON.stringify({ type: 'registerfunction', id: 'cli::fn' }));
    await waitFor(() => out.some((l) => l.includes('function registered') && l.includes('cli::fn')));
    expect(out.some((l) => / info  worker connected /.test(l))).toBe(true);

    const closed = new Promise((resolve) => ws.once('close', resolve));
    stop('SIGTERM');
    await expect(run).resolves.toBe(0);
    await closed;
    expect(out).toContain('iii-rx engine: SIGTERM, stopping');
  });

  it('engine: exits 1 when the port is taken', async () => {
    const first = testIo();
    const running = main(['engine', '--port', '0', '--quiet'], first.io);
    await waitFor(() => first.out.length > 0);
    const port = first.out[0].split(':').pop()!;
    const second = testIo();
    expect(await main(['engine', '--port', port], second.io)).toBe(1);
    expect(second.err[0]).toMatch(/cannot listen on 127\.0\.0\.1:\d+/);
    first.stop('SIGINT');
    expect(await running).toBe(0);
  });
});
