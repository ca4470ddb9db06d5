import { toEngineLog } from '../../lib/engine/EngineLogger';

describe('toEngineLog', () => {
  it('is silent without a logger and for missing levels', () => {
    expect(() => toEngineLog(undefined).error('x')).not.toThrow();
    const seen: string[] = [];
    const log = toEngineLog({ warn: (m) => seen.push(m) });
    log.info('ignored');
    log.warn('kept', { a: 1 });
    expect(seen).toEqual(['kept']);
  });

  it('swallows a throwing hook and keeps `this`', () => {
    const hook = {
      lines: [] as string[],
      info(this: { lines: string[] }, m: string) {
        this.lines.push(m);
      },
      error() {
        throw new Error('logger broke');
      },
    };
    const log = toEngineLog(hook);
    expect(() => log.error('boom')).not.toThrow();
    log.info('ok');
    expect(hook.lines).toEqual(['ok']);
  });
});
