// `npm run test:browser`: the browser suite, in real headless Chromium (Debian's `chromium` package, driven by
// playwright-core). Needs `npm run build` first (the page is bundled from dist/browser, the published artifact).
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/spec/browser'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false, ignoreCodes: [151002] } }] },
  testTimeout: 120000,
};
