import { parseDemoArgs, parseSize } from '../../../lib/cli/demo/parseDemoArgs';

describe('parseSize', () => {
  it.each([
    ['512MiB', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['64k', 65536],
    ['1000', 1000],
    ['1.5MB', 1.5 * 1024 ** 2],
  ])('%s', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it('rejects nonsense', () => expect(() => parseSize('lots')).toThrow('not a size'));
});

describe('parseDemoArgs', () => {
  it('defaults to 512 MiB on an embedded engine', () => {
    const o = parseDemoArgs([], {});
    expect(o.size).toBe(512 * 1024 ** 2);
    expect(o.url).toBeUndefined();
  });

  it('takes III_URL from the environment and flags over it', () => {
    expect(parseDemoArgs([], { III_URL: 'ws://a:1' }).url).toBe('ws://a:1');
    expect(parseDemoArgs(['--url', 'ws://b:2'], { III_URL: 'ws://a:1' }).url).toBe('ws://b:2');
  });

  it('reads every flag', () => {
    const o = parseDemoArgs(['--file', '/tmp/x', '--fan-out', '10', '--stream-values', '5', '--plain'], {});
    expect(o).toMatchObject({ file: '/tmp/x', fanOut: 10, streamValues: 5, plain: true });
  });

  it('refuses unknown flags and bad values with the usage', () => {
    expect(() => parseDemoArgs(['--nope'], {})).toThrow(/unknown flag --nope[\s\S]*usage/);
    expect(() => parseDemoArgs(['--fan-out', '0'], {})).toThrow('positive integer');
    expect(() => parseDemoArgs(['--size'], {})).toThrow('needs a value');
  });
});
