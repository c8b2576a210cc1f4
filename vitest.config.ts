import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Once per run: PGlite's initdb and migrations into a template every test database copies; src/ compiled for
    // the tests that start the app as a process; the dashboard page bundled.
    globalSetup: ['test/support/pglite-template.ts', 'test/support/app-build.ts', 'test/support/page-build.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every file gets its own database, so files may run in parallel; two cores is the CI size.
    maxWorkers: 2,
    // Each worker process runs its files one after another with one module cache, instead of a fresh process
    // importing the app (grammY, drizzle, PGlite's WASM, zod) again for each of the ~75 files: that import was
    // about 40% of the suite's CPU time. Safe because nothing in src/ or test/support/ keeps module-level state
    // (no singletons, no env reads; docs/architecture.md) and no test uses vi.mock; a test that changes
    // process-wide state (the umask) puts it back in afterAll.
    isolate: false,
  },
});
