import type { CliIo } from '../../../lib/cli/CliCommand';
import { COMMANDS } from '../../../lib/cli/commands';
import { DEMO_USAGE } from '../../../lib/cli/demo/parseDemoArgs';
import { main } from '../../../lib/cli/main';

function testIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), waitForStop: () => new Promise(() => undefined) };
  return { io, out, err };
}

describe('iii-rx demo command', () => {
  it('is in the command table', () => {
    expect(COMMANDS.get('demo')?.usage).toBe(DEMO_USAGE);
  });

  it('prints its usage on --help', async () => {
    const { io, out } = testIo();
    expect(await main(['demo', '--help'], io)).toBe(0);
    expect(out).toEqual([DEMO_USAGE]);
  });

  it('exits 2 on a bad flag', async () => {
    const { io, err } = testIo();
    expect(await main(['demo', '--size', 'huge'], io)).toBe(2);
    expect(err.join('\n')).toContain('iii-rx demo: not a size: huge');
  });

  it('exits 1 with a clear message when --file cannot be read, before starting any process', async () => {
    const { io, out, err } = testIo();
    expect(await main(['demo', '--file', '/nonexistent/input.bin', '--plain'], io)).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^iii-rx demo failed: cannot read --file \/nonexistent\/input\.bin: ENOENT/)]);
    expect(out.join('\n')).not.toContain('engine');
  });
});
