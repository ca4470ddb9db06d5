import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

/** The tarball `npm pack` makes of this checkout, unpacked into a temporary directory. */
export interface PackedPackage {
  /** The temporary directory (remove it with `dispose`). */
  dir: string;
  /** The unpacked package (the tarball's `package/`). */
  packageDir: string;
  /** Paths inside the package, as `npm pack` listed them. */
  files: string[];
  dispose(): void;
}

/**
 * Packs this checkout with `npm pack` (needs `npm run build` first: `npm test` runs it) and unpacks the tarball.
 *
 * @example
 * ```ts
 * const packed = packPackage();
 * try { console.log(packed.files.length); } finally { packed.dispose(); }
 * ```
 */
export function packPackage(): PackedPackage {
  if (!existsSync(join(ROOT, 'dist/lib/index.js')) || !existsSync(join(ROOT, 'dist/browser/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'iii-rx-pack-'));
  try {
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    execFileSync('tar', ['-xzf', join(dir, info.filename), '-C', dir]);
    return {
      dir,
      packageDir: join(dir, 'package'),
      files: info.files.map((f) => f.path),
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A fresh project directory with the packed iii-rx installed in its node_modules (a copy, so nothing resolves
 * through this checkout's node_modules) and only the named dependencies linked from this checkout: what
 * `npm install iii-rx` gives an app, without extra `@types`.
 *
 * @example
 * ```ts
 * const app = projectWith(packed, 'app', ['rxjs', 'io-ts', 'fp-ts']);
 * ```
 */
export function projectWith(packed: PackedPackage, name: string, dependencies: string[]): string {
  const project = join(packed.dir, name);
  const modules = join(project, 'node_modules');
  mkdirSync(modules, { recursive: true });
  execFileSync('cp', ['-R', packed.packageDir, join(modules, 'iii-rx')]);
  for (const dep of dependencies) {
    const target = join(modules, dep);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), target, 'dir');
  }
  return project;
}
