// Jest transform for the ES-module-only Angular packages (`@angular/*` ships `.mjs` files only): esbuild turns
// each file into CommonJS so that the Angular specs run under the project's ordinary CJS jest setup.
'use strict';
const { transformSync } = require('esbuild');
const { createHash } = require('node:crypto');

module.exports = {
  getCacheKey(source, filename) {
    return createHash('sha256').update('esm-to-cjs-1\0').update(filename).update('\0').update(source).digest('hex');
  },
  process(source, filename) {
    const out = transformSync(source, {
      format: 'cjs',
      loader: 'js',
      target: 'es2022',
      sourcemap: 'inline',
      sourcefile: filename,
    });
    return { code: out.code };
  },
};
