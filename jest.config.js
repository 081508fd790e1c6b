/** Unit tests sit next to the code; integration and end-to-end tests run the real restic. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
  },
];
const common = {
  transform: { '^.+\\.ts$': swc },
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/quiet-nest-logger.ts'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/support/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
  testTimeout: 60000,
  // A worker that ran many files holds 570-650 MB, and on this VM exiting such a process (V8
  // freeing its heap, the kernel unmapping it) takes 0.4-0.6 s after its exit event; with
  // Jest's default of 500 ms it was reported as "failed to exit gracefully" and force exited,
  // though nothing was left open in it. A worker that hangs for real still gets killed.
  workerGracefulExitTimeout: 3000,
};
