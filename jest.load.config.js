/**
 * Load suite: `npm run test:load` (sets III_RX_LOAD=1). 1,000 channels at once with every byte hashed,
 * 10,000 calls in flight, engine memory per idle channel, and the fuzz suites at ten times their `npm test`
 * size. Never part of plain `npm test` (its files end in .load.ts, which the default config does not match).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec/reliability'],
  testMatch: ['**/*.load.ts', '**/fuzz.spec.ts', '**/hostileEngine.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false, ignoreCodes: [151002] } }] },
  // one file at a time on a 2-core machine: the numbers mean more without a neighbour
  maxWorkers: 1,
  testTimeout: 180000,
};
