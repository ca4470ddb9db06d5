import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, transformSync } from 'esbuild';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, '.cache', 'readme-examples');

/** A complete program in the README: a ```ts fence that starts with an import. */
interface Example {
  line: number;
  code: string;
  /** What its `console.log(...); // expected` comments promise, in order; `…` stands for anything. */
  expected: RegExp[];
}

function readmeExamples(): Example[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const examples: Example[] = [];
  const fence = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const code = m[1];
    if (!code.startsWith('import ') || isJestSuite(code)) continue;
    const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ (.+)$/gm)].map(
      ([, promise]) => new RegExp(promise.trim().split('…').map(escapeRegExp).join('.*')),
    );
    examples.push({ line: text.slice(0, m.index).split('\n').length, code, expected });
  }
  return examples;
}

/** A jest suite in the README (it imports from `@jest/globals`): run as part of this spec, not as a program. */
function isJestSuite(code: string): boolean {
  return /from '@jest\/globals'/.test(code);
}

/**
 * The README's jest suites, compiled to CommonJS with `iii-rx` and `iii-rx/testing` pointing at this checkout's
 * sources; requiring one inside a `describe` registers its tests there.
 */
function readmeJestSuites(): Array<{ line: number; file: string }> {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const dir = join(ROOT, '.cache', 'readme-jest');
  mkdirSync(dir, { recursive: true });
  const suites: Array<{ line: number; file: string }> = [];
  const fence = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    if (!m[1].startsWith('import ') || !isJestSuite(m[1])) continue;
    const line = text.slice(0, m.index).split('\n').length;
    const js = transformSync(m[1], { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: `README.md:${line}.ts` })
      .code.replace(/require\("iii-rx\/testing"\)/g, `require(${JSON.stringify(join(ROOT, 'lib', 'testing', 'index.ts'))})`)
      .replace(/require\("iii-rx"\)/g, `require(${JSON.stringify(join(ROOT, 'lib', 'index.ts'))})`);
    const file = join(dir, `readme-line-${line}.js`);
    writeFileSync(file, js);
    suites.push({ line, file });
  }
  return suites;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Bundles one example with `iii-rx` resolved to this checkout's sources. */
async function bundle(example: Example): Promise<string> {
  const outfile = join(OUT, `readme-line-${example.line}.mjs`);
  await build({
    stdin: { contents: example.code, resolveDir: ROOT, loader: 'ts', sourcefile: `README.md:${example.line}.ts` },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    plugins: [
      {
        name: 'iii-rx-from-source',
        setup(b) {
          b.onResolve({ filter: /^iii-rx$/ }, () => ({ path: join(ROOT, 'lib', 'index.ts') }));
          b.onResolve({ filter: /^iii-rx\/engine$/ }, () => ({ path: join(ROOT, 'lib', 'engine', 'index.ts') }));
          // whole packages stay external (Node resolves them from node_modules); deep CJS paths such as
          // fp-ts/lib/Either are bundled, as ESM cannot import them without an extension
          b.onResolve({ filter: /^(@[^/]+\/)?[^./][^/]*$/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
  return outfile;
}

function run(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { env, timeout: 60_000, cwd: ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const examples = readmeExamples();

describe('README examples run as written against the embedded engine', () => {
  let engine: EmbeddedEngine;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    engine = await startEngine({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await engine.close();
    rmSync(OUT, { recursive: true, force: true });
  });

  it('finds the documented examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const example of examples) expect(example.expected.length).toBeGreaterThan(0);
  });

  it.each(examples.map((e) => [e.line, e] as const))('the example at README.md line %i prints what it promises', async (_line, example) => {
    const file = await bundle(example);
    const result = await run(file, { ...process.env, III_URL: engine.url });
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}\n${result.stdout}`);
    let rest = result.stdout;
    for (const promise of example.expected) {
      const found = promise.exec(rest);
      if (!found) throw new Error(`expected output matching ${promise} in:\n${result.stdout}`);
      rest = rest.slice(found.index + found[0].length);
    }
  });
});

describe('README jest suites run as written', () => {
  const suites = readmeJestSuites();

  it('finds the documented suite', () => {
    expect(suites.length).toBeGreaterThanOrEqual(1);
  });

  for (const suite of suites) {
    describe(`the suite at README.md line ${suite.line}`, () => {
      require(suite.file);
    });
  }
});
