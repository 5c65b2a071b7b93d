/** jest runs the TypeScript sources through swc in ESM mode; e2e tests spawn bin/evtail.js (built dist/). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    // swc strips the types (tsconfig's isolatedModules already kept ts-jest from type-checking; `npm run typecheck`
    // does that): a file in ~1 ms instead of ~100, and no TypeScript compiler loaded in every worker.
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022', transform: { useDefineForClassFields: true } } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The longest files first even on a clean clone (test/durations.json), where jest has no timings of its own.
  testSequencer: '<rootDir>/test/helpers/sequencer.cjs',
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/helpers/global-setup.cjs',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.cjs',
  // Much e2e time is waiting on a mock's timer, a backoff or a spawned evtail, not CPU: more workers than cores
  // overlap those waits, until the CPU is the limit. Measured on the 2-core machine, 2026-11-30, alternating runs with
  // a warm cache, after the recipes ran in-process and swc replaced ts-jest (~72-80 s of CPU a run): 5 workers 51 s,
  // 6 workers 45-46 s, 7 workers 41-48 s (six runs of 41-42 s), 8 workers 43 s; more workers cost CPU of their own.
  // A clean clone (a cold cache, as CI runs it) took 42 s at 7.
  maxWorkers: 7,
  reporters: [['default', { summaryThreshold: 0 }], '<rootDir>/test/helpers/count-reporter.cjs'],
};
