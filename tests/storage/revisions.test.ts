import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse, stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError, DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { contentHash, importSeed, readSeed } from '../../src/storage/seed.ts';
import { RevisionConflict, type SqlDigestStore } from '../../src/storage/sql-store.ts';
import { backendMatrix, type TestDb } from './backends.ts';

const NOW = Date.parse('2026-12-02T07:00:00Z');
const LATER = Date.parse('2026-12-03T09:30:00Z');

/** A copy of data/ the test may change. */
function seedCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'niger-watch-seed-'));
  cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  return dir;
}

/** Rewrites one entry of one data file in the copy. */
function edit(dir: string, kind: string, id: string, change: (entry: Record<string, unknown>) => void): void {
  const path = join(dir, `${kind}.yaml`);
  const list = parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
  const entry = list.find((e) => e.id === id);
  if (!entry) throw new Error(`${kind}/${id} is not in the test's data`);
  change(entry);
  writeFileSync(path, stringify(list));
}

function removeEntry(dir: string, kind: string, id: string): void {
  const path = join(dir, `${kind}.yaml`);
  const list = parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
  writeFileSync(path, stringify(list.filter((e) => e.id !== id)));
}

const SEED_SIZE = readSeed(DEFAULT_DATA_DIR).length;

async function count(db: TestDb): Promise<number> {
  return Number((await db.raw('SELECT COUNT(*) AS n FROM knowledge_revisions'))[0]!.n);
}

/** Makes the database itself refuse one entry's insert, inside whatever transaction writes it. */
async function failInsertOf(db: TestDb, backend: string, entryId: string): Promise<void> {
  if (backend === 'sqlite') {
    const file = new Database(db.url.slice('file:'.length));
    try {
      file.exec(`CREATE TRIGGER crash_import BEFORE INSERT ON knowledge_revisions WHEN NEW.entry_id = '${entryId}'
                 BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`);
    } finally {
      file.close();
    }
    return;
  }
  await db.raw(`CREATE FUNCTION crash_import() RETURNS trigger AS $$ BEGIN
      IF NEW.entry_id = '${entryId}' THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
  await db.raw('CREATE TRIGGER crash_import BEFORE INSERT ON knowledge_revisions FOR EACH ROW EXECUTE FUNCTION crash_import()');
}

const matrix = await backendMatrix();

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`knowledge revisions on ${backend.name}`, () => {
    let db: TestDb;
    let store: SqlDigestStore;
    let dir: string;
    beforeEach(async () => {
      db = await backend.open();
      store = db.store;
      dir = seedCopy();
    });
    afterEach(async () => {
      await db?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('imports every entry of data/ as revision 1 authored data/, recorded at its added day', async () => {
      const report = await importSeed(store, dir, { now: NOW });
      expect(report).toMatchObject({ added: SEED_SIZE, revised: 0, unchanged: 0, missing: [] });
      expect(SEED_SIZE).toBeGreaterThan(200);
      expect(await store.countCurrentRevisions()).toBe(SEED_SIZE);
      const [troops] = await store.revisionsOf('deployments', 'france-2023-07');
      expect(troops).toMatchObject({
        revision: 1,
        author: 'data/',
        approver: null,
        supersededBy: null,
        validFrom: '2023-07-01',
        recordedAt: Date.parse('2026-11-29T00:00:00Z'),
        sources: ['afp-dpa-2023-09-05', 'tagesspiegel-2023-09-05', 'vol-at-2023-09-05', 'kuna-2023-09-24'],
      });
      // The JSON is the entry as written: no zod defaults, dates as the text the source gave.
      expect(troops!.entry).toMatchObject({ id: 'france-2023-07', count: 1500, asOf: '2023-07', until: '2023-09' });
      // Seed transaction time is each entry's own `added`, not one import-wide time.
      for (const r of await store.currentRevisions()) expect(r.recordedAt).toBe(Date.parse(`${String(r.entry.added)}T00:00:00Z`));
      expect(new Set((await store.currentRevisions()).map((r) => r.recordedAt)).size).toBe(2);
    });

    it('a second import of unchanged files adds nothing', async () => {
      await importSeed(store, dir, { now: NOW });
      const before = await db.raw('SELECT kind, entry_id, revision, recorded_at FROM knowledge_revisions ORDER BY kind, entry_id, revision');
      const again = await importSeed(store, dir, { now: LATER });
      expect(again).toMatchObject({ added: 0, revised: 0, unchanged: SEED_SIZE });
      expect(await db.raw('SELECT kind, entry_id, revision, recorded_at FROM knowledge_revisions ORDER BY kind, entry_id, revision')).toEqual(before);
      // Rewriting a file in another layout (other key order, quoting) is no change either.
      edit(dir, 'deployments', 'france-2023-07', (e) => {
        const { id, ...rest } = e;
        for (const k of Object.keys(e)) delete e[k];
        Object.assign(e, rest, { id });
      });
      expect(await importSeed(store, dir, { now: LATER })).toMatchObject({ revised: 0 });
      expect(await count(db)).toBe(SEED_SIZE);
    });

    it('a changed entry becomes revision 2 authored data/, recorded at the import, and revision 1 is kept', async () => {
      await importSeed(store, dir, { now: NOW });
      edit(dir, 'deployments', 'france-2023-07', (e) => {
        e.count = 1400;
      });
      const report = await importSeed(store, dir, { now: LATER });
      expect(report).toMatchObject({ added: 0, revised: 1, unchanged: SEED_SIZE - 1 });
      const history = await store.revisionsOf('deployments', 'france-2023-07');
      expect(history.map((r) => [r.revision, r.entry.count, r.supersededBy, r.author])).toEqual([
        [1, 1500, 2, 'data/'],
        [2, 1400, null, 'data/'],
      ]);
      expect(history[1]!.recordedAt).toBe(LATER);
      expect((await store.currentRevisions('deployments')).find((r) => r.entryId === 'france-2023-07')?.entry.count).toBe(1400);
      expect(await store.countCurrentRevisions()).toBe(SEED_SIZE);
      // And importing the changed file again adds nothing more.
      expect(await importSeed(store, dir, { now: LATER + 1000 })).toMatchObject({ revised: 0, added: 0 });
      expect(await count(db)).toBe(SEED_SIZE + 1);
    });

    it('an import on a machine whose clock is behind the last revision still records after it', async () => {
      await importSeed(store, dir, { now: NOW });
      edit(dir, 'deployments', 'france-2023-07', (e) => {
        e.count = 1400;
      });
      await importSeed(store, dir, { now: LATER });
      edit(dir, 'deployments', 'france-2023-07', (e) => {
        e.count = 1300;
      });
      await importSeed(store, dir, { now: LATER - 3_600_000 });
      expect((await store.revisionsOf('deployments', 'france-2023-07')).map((r) => [r.entry.count, r.recordedAt])).toEqual([
        [1500, Date.parse('2026-11-29T00:00:00Z')],
        [1400, LATER],
        [1300, LATER],
      ]);
    });

    it('a later revision from elsewhere (an approved correction) is not undone by the unchanged seed at the next start', async () => {
      await importSeed(store, dir, { now: NOW });
      const [r1] = await store.revisionsOf('deployments', 'france-2023-07');
      await store.appendRevisions([
        {
          after: 1,
          revision: { ...r1!, entry: { ...r1!.entry, count: 1450 }, contentHash: 'edited', author: 'U-EDITOR', approver: 'U-SECOND', recordedAt: LATER },
        },
      ]);
      expect(await importSeed(store, dir, { now: LATER + 1000 })).toMatchObject({ revised: 0 });
      const history = await store.revisionsOf('deployments', 'france-2023-07');
      expect(history.map((r) => [r.revision, r.author, r.approver, r.supersededBy])).toEqual([
        [1, 'data/', null, 2],
        [2, 'U-EDITOR', 'U-SECOND', null],
      ]);
    });

    it('data/ catching up with a correction (an export committed) adds nothing', async () => {
      await importSeed(store, dir, { now: NOW });
      const [r1] = await store.revisionsOf('deployments', 'france-2023-07');
      const corrected = { ...r1!.entry, count: 1450 };
      await store.appendRevisions([
        { after: 1, revision: { ...r1!, entry: corrected, contentHash: contentHash(corrected), author: 'U-EDITOR', recordedAt: LATER } },
      ]);
      edit(dir, 'deployments', 'france-2023-07', (e) => {
        e.count = 1450;
      });
      expect(await importSeed(store, dir, { now: LATER + 1000 })).toMatchObject({ revised: 0, added: 0 });
      expect((await store.revisionsOf('deployments', 'france-2023-07')).map((r) => r.author)).toEqual(['data/', 'U-EDITOR']);
    });

    it('an entry removed from data/ is kept as it is and reported', async () => {
      await importSeed(store, dir, { now: NOW });
      removeEntry(dir, 'events', 'mali-withdrawal-announced-2022-02-17');
      const lines: { msg: string; obj: object }[] = [];
      const log = { info: (obj: object, msg: string) => lines.push({ obj, msg }), warn: (obj: object, msg: string) => lines.push({ obj, msg }) };
      const report = await importSeed(store, dir, { now: LATER, log });
      expect(report.missing).toEqual(['events/mali-withdrawal-announced-2022-02-17']);
      expect(await store.revisionsOf('events', 'mali-withdrawal-announced-2022-02-17')).toMatchObject([{ revision: 1, supersededBy: null }]);
      expect(lines.find((l) => l.msg.includes('no longer in data/'))?.obj).toMatchObject({
        missing: ['events/mali-withdrawal-announced-2022-02-17'],
        count: 1,
      });
    });

    it('a new entry in data/ is revision 1 recorded at its added day', async () => {
      await importSeed(store, dir, { now: NOW });
      const path = join(dir, 'deployments.yaml');
      const list = parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
      list.push({ ...list[0]!, id: 'italy-2026-11', country: 'Italy', count: 0, asOf: '2026-11-20', added: '2026-12-01' });
      writeFileSync(path, stringify(list));
      expect(await importSeed(store, dir, { now: LATER })).toMatchObject({ added: 1, revised: 0 });
      expect(await store.revisionsOf('deployments', 'italy-2026-11')).toMatchObject([
        { revision: 1, recordedAt: Date.parse('2026-12-01T00:00:00Z'), validFrom: '2026-11-20', position: list.length - 1 },
      ]);
    });

    it('a crash in the middle of an import leaves the old state', async () => {
      await importSeed(store, dir, { now: NOW });
      const before = await db.raw('SELECT kind, entry_id, revision, content_hash, superseded_by FROM knowledge_revisions ORDER BY kind, entry_id, revision');
      edit(dir, 'deployments', 'france-2023-07', (e) => {
        e.count = 1400;
      });
      edit(dir, 'events', 'mali-withdrawal-announced-2022-02-17', (e) => {
        e.title = 'Changed';
      });
      edit(dir, 'statements', 'colonna-le-monde-no-joint-operations-2023-09-04', (e) => {
        e.context = 'Changed';
      });
      // The statements are written last: the superseding updates and the other inserts have run when it fails.
      await failInsertOf(db, backend.name, 'colonna-le-monde-no-joint-operations-2023-09-04');
      await expect(importSeed(store, dir, { now: LATER })).rejects.toThrow(/simulated crash/);
      expect(await db.raw('SELECT kind, entry_id, revision, content_hash, superseded_by FROM knowledge_revisions ORDER BY kind, entry_id, revision')).toEqual(
        before,
      );
      expect(await store.revisionsOf('deployments', 'france-2023-07')).toMatchObject([{ revision: 1, supersededBy: null, entry: { count: 1500 } }]);
    });

    it('a second writer appending to the same entry first gets nothing written and a conflict', async () => {
      await importSeed(store, dir, { now: NOW });
      const [r1] = await store.revisionsOf('people', 'abdourahamane-tiani');
      const [e1] = await store.revisionsOf('events', 'mali-withdrawal-announced-2022-02-17');
      const next = (r: typeof r1, author: string) => ({ after: 1, revision: { ...r!, author, contentHash: author } });
      await store.appendRevisions([next(r1, 'A')]);
      await expect(store.appendRevisions([next(e1, 'B'), next(r1, 'B')])).rejects.toBeInstanceOf(RevisionConflict);
      // Neither of B's revisions was kept, not even the one that did not conflict.
      expect((await store.revisionsOf('events', 'mali-withdrawal-announced-2022-02-17')).map((r) => [r.revision, r.supersededBy])).toEqual([[1, null]]);
      expect((await store.revisionsOf('people', 'abdourahamane-tiani')).map((r) => r.author)).toEqual(['data/', 'A']);
    });

    it('two instances importing the same seed at once write it once', async () => {
      const other = await db.reopen();
      const reports = await Promise.all([importSeed(store, dir, { now: NOW }), importSeed(other, dir, { now: NOW })]);
      expect(reports.map((r) => r.added).sort()).toEqual([0, SEED_SIZE]);
      expect(await count(db)).toBe(SEED_SIZE);
    });

    it('an id two kinds share is two entries, told apart by kind', async () => {
      // Ids are unique within a file only: an anchor may be named like an event.
      const path = join(dir, 'anchors.yaml');
      const anchors = parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
      anchors.push({ ...anchors[0]!, id: 'coup-2023-07-26' });
      writeFileSync(path, stringify(anchors));
      await importSeed(store, dir, { now: NOW });
      const both = await store.revisionsById('coup-2023-07-26');
      expect(both.map((r) => [r.kind, r.revision])).toEqual([
        ['anchors', 1],
        ['events', 1],
      ]);
      expect(await store.revisionsById('no-such-entry')).toEqual([]);
    });

    it('an invalid seed is refused with every problem named and nothing written', async () => {
      edit(dir, 'deployments', 'france-2023-07', (e) => {
        e.count = 'many';
      });
      edit(dir, 'events', 'mali-withdrawal-announced-2022-02-17', (e) => {
        e.date = '2023-02-30';
      });
      const failure = await importSeed(store, dir, { now: NOW }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(DataError);
      expect((failure as DataError).message).toMatch(/deployments\.yaml, entry "france-2023-07": count/);
      expect((failure as DataError).message).toMatch(/events\.yaml, entry "mali-withdrawal-announced-2022-02-17": date: impossible date "2023-02-30"/);
      expect(await count(db)).toBe(0);
    });
  });
}
