// Checks that the browser build (dist/browser, from scripts/build-esm.mjs) is fit for a web page:
//   1. its only external imports are the declared ones (rxjs, io-ts, fp-ts, @angular/core) — no `ws`, no node:*;
//   2. bundled again *with* those dependencies for platform=browser, nothing fails to resolve, and the result
//      mentions no `Buffer`, `require(` or `node:` (each hit is reported with the source module it came from).
// Exits 1 with a list of problems, or prints one JSON line with the bundle sizes.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALLOWED_EXTERNAL = /^(rxjs|io-ts|fp-ts|@angular\/core)(\/|$)/;
const problems = [];

const meta = JSON.parse(readFileSync(join(root, 'dist/browser-meta.json'), 'utf8'));
for (const [input, info] of Object.entries(meta.inputs)) {
  if (input.includes('node_modules/')) problems.push(`dist/browser bundles ${input}: dependencies must stay external`);
  for (const imp of info.imports) {
    if (imp.external && !imp.path.startsWith('.') && !ALLOWED_EXTERNAL.test(imp.path)) problems.push(`${input} imports ${imp.path}`);
  }
}

const PATTERNS = [
  ['Buffer', /\bBuffer\b/],
  ['require(', /\brequire\(/],
  ['node: import', /["']node:[a-z_]+["']/],
  ['ws import', /from\s+["']ws["']/],
];

/** Reports each offending code line, naming the source module from esbuild's `// path` markers when present. */
function scan(label, text, seen) {
  let module = label;
  text.split('\n').forEach((line, i) => {
    const marker = /^\s*\/\/ ((?:lib|node_modules)\/\S+)$/.exec(line);
    if (marker) module = marker[1];
    if (/^\s*(\/\/|\*)/.test(line)) return; // comments
    if (/typeof Buffer\s*[!=]==?\s*["']undefined["']/.test(line)) return; // feature-detected, with a fallback
    for (const [what, re] of PATTERNS) {
      if (!re.test(line)) continue;
      const key = line.trim();
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(`${what} in ${module} (${label}:${i + 1}): ${key.slice(0, 120)}`);
    }
  });
}

// iii-rx's own code, as published (esbuild marks each module with a `// lib/...` comment)
const seen = new Set();
for (const out of Object.keys(meta.outputs).filter((o) => o.endsWith('.js'))) {
  scan(out, readFileSync(join(root, out), 'utf8'), seen);
}

// and everything a page pulls in through it
const sizes = {};
for (const entry of ['index', 'angular']) {
  let result;
  try {
    result = await build({
      absWorkingDir: root,
      entryPoints: [join(root, `dist/browser/${entry}.js`)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      conditions: ['browser'],
      logLevel: 'silent',
      // @angular/core is an optional peer the app brings; the check is about what iii-rx itself pulls in
      external: entry === 'angular' ? ['@angular/core'] : [],
    });
  } catch (err) {
    for (const e of err.errors ?? [err]) problems.push(`bundling dist/browser/${entry}.js for a page: ${e.text ?? e.message}`);
    continue;
  }
  const text = result.outputFiles[0].text;
  sizes[entry] = text.length;
  scan(`page bundle of ${entry}`, text, seen);
}

if (problems.length) {
  console.error(`browser build check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(JSON.stringify({ check: 'browser-bundle', ok: true, bytes: sizes }));
