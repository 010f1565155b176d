// `npm run data:check [dir]`: validates the knowledge base and prints every problem at once.
import { DataError, DEFAULT_DATA_DIR, loadKnowledgeData } from './load.ts';

const dir = process.argv[2] ?? DEFAULT_DATA_DIR;
try {
  const data = loadKnowledgeData(dir);
  const counts = Object.entries(data).filter(([, list]) => Array.isArray(list)).map(([name, list]) => `${(list as unknown[]).length} ${name}`);
  process.stdout.write(`Knowledge base OK: ${counts.join(', ')}.\n`);
} catch (err) {
  if (!(err instanceof DataError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
