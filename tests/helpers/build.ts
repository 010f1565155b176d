/**
 * vitest globalSetup: compiles src/ and commands/ to dist/ when a source is newer (what `npm start`'s prestart
 * does), so the tests that start the bot as a process run the code under test, compiled as in production.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url)), '--if-stale'], { stdio: 'inherit' });
}
