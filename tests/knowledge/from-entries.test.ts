import { describe, expect, it } from 'vitest';
import { DataError, DEFAULT_DATA_DIR, knowledgeFromEntries, loadKnowledgeData } from '../../src/knowledge/load.ts';
import { readSeed } from '../../src/storage/seed.ts';

const files = loadKnowledgeData(DEFAULT_DATA_DIR);
// The entries as the store keeps them: JSON of what data/ wrote, before zod's parsing.
const stored = readSeed(DEFAULT_DATA_DIR).map((e) => ({ kind: e.kind, entry: JSON.parse(JSON.stringify(e.entry)) as unknown }));

describe('knowledgeFromEntries: the store’s entries through the loader’s validation', () => {
  it('gives the same knowledge data as loading data/ from its files', () => {
    expect(knowledgeFromEntries(stored, files, { translationFacts: true })).toEqual(files);
  });

  it('names the entry and field of an invalid one, and of a reference to an entry it does not have', () => {
    const broken = stored.map((s) =>
      s.kind === 'deployments' && (s.entry as { id: string }).id === 'france-2023-07' ? { ...s, entry: { ...(s.entry as object), count: -3 } } : s,
    );
    const orphan = [
      ...broken,
      { kind: 'deployments' as const, entry: { ...(stored.find((s) => s.kind === 'deployments')!.entry as object), id: 'x-1', sources: ['nowhere'] } },
    ];
    let problems: string[] = [];
    try {
      knowledgeFromEntries(orphan, files);
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      problems = (err as DataError).problems.map((p) => `${p.file} ${p.entry} ${p.field}`);
    }
    expect(problems).toContain('store deployments france-2023-07 count');
    expect(problems).toContain('store deployments x-1 sources.0');
  });
});
