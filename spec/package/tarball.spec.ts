import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packPackage, PackedPackage, ROOT } from './packedPackage';

// packing and compiling whole projects is slow on a loaded machine; the tests assert results, never timings
jest.setTimeout(180_000);

interface SourceMap {
  sources: string[];
  sourcesContent?: (string | null)[];
}

describe('the npm tarball', () => {
  let packed: PackedPackage;
  beforeAll(() => {
    packed = packPackage();
  });
  afterAll(() => packed?.dispose());

  it('ships the three entries and their types, and no sources, specs or build leftovers', () => {
    for (const f of ['dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/engine/index.js', 'dist/lib/angular/index.js',
      'dist/esm/index.js', 'dist/esm/engine.js', 'dist/browser/index.js', 'dist/browser/angular.js', 'bin/iii-rx.js']) {
      expect(packed.files).toContain(f);
    }
    expect(packed.files.filter((f) => /^(lib|spec|bench|examples)\//.test(f) || f.includes('.spec.'))).toEqual([]);
    expect(packed.files).not.toContain('dist/browser/engine.js');
  });

  it('has source maps that carry the source of every file they map', () => {
    const maps = packed.files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(50);
    const broken: string[] = [];
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(packed.packageDir, file), 'utf8')) as SourceMap;
      const contents = map.sourcesContent ?? [];
      if (map.sources.length === 0 || contents.length !== map.sources.length || contents.some((c) => typeof c !== 'string')) {
        broken.push(file);
      }
    }
    expect(broken).toEqual([]);
  });

  it('names no path of the machine that built it', () => {
    const thisMachine = [ROOT, homedir()].filter((p) => p.length > 1);
    // typical absolute paths, in built files (the README may show shell examples)
    const anyMachine = /(["'(\s]|^)(\/home\/|\/Users\/|\/tmp\/|\/work\/|[A-Z]:\\\\)/m;
    const hits: string[] = [];
    for (const file of packed.files) {
      const text = readFileSync(join(packed.packageDir, file), 'utf8');
      for (const p of thisMachine) if (text.includes(p)) hits.push(`${file}: ${p}`);
      const m = file.startsWith('dist/') ? anyMachine.exec(text) : null;
      if (m) hits.push(`${file}: ${text.slice(m.index, m.index + 60)}`);
    }
    expect(hits).toEqual([]);
  });

  it('declares no `any` in the public types', () => {
    const hits: string[] = [];
    for (const file of packed.files.filter((f) => f.endsWith('.d.ts'))) {
      const code = readFileSync(join(packed.packageDir, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .replace(/'[^'\n]*'|"[^"\n]*"/g, "''"); // string literal types may spell 'any'
      for (const line of code.split('\n').map((l) => l.trim())) {
        if (/\bany\b/.test(line)) hits.push(`${file}: ${line}`);
      }
    }
    expect(hits).toEqual([]);
  });
});
