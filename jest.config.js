/** jest runs the TypeScript sources through ts-jest in ESM mode; e2e tests spawn bin/evtail.js (built dist/). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: [['default', { summaryThreshold: 0 }], '<rootDir>/test/helpers/count-reporter.cjs'],
};
