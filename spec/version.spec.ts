import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../lib/version';

describe('VERSION', () => {
  it('matches package.json (bump both together)', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
