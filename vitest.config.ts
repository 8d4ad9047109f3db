import { defineConfig } from 'vitest/config';

/**
 * Two projects: `fast` (pure unit and property tests, no processes or sockets: seconds) and `slow`
 * (real sidecars, registries, child processes, Prometheus). `npm test` runs both;
 * `npx vitest run --project fast` while working on the core.
 */
const STARTS_A_SIDECAR = ['test/unit/us-bond-horizon.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    // A private temp directory per run; a test that leaves one of our temp entries in it fails the run.
    globalSetup: ['test/support/temp-leak-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'fast', include: ['test/unit/**/*.test.ts', 'test/property/**/*.test.ts'], exclude: STARTS_A_SIDECAR },
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: ['test/*.test.ts', 'test/{cli,deploy,drills,examples,integration,registry,sdk}/**/*.test.ts', ...STARTS_A_SIDECAR],
        },
      },
    ],
  },
});
