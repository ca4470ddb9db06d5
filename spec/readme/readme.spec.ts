import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
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
    if (!code.startsWith('import ')) continue;
    const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ (.+)$/gm)].map(
      ([, promise]) => new RegExp(promise.trim().split('…').map(escapeRegExp).join('.*')),
    );
    examples.push({ line: text.slice(0, m.index).split('\n').length, code, expected });
  }
  return examples;
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
