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
  // Much e2e time is waiting on a mock's timer, a backoff or a spawned evtail, not CPU: five workers on two cores
  // overlap those waits. Measured on the shared 2-core machine, the same ~98 s of CPU in each: 99 s of jest time at
  // 3 workers, 83 s at 4, 69 s at 5, 69 s at 6 (before the in-process runner: 170 s at 2, 124 s at 4). Again on
  // 2026-11-30, alternating runs under others' load: 4 workers 69-92 s (3-4 s less CPU: each worker compiles the
  // modules again), 5 workers 56-67 s, 6 workers 51-58 s at the same CPU; workerIdleMemoryLimit made no clear change.
  maxWorkers: 7,
  reporters: [['default', { summaryThreshold: 0 }], '<rootDir>/test/helpers/count-reporter.cjs'],
};
