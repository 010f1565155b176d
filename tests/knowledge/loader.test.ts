import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DataError, DEFAULT_DATA_DIR, formatProblem, loadKnowledgeData } from '../../src/knowledge/load.ts';

const run = promisify(execFile);
const dirs: string[] = [];

/** A copy of the real data/ with one collection changed by `edit`. */
function brokenData(file: string, edit: (entries: Record<string, unknown>[]) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'niger-data-'));
  dirs.push(dir);
  cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  const path = join(dir, `${file}.yaml`);
  const entries = parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
  edit(entries);
  writeFileSync(path, stringify(entries));
  return dir;
}

function problemsOf(dir: string): string[] {
  try {
    loadKnowledgeData(dir);
  } catch (err) {
    if (err instanceof DataError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('knowledge base loader', () => {
  it('loads the real data with every collection filled', () => {
    const data = loadKnowledgeData();
    for (const [name, list] of Object.entries(data)) expect(list.length, name).toBeGreaterThan(0);
  });

  it('names file, entry and field for an unknown source id', () => {
    const dir = brokenData('events', (e) => (e[0]!.sources = ['no-such-source']));
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/events\.yaml, entry "[a-z0-9-]+", field "sources\.0": unknown source id "no-such-source"/)]);
  });

  it('rejects an unknown person id', () => {
    const dir = brokenData('events', (e) => (e[0]!.actors = ['nobody-at-all']));
    expect(problemsOf(dir).join('\n')).toMatch(/field "actors\.0": unknown person id "nobody-at-all"/);
  });

  it('rejects duplicate ids', () => {
    const dir = brokenData('people', (e) => e.push({ ...e[0]! }));
    expect(problemsOf(dir).join('\n')).toMatch(/people\.yaml, entry "[a-z-]+", field "id": duplicate id/);
  });

  it('rejects overlapping ruler terms', () => {
    const dir = brokenData('rulers', (e) => {
      const bazoum = e.find((r) => r.person === 'mohamed-bazoum')!;
      bazoum.end = '2023-08-15';
    });
    expect(problemsOf(dir).join('\n')).toMatch(/rulers\.yaml, entry "[a-z0-9-]+", field "start": overlaps ruler term "mohamed-bazoum-president"/);
  });

  it('rejects an end before its start', () => {
    const dir = brokenData('rulers', (e) => (e[0]!.end = '2001-01-01'));
    expect(problemsOf(dir).join('\n')).toMatch(/field "end": ends \(2001-01-01\) before it starts/);
  });

  it('rejects an impossible date', () => {
    const dir = brokenData('events', (e) => (e[0]!.date = '2023-02-30'));
    expect(problemsOf(dir).join('\n')).toMatch(/field "date": impossible date "2023-02-30": day 30 does not exist/);
  });

  it('rejects an entry with no source and one with a missing field', () => {
    const dir = brokenData('deployments', (e) => {
      e[0]!.sources = [];
      delete e[1]!.count;
    });
    const problems = problemsOf(dir).join('\n');
    expect(problems).toMatch(/field "sources": cites no source/);
    expect(problems).toMatch(/field "count": is missing/);
  });

  it('reports broken YAML with the file name', () => {
    const dir = brokenData('places', () => {});
    writeFileSync(join(dir, 'places.yaml'), '- id: [unclosed\n');
    expect(problemsOf(dir).join('\n')).toMatch(/places\.yaml: is not valid YAML/);
  });

  it('data:check prints every problem at once and exits non-zero', async () => {
    const dir = brokenData('events', (e) => {
      e[0]!.sources = ['missing-one'];
      e[1]!.date = '2023-13-01';
    });
    const result = await run('npx', ['tsx', 'src/knowledge/check.ts', dir]).catch((err: { code: number; stderr: string }) => err);
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toMatch(/2 problem\(s\)/);
    expect(result.stderr).toMatch(/missing-one/);
    expect(result.stderr).toMatch(/month 13 does not exist/);
  });
});
