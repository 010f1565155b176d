import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, loadKnowledgeData } from '../../src/knowledge/load.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { exportKnowledge } from '../../src/storage/export.ts';
import { StorageError } from '../../src/storage/migrations.ts';
import { importSeed, readSeed } from '../../src/storage/seed.ts';
import { backendMatrix, type TestDb } from '../storage/backends.ts';

const run = promisify(execFile);
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const NOW = Date.parse('2026-12-02T07:00:00Z');
const SEED_SIZE = readSeed(DEFAULT_DATA_DIR).length;

const matrix = await backendMatrix();

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`data:export on ${backend.name}`, () => {
    let db: TestDb;
    let out: string;
    beforeEach(async () => {
      db = await backend.open();
      out = mkdtempSync(join(tmpdir(), 'niger-watch-export-'));
    });
    afterEach(async () => {
      await db?.cleanup();
      rmSync(out, { recursive: true, force: true });
    });

    it('an export of an unchanged import reads back as the same knowledge base, and re-importing it adds nothing', async () => {
      await importSeed(db.store, DEFAULT_DATA_DIR, { now: NOW });
      const report = await exportKnowledge(db.store, out);
      expect(report.entries).toBe(SEED_SIZE);
      // Same entries, same order, same values once loaded (comments between entries are the only loss).
      expect(loadKnowledgeData(out)).toEqual(loadKnowledgeData(DEFAULT_DATA_DIR));
      expect(readFileSync(join(out, 'deployments.yaml'), 'utf8')).toMatch(/^# Foreign troop figures in Niger/);
      // Laid out as data/ writes them, line for line, but for the comments between entries.
      const lines = (path: string) =>
        readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l.trim() && !l.trimStart().startsWith('#'));
      for (const file of ['deployments.yaml', 'events.yaml', 'offices.yaml', 'sources.yaml']) {
        expect(lines(join(out, file)), file).toEqual(lines(join(DEFAULT_DATA_DIR, file)));
      }
      expect(await importSeed(db.store, out, { now: NOW + 1000 })).toMatchObject({ added: 0, revised: 0, unchanged: SEED_SIZE });
      // A fresh store reading the export holds exactly what the first one read from data/.
      const fresh = await db.reopen();
      const hashes = async () => (await fresh.currentRevisions()).map((r) => [r.kind, r.entryId, r.contentHash]);
      const before = await hashes();
      await importSeed(fresh, out, { now: NOW + 2000 });
      expect(await hashes()).toEqual(before);
    });

    it('writes the current revision, so a correction reaches the files, and data:check passes on them', async () => {
      await importSeed(db.store, DEFAULT_DATA_DIR, { now: NOW });
      const [r1] = await db.store.revisionsOf('deployments', 'france-2023-07');
      await db.store.appendRevisions([
        { after: 1, revision: { ...r1!, entry: { ...r1!.entry, count: 1450 }, contentHash: 'c', author: 'U-EDITOR', approver: 'U-2' } },
      ]);
      await exportKnowledge(db.store, out);
      const loaded = loadKnowledgeData(out);
      expect(loaded.deployments.find((d) => d.id === 'france-2023-07')?.count).toBe(1450);
      const { stdout } = await run(TSX, ['src/knowledge/check.ts', out], { cwd: PROJECT_ROOT });
      expect(stdout).toMatch(/^Knowledge base OK: 94 sources/);
    });

    it('refuses to export onto a file', async () => {
      const file = join(out, 'not-a-dir');
      writeFileSync(file, '');
      await expect(exportKnowledge(db.store, file)).rejects.toThrow(StorageError);
      await expect(exportKnowledge(db.store, file)).rejects.toThrow(/it is a file, not a directory/);
    });
  });
}

describe('npm run data:export', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'niger-watch-export-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('imports data/ into the store, writes the files to the directory given, and they pass data:check', async () => {
    const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'store.sqlite')}`, ENV_FILE: '' };
    const { stdout } = await run(TSX, ['src/storage/export-cli.ts', join(dir, 'out')], { cwd: PROJECT_ROOT, env });
    expect(stdout).toContain(`Wrote ${SEED_SIZE} entries to ${join(dir, 'out')}`);
    expect(stdout).toContain(`${SEED_SIZE} new`);
    expect(loadKnowledgeData(join(dir, 'out'))).toEqual(loadKnowledgeData(DEFAULT_DATA_DIR));
    const again = await run(TSX, ['src/storage/export-cli.ts', join(dir, 'out')], { cwd: PROJECT_ROOT, env });
    expect(again.stdout).toContain('0 new, 0 changed');
  });

  it('refuses options it does not know', async () => {
    const failure = await run(TSX, ['src/storage/export-cli.ts', '--force'], { cwd: PROJECT_ROOT, env: { ...process.env, ENV_FILE: '' } }).catch(
      (e: unknown) => e,
    );
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('Usage: npm run data:export [directory]');
  });
});
