/**
 * The build's snapshot of the loaded, validated knowledge data (dist/knowledge-data.json): reading data/'s YAML
 * and validating it with zod is most of what a start spends on data/ (~85 ms of a one-shot `ask`; JSON.parse of
 * the result takes ~3 ms, `npm run bench startup`). The snapshot is keyed by everything its data was made from:
 * every file under the data folder, the code of this folder (the loader, the schemas and what they call), the
 * versions of zod and js-yaml, and the load's options. A start whose key differs — a data file edited after the
 * build, a loader changed, a snapshot made for other options — or whose snapshot is missing or unreadable loads
 * data/ in full, so a broken file is reported exactly as without a snapshot.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../paths.ts';

/** Where `npm run build` writes the snapshot the bot starts from. */
export const DEFAULT_SNAPSHOT = join(PROJECT_ROOT, 'dist', 'knowledge-data.json');

/** Bumped when the file's layout changes. */
const FORMAT = 1;

/** This folder: src/knowledge under tsx and the tests, dist/src/knowledge compiled, so neither reads the other's snapshot. */
const LOADER_DIR = dirname(fileURLToPath(import.meta.url));

const LIBRARIES = ['zod', 'js-yaml'];

function filesUnder(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, found);
    else found.push(path);
  }
  return found;
}

/**
 * The key of a load of `dataDir` with `options`: a SHA-256 of what the loaded data depends on (see above). Paths
 * are hashed relative to their folder, so a moved checkout keeps its snapshot.
 */
export function snapshotKey(dataDir: string, options: Record<string, unknown>): string {
  const hash = createHash('sha256');
  const add = (label: string, content: string | Buffer) => {
    hash.update(`${label}\u0000${content.length}\u0000`);
    hash.update(content);
  };
  add('format', String(FORMAT));
  add('options', JSON.stringify(options, Object.keys(options).sort()));
  const require = createRequire(import.meta.url);
  for (const name of LIBRARIES) add(`library ${name}`, readFileSync(require.resolve(`${name}/package.json`)));
  for (const [label, dir] of [
    ['loader', LOADER_DIR],
    ['data', dataDir],
  ] as const) {
    for (const path of filesUnder(dir).sort()) add(`${label} ${relative(dir, path)}`, readFileSync(path));
  }
  return hash.digest('hex');
}

/** The data in the snapshot at `path` if it was written under `key`; undefined when it is missing, unreadable or stale. */
export function readSnapshot<T>(path: string, key: string): T | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || !('key' in parsed) || !('data' in parsed)) return undefined;
  if (parsed.key !== key || parsed.data === null || typeof parsed.data !== 'object') return undefined;
  return parsed.data as T;
}

/** Writes the snapshot whole or not at all: a start never reads half a file. */
export function writeSnapshot(path: string, key: string, data: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ key, data }));
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}
