#!/usr/bin/env node
// `npm run build`: compiles src/ and commands/ to dist/ (tsconfig.build.json, incremental), then removes
// compiled files whose source is gone (a deleted command must not stay discoverable in dist/commands).
// `--prepare` (npm ci, npm install): the same. `--if-stale` (prestart, preask): does nothing when dist/ is newer than every source file and folder,
// which costs a few milliseconds instead of the second or so TypeScript needs to load and compare.
// Each build, and `--if-stale` when data/ or locales/ changed since, also writes the snapshots the bot starts from
// (src/snapshot.ts): dist/knowledge-data.json, the validated data/, and dist/catalogs.json, the parsed locales/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const stamp = join(dist, '.tsbuildinfo');
const SOURCES = ['src', 'commands'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** The files under `dir` that end in `ext`, and (with `folders`) every folder: adding or removing a file changes its folder's time. */
function walk(dir, ext, folders, found = []) {
  if (folders) found.push(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, ext, folders, found);
    else if (entry.name.endsWith(ext)) found.push(path);
  }
  return found;
}

function fresh() {
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  const inputs = [...SOURCES.flatMap((d) => walk(join(root, d), '.ts', true)), ...CONFIGS.map((f) => join(root, f))];
  return inputs.every((path) => !existsSync(path) || statSync(path).mtimeMs <= built);
}

const compiled = (path) => import(pathToFileURL(join(dist, 'src', path)).href);
/** Each snapshot: its file, the folder it is made from, and how the compiled code writes it. */
const SNAPSHOTS = [
  {
    file: join(dist, 'knowledge-data.json'),
    from: join(root, 'data'),
    write: async (file) => {
      const load = await compiled('knowledge/load.js');
      load.writeKnowledgeSnapshot(load.DEFAULT_DATA_DIR, { ...load.BOT_LOAD_OPTIONS, snapshot: file });
    },
  },
  {
    file: join(dist, 'catalogs.json'),
    from: join(root, 'locales'),
    // (Importing i18n.js reads the catalogs once already: a broken one throws there.)
    write: async (file) => (await compiled('core/i18n.js')).Catalogs.writeSnapshot(file),
  },
];

/** Whether a snapshot is newer than every file and folder it is made from (the bot checks its key at start in any case). */
function snapshotFresh({ file, from }) {
  if (!existsSync(file)) return false;
  const written = statSync(file).mtimeMs;
  return !existsSync(from) || walk(from, '', true).every((path) => statSync(path).mtimeMs <= written);
}

/**
 * Reads the files with the compiled code as the bot does and writes what it read. Files with problems get no
 * snapshot (the bot then reads them in full and reports the problems at start, as it would without one); neither
 * that nor any other failure here fails the build, since the bot starts correctly without a snapshot.
 */
async function writeSnapshot({ file, from, write }) {
  rmSync(file, { force: true });
  try {
    await write(file);
  } catch (err) {
    const why = err?.name === 'DataError' ? `data/ has ${err.problems.length} problem(s) (npm run data:check lists them)` : (err?.message ?? String(err));
    process.stderr.write(`build: no snapshot of ${relative(root, from)}/, the bot will read it in full at each start: ${why}\n`);
  }
}

if (process.argv.includes('--if-stale') && fresh()) {
  for (const snapshot of SNAPSHOTS) if (!snapshotFresh(snapshot)) await writeSnapshot(snapshot);
  process.exit(0);
}

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  if (existsSync(stamp)) {
    // A production install (npm ci --omit=dev) with the dist/ built before it, as in the Docker image.
    process.stderr.write('build: TypeScript is not installed (production install): running the dist/ already built\n');
    process.exit(0);
  }
  process.stderr.write('build: dist/ is missing and TypeScript is not installed: run `npm ci` (with dev dependencies) first\n');
  // As `prepare` of a production install that copies dist/ in afterwards (Dockerfile), this is no error yet.
  process.exit(process.argv.includes('--prepare') ? 0 : 1);
}
const started = Date.now();
const result = spawnSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

for (const dir of SOURCES) {
  const out = join(dist, dir);
  if (!existsSync(out)) continue;
  for (const path of walk(out, '.js', false)) {
    if (!existsSync(join(root, relative(dist, path)).replace(/\.js$/, '.ts'))) rmSync(path);
  }
}
// tsc -b leaves its stamp alone when nothing changed: touch it, so that --if-stale finds dist/ fresh next time.
const now = new Date();
utimesSync(stamp, now, now);
for (const snapshot of SNAPSHOTS) await writeSnapshot(snapshot);
if (Date.now() - started > 3000) process.stderr.write(`build: dist/ compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
