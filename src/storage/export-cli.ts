// `npm run data:export [dir]`: the current knowledge (the seed plus the revisions approved since) written back as
// data/ files, into data/ or the directory given, for a desk to check (`npm run data:check <dir>`) and commit.
// The store is DATABASE_URL's (default var/niger-watch.sqlite), with data/ imported first as at every start.
import { ConfigError, loadEnvFile } from '../config.ts';
import { DataError, DEFAULT_DATA_DIR } from '../knowledge/load.ts';
import { exportKnowledge } from './export.ts';
import { openStore, StorageError } from './open.ts';
import { importSeed } from './seed.ts';

const args = process.argv.slice(2);
if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
  process.stderr.write('Usage: npm run data:export [directory]   (default: data/)\n');
  process.exit(2);
}
const dir = args[0] ?? DEFAULT_DATA_DIR;
try {
  loadEnvFile();
  const store = await openStore(process.env.DATABASE_URL);
  try {
    const imported = await importSeed(store, DEFAULT_DATA_DIR);
    const report = await exportKnowledge(store, dir, DEFAULT_DATA_DIR);
    process.stdout.write(
      `Wrote ${report.entries} entries to ${report.dir} (${report.files.length} files; data/ imported first: ${imported.added} new, ${imported.revised} changed). ` +
        `Check them with: npm run data:check ${args[0] ?? ''}\n`,
    );
  } finally {
    await store.close();
  }
} catch (err) {
  if (!(err instanceof StorageError || err instanceof DataError || err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
