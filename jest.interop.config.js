/**
 * Cross-language interop suite: the official Python (0.22.1, 0.25.0) and Rust (0.25.0) iii SDKs
 * against iii-rx and the official Node SDK, through the embedded engine. Needs the peers prepared by
 * scripts/interop-setup.sh, so it runs with `npm run test:interop`, never in `npm test`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec/interop/xlang'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false, ignoreCodes: [151002] } }] },
  // each file runs its own engine and peer processes; one file at a time on a 2-core machine
  maxWorkers: 1,
  testTimeout: 120000,
};
