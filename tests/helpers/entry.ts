/**
 * What `npm start` and `npm run ask` run: the compiled entry points in dist/ (built before the tests by
 * tests/helpers/build.ts, vitest's globalSetup), so the process tests start exactly what production starts.
 */
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** `npm start`: `exec node dist/src/main.js`. */
export const MAIN_JS = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));
/** `npm run ask`: `node dist/src/adapters/shell/ask.js`. */
export const ASK_JS = fileURLToPath(new URL('../../dist/src/adapters/shell/ask.js', import.meta.url));
