// `npm run bench`: runs every tests/bench/*.bench.ts in turn (or only those named on the command line). A bench
// that exports `onlyWhenNamed` (the 10,000-digest load run takes minutes) runs only when named.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: () => Promise<void>; onlyWhenNamed?: boolean };
  if (mod.onlyWhenNamed && only.length === 0) {
    process.stdout.write(`\n## ${file.replace('.bench.ts', '')}: skipped (run it by name: npm run bench ${file.replace('.bench.ts', '')})\n`);
    continue;
  }
  process.stdout.write(`\n## ${file.replace('.bench.ts', '')}\n`);
  await mod.default();
}
