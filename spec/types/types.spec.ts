import { execFile } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packPackage, PackedPackage, projectWith, ROOT } from '../package/packedPackage';

// packing and compiling whole projects is slow on a loaded machine; the tests assert results, never timings
jest.setTimeout(180_000);

const run = promisify(execFile);
const FIXTURES = join(__dirname, 'fixtures');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The fixture projects: how each resolves iii-rx, and which packages it has besides the packed tarball. */
// The Node fixtures use @types/node for their own Node code only: iii-rx's declarations need no @types, the
// engine and testing entries included (node16-engine compiles them with `types: []`; lib DOM only for rxjs's `setTimeout`).
const PROJECTS: { name: string; what: string; dependencies: string[] }[] = [
  { name: 'node16-cjs', what: 'CommonJS Node app, node16 resolution', dependencies: ['rxjs', 'io-ts', 'fp-ts', '@types/node'] },
  { name: 'node16-esm', what: 'ES-module Node app, node16 resolution', dependencies: ['rxjs', 'io-ts', 'fp-ts', '@types/node'] },
  { name: 'node16-engine', what: 'the Node-only engine and testing entries, node16 resolution, no @types', dependencies: ['rxjs', 'io-ts', 'fp-ts'] },
  { name: 'bundler-browser', what: 'browser app, bundler resolution, no @types', dependencies: ['rxjs', 'io-ts', 'fp-ts'] },
  { name: 'bundler-angular', what: 'Angular app, bundler resolution, no @types', dependencies: ['rxjs', 'io-ts', 'fp-ts', '@angular/core'] },
  { name: 'node16-angular', what: 'Angular code as Node ES modules, node16 resolution, no @types', dependencies: ['rxjs', 'io-ts', 'fp-ts', '@angular/core'] },
];

/** Compiles a fixture project with tsc (strict, skipLibCheck false); resolves to tsc's diagnostics, '' when clean. */
async function compile(packed: PackedPackage, name: string, dependencies: string[]): Promise<string> {
  const project = projectWith(packed, name, dependencies);
  cpSync(join(FIXTURES, name), project, { recursive: true });
  cpSync(join(FIXTURES, 'shared'), join(project, 'shared'), { recursive: true });
  try {
    await run(process.execPath, [TSC, '-p', project, '--pretty', 'false'], { cwd: project });
    return '';
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}`.trim() || String(err);
  }
}

describe('public types, compiled in fresh projects that installed the packed tarball (strict, skipLibCheck false)', () => {
  let packed: PackedPackage;
  beforeAll(() => {
    packed = packPackage();
  });
  afterAll(() => packed?.dispose());

  it.each(PROJECTS)('$name: $what', async ({ name, dependencies }) => {
    expect(await compile(packed, name, dependencies)).toBe('');
  });

  it('fails to compile when an inferred type is not the expected one (the fixtures can fail)', async () => {
    const project = projectWith(packed, 'broken', ['rxjs', 'io-ts', 'fp-ts']);
    cpSync(join(FIXTURES, 'bundler-browser'), project, { recursive: true });
    cpSync(join(FIXTURES, 'shared'), join(project, 'shared'), { recursive: true });
    writeFileSync(
      join(project, 'wrong.ts'),
      "import { connectWorker } from 'iii-rx';\nimport { Equal, expectTrue } from './shared/expect.js';\n" +
        "const sum$ = connectWorker('ws://x').trigger<number>('a');\nexpectTrue<Equal<typeof sum$, string>>();\n",
    );
    const diagnostics = await run(process.execPath, [TSC, '-p', project, '--pretty', 'false'], { cwd: project }).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? '',
    );
    expect(diagnostics).toMatch(/wrong\.ts\(4,\d+\): error TS2344/);
  });
});
