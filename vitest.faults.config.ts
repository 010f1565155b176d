import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault suite (tests/faults) runs the real bot process against the fakes and
 * PostgreSQL, injects faults and counts posts. One file at a time: memory and timing figures must not
 * share the machine with another file's bot.
 */
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Process tests start dist/ as `npm start` does: built first when a source changed.
    globalSetup: ['tests/helpers/build.ts'],
    fileParallelism: false,
  },
});
