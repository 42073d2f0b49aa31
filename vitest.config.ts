import { defineConfig } from 'vitest/config';

// Integration tests each start a real registry (a Go process) and run skopeo,
// so parallelism is capped at the two cores CI has: more workers only make
// every test slower and push registry startup towards the hook timeout.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    globalSetup: ['test/support/global-setup.ts'],
    // each test file gets a blob-location cache of its own (never the real ~/.cache/ferry)
    setupFiles: ['test/support/isolate-cache.ts'],
    // A suite that quietly runs nothing must not pass.
    passWithNoTests: false,
  },
});
