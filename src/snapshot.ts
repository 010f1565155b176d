/**
 * Build-time snapshots of what every start would otherwise compute from files: the loaded, validated data/
 * (knowledge/load.ts; reading its YAML and validating it with zod was ~85 ms of a one-shot `ask`) and the parsed
 * message catalogs (core/i18n.ts, ~25 ms). `npm run build` writes them into dist/; JSON.parse of one takes ~2 ms
 * (`npm run bench startup`). Each is keyed by everything it was made from — the files it was read from, the code
 * that reads them, the versions of the libraries that parse and validate them, the options — so a start whose
 * inputs differ (a file edited after the build, changed code, other options), or whose snapshot is missing or
 * unreadable, reads the files in full, and reports a broken one exactly as it would without a snapshot.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

/** Where the build writes the snapshots the bot starts from. */
export const SNAPSHOT_DIR = join(PROJECT_ROOT, 'dist');

/** Bumped when the files' layout changes. */
const FORMAT = 1;

export interface SnapshotInputs {
  /**
   * Folders whose every file the result depends on, by label: the files read, and the code that reads them (its
   * module's own folder: src/… under tsx and the tests, dist/src/… compiled, so neither matches the other's key).
   */
  folders: Record<string, string>;
  /** Packages whose version the result depends on. */
  libraries: string[];
  /** Settings the result depends on. */
  options: Record<string, unknown>;
}

function filesUnder(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, found);
    else found.push(path);
  }
  return found;
}

/** The package.json of an installed package, found up from its entry point (not every package exports it). */
function packageJson(name: string): Buffer {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const text = readFileSync(file);
      if ((JSON.parse(text.toString()) as { name?: string }).name === name) return text;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json found for ${name}`);
    dir = up;
  }
}

/** A SHA-256 of the inputs. Paths are hashed relative to their folder, so a moved checkout keeps its snapshots. */
export function snapshotKey(inputs: SnapshotInputs): string {
  const hash = createHash('sha256');
  const add = (label: string, content: string | Buffer) => {
    hash.update(`${label}\u0000${content.length}\u0000`);
    hash.update(content);
  };
  add('format', String(FORMAT));
  add('options', JSON.stringify(inputs.options, Object.keys(inputs.options).sort()));
  for (const name of inputs.libraries) add(`library ${name}`, packageJson(name));
  for (const [label, dir] of Object.entries(inputs.folders)) {
    for (const path of filesUnder(dir).sort()) add(`${label} ${relative(dir, path)}`, readFileSync(path));
  }
  return hash.digest('hex');
}

/**
 * The data in the snapshot at `path` if it was written under the key of `inputs`; undefined when it is missing,
 * unreadable or stale, or the inputs cannot be read (the full read then says which).
 */
export function readSnapshot<T>(path: string, inputs: SnapshotInputs): T | undefined {
  let parsed: unknown;
  try {
    const key = snapshotKey(inputs);
    parsed = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || !('key' in parsed) || !('data' in parsed) || parsed.key !== key) return undefined;
  } catch {
    return undefined;
  }
  return parsed.data !== null && typeof parsed.data === 'object' ? (parsed.data as T) : undefined;
}

/** Writes the snapshot whole or not at all: a start never reads half a file. */
export function writeSnapshot(path: string, inputs: SnapshotInputs, data: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ key: snapshotKey(inputs), data }));
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}
