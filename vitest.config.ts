import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PGlite: initdb and migrations once, into a template every test database copies.
    globalSetup: ['test/support/pglite-template.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every file gets its own database, so files may run in parallel; two cores is the CI size.
    maxWorkers: 2,
  },
});
