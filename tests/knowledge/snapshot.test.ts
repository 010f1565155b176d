import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError, DEFAULT_DATA_DIR, loadKnowledgeData, writeKnowledgeSnapshot } from '../../src/knowledge/load.ts';
import { snapshotKey } from '../../src/snapshot.ts';
import { ROOT } from '../helpers/entry.ts';

let dir: string;
let data: string;
let snapshot: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'niger-snapshot-'));
  data = join(dir, 'data');
  cpSync(DEFAULT_DATA_DIR, data, { recursive: true });
  snapshot = join(dir, 'knowledge-data.json');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The DataError's message of a load, or null when it loads. */
function errorOf(load: () => unknown): string | null {
  try {
    load();
  } catch (err) {
    if (err instanceof DataError) return err.message;
    throw err;
  }
  return null;
}

/** The snapshot file with its data changed: shows whether a load used the snapshot or read data/. */
function markSnapshot(): void {
  const file = JSON.parse(readFileSync(snapshot, 'utf8')) as { key: string; data: { people: { name: string }[] } };
  file.data.people[0]!.name = 'From the snapshot';
  writeFileSync(snapshot, JSON.stringify(file));
}

describe('the knowledge data snapshot', () => {
  it('holds exactly what the full load gives, and a current one is used instead of data/', () => {
    writeKnowledgeSnapshot(data, { translationFacts: false, snapshot });
    const full = loadKnowledgeData(data, { translationFacts: false });
    expect(loadKnowledgeData(data, { translationFacts: false, snapshot })).toEqual(full);
    markSnapshot();
    expect(loadKnowledgeData(data, { translationFacts: false, snapshot }).people[0]!.name).toBe('From the snapshot');
  });

  it('is not used after a data file changed: an invalid edit is rejected with the same DataError as without a snapshot', () => {
    writeKnowledgeSnapshot(data, { translationFacts: false, snapshot });
    const events = join(data, 'events.yaml');
    writeFileSync(events, readFileSync(events, 'utf8').replace(/date: "?2023-07-26"?/, 'date: 2023-02-30'));
    const withSnapshot = errorOf(() => loadKnowledgeData(data, { translationFacts: false, snapshot }));
    expect(withSnapshot).toMatch(/events\.yaml, entry "[a-z0-9-]+", field "date": impossible date "2023-02-30"/);
    expect(withSnapshot).toBe(errorOf(() => loadKnowledgeData(data, { translationFacts: false })));
  });

  it('is not used after a valid edit either: the edited data is loaded', () => {
    writeKnowledgeSnapshot(data, { translationFacts: false, snapshot });
    const people = join(data, 'people.yaml');
    const name = loadKnowledgeData(data).people[0]!.name;
    writeFileSync(people, readFileSync(people, 'utf8').replace(`name: "${name}"`, 'name: "Someone Else"'));
    expect(loadKnowledgeData(data, { translationFacts: false, snapshot }).people[0]!.name).toBe('Someone Else');
  });

  it('is not used for a file added to data/, such as a new translation', () => {
    writeKnowledgeSnapshot(data, { translationFacts: false, snapshot });
    writeFileSync(join(data, 'translations', 'en.yaml'), '{}\n');
    expect(errorOf(() => loadKnowledgeData(data, { translationFacts: false, snapshot }))).toMatch(
      /en\.yaml: English is the text of data\/ itself: translations are for other languages/,
    );
  });

  it('is not used by a load with other options: one made without the translation fact check does not skip it', () => {
    writeKnowledgeSnapshot(data, { translationFacts: false, snapshot });
    markSnapshot();
    expect(loadKnowledgeData(data, { snapshot }).people[0]!.name).not.toBe('From the snapshot');
    expect(loadKnowledgeData(data, { translationFacts: true, snapshot }).people[0]!.name).not.toBe('From the snapshot');
  });

  it.each([
    ['truncated', (text: string) => text.slice(0, text.length / 2)],
    ['empty', () => ''],
    ['not an object', () => '[1, 2]'],
    ['without data', (text: string) => JSON.stringify({ key: (JSON.parse(text) as { key: string }).key })],
    ['with another key', (text: string) => text.replace(/"key":"[0-9a-f]+"/, `"key":"${'0'.repeat(64)}"`)],
  ])('falls back to the full load when the snapshot is %s', (_, corrupt) => {
    writeKnowledgeSnapshot(data, { translationFacts: false, snapshot });
    markSnapshot();
    writeFileSync(snapshot, corrupt(readFileSync(snapshot, 'utf8')));
    expect(loadKnowledgeData(data, { translationFacts: false, snapshot })).toEqual(loadKnowledgeData(data, { translationFacts: false }));
  });

  it('falls back to the full load when there is no snapshot, or no data folder', () => {
    expect(loadKnowledgeData(data, { translationFacts: false, snapshot })).toEqual(loadKnowledgeData(data, { translationFacts: false }));
    expect(errorOf(() => loadKnowledgeData(join(dir, 'nowhere'), { snapshot }))).toMatch(/events\.yaml: file is missing/);
  });

  it('is not written for data with problems', () => {
    const events = join(data, 'events.yaml');
    writeFileSync(events, readFileSync(events, 'utf8').replace(/date: "?2023-07-26"?/, 'date: 2023-02-30'));
    expect(() => writeKnowledgeSnapshot(data, { translationFacts: false, snapshot })).toThrow(DataError);
    expect(() => readFileSync(snapshot)).toThrow(/ENOENT/);
  });
});

describe("the build's snapshot", () => {
  it('is current for the compiled bot, which starts from it', async () => {
    // dist/ as vitest's global setup built it (scripts/build.mjs --if-stale, as before `npm start`).
    const compiled = (await import(join(ROOT, 'dist/src/knowledge/load.js'))) as typeof import('../../src/knowledge/load.ts');
    const file = JSON.parse(readFileSync(compiled.BOT_LOAD_OPTIONS.snapshot!, 'utf8')) as { key: string; data: unknown };
    expect(file.key).toBe(snapshotKey(compiled.knowledgeSnapshotInputs(compiled.DEFAULT_DATA_DIR, compiled.BOT_LOAD_OPTIONS)));
    expect(file.data).toEqual(loadKnowledgeData(DEFAULT_DATA_DIR, { translationFacts: false }));
  });
});
