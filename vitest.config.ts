import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The fault suite has its own config and script (npm run test:faults).
    exclude: ['tests/faults/**', '**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Adapter tests open local servers; separate processes keep their ports and clocks apart.
    pool: 'forks',
    // Process tests start dist/ as `npm start` does: built first when a source changed.
    globalSetup: ['tests/helpers/build.ts'],
    // The shell and CLI answer in the terminal's language: tests start from English whatever the machine's.
    env: { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' },
  },
});
