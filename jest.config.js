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
  // Most e2e time is waiting on a spawned evtail or a mock's timer, not CPU: four workers on two cores overlap those
  // waits (measured: 170 s of jest time at 2 workers, 124 s at 4, the same CPU in all).
  maxWorkers: 4,
  reporters: [['default', { summaryThreshold: 0 }], '<rootDir>/test/helpers/count-reporter.cjs'],
};
