/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  // cross-language and browser suites have their own configs and scripts (npm run test:interop, test:browser)
  testPathIgnorePatterns: ['/node_modules/', '/spec/interop/xlang/', '/spec/browser/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false, ignoreCodes: [151002] } }],
    // @angular/* ships ES modules only (.mjs): compiled to CJS for the spec/angular suite
    '^.+\\.mjs$': '<rootDir>/spec/angular/esmToCjsTransform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@angular/)'],
  testTimeout: 30000,
};
