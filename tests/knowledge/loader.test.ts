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
    expect(Object.keys(data.lexicon.languages)).toEqual(['en', 'fr', 'de']);
    for (const [name, list] of Object.entries(data).filter(([, l]) => Array.isArray(l))) expect(list.length, name).toBeGreaterThan(0);
  });

  it('names file, entry and field for an unknown source id', () => {
    const dir = brokenData('events', (e) => (e[0]!.sources = ['no-such-source']));
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/events\.yaml, entry "[a-z0-9-]+", field "sources\.0": unknown source id "no-such-source"/)]);
  });

  it('rejects an actor that is neither a person nor an organisation', () => {
    const dir = brokenData('events', (e) => (e[0]!.actors = ['nobody-at-all']));
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(/events\.yaml, entry "[a-z0-9-]+", field "actors\.0": unknown person or organisation id "nobody-at-all"/),
    ]);
  });

  it('accepts person and organisation ids as event actors', () => {
    const dir = brokenData('events', (e) => (e[0]!.actors = ['mohamed-bazoum', 'ecowas', 'cnsp']));
    expect(problemsOf(dir)).toEqual([]);
  });

  it('rejects duplicate ids', () => {
    const dir = brokenData('people', (e) => e.push({ ...e[0]! }));
    expect(problemsOf(dir).join('\n')).toMatch(/people\.yaml, entry "[a-z-]+", field "id": duplicate id/);
  });

  it.each(['countries', 'organisations', 'offices'])('rejects duplicate ids in %s', (file) => {
    const dir = brokenData(file, (e) => e.push(structuredClone(e[0]!)));
    const problems = problemsOf(dir).join('\n');
    expect(problems).toMatch(new RegExp(`${file}\\.yaml, entry "[a-z-]+", field "id": duplicate id`));
  });
});

/** The terms of one office in a copy of offices.yaml. */
function termsOf(offices: Record<string, unknown>[], id: string): Record<string, unknown>[] {
  return offices.find((o) => o.id === id)!.terms as Record<string, unknown>[];
}

describe('office terms', () => {
  it('rejects overlapping terms of one office', () => {
    const dir = brokenData('offices', (e) => {
      termsOf(e, 'niger-head-of-state').find((t) => t.person === 'mohamed-bazoum')!.end = '2023-08-15';
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(
        /offices\.yaml, entry "niger-head-of-state", field "terms\.3\.start": term "cnsp-collective-2023" overlaps term "mohamed-bazoum-president" \(2021-04-02 – 2023-08-15\)/,
      ),
    ]);
  });

  it('rejects an open term followed by another in the same office', () => {
    const dir = brokenData('offices', (e) => {
      const terms = termsOf(e, 'niger-prime-minister');
      terms.push({ ...terms[1]!, id: 'someone-after-zeine', start: '2024-01-01' });
    });
    expect(problemsOf(dir).join('\n')).toMatch(/term "someone-after-zeine" overlaps term "ali-mahaman-lamine-zeine-prime-minister" \(2023-08-07 – open\)/);
  });

  it('allows terms of different offices to overlap', () => {
    // Tiani led the CNSP and was head of state at the same time: two offices, no overlap problem.
    expect(problemsOf(brokenData('offices', () => {}))).toEqual([]);
  });

  it('rejects an end before its start', () => {
    const dir = brokenData('offices', (e) => (termsOf(e, 'niger-head-of-state')[0]!.end = '2001-01-01'));
    expect(problemsOf(dir).join('\n')).toMatch(
      /entry "niger-head-of-state", field "terms\.0\.end": term "salou-djibo-csrd" ends \(2001-01-01\) before it starts \(2010-02-18\)/,
    );
  });

  it('rejects an unknown person in a term', () => {
    const dir = brokenData('offices', (e) => (termsOf(e, 'france-foreign-minister')[0]!.person = 'nobody-at-all'));
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(
        /offices\.yaml, entry "france-foreign-minister", field "terms\.0\.person": term "catherine-colonna-foreign-minister" names unknown person id "nobody-at-all"/,
      ),
    ]);
  });

  it('rejects an unknown source in a term', () => {
    const dir = brokenData('offices', (e) => (termsOf(e, 'niger-prime-minister')[1]!.sources = ['no-such-source']));
    expect(problemsOf(dir).join('\n')).toMatch(
      /entry "niger-prime-minister", field "terms\.1\.sources\.0": term "[a-z-]+" cites unknown source id "no-such-source"/,
    );
  });

  it('rejects a term with neither a start nor an attested date', () => {
    const dir = brokenData('offices', (e) => delete termsOf(e, 'niger-army-chief-of-staff')[0]!.attested);
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(
        /entry "niger-army-chief-of-staff", field "terms\.0\.start": term "abdou-sidikou-issa-army-chief-of-staff" has no start and no attested date/,
      ),
    ]);
  });

  it('rejects a start without saying how the term began', () => {
    const dir = brokenData('offices', (e) => delete termsOf(e, 'cnsp-president')[0]!.began);
    expect(problemsOf(dir).join('\n')).toMatch(/entry "cnsp-president", field "terms\.0\.began": term "[a-z-]+" has a start but does not say how it began/);
  });

  it('rejects an attested date outside the term', () => {
    const dir = brokenData('offices', (e) => (termsOf(e, 'niger-prime-minister')[0]!.attested = '2023-09-01'));
    expect(problemsOf(dir).join('\n')).toMatch(
      /field "terms\.0\.attested": term "ouhoumoudou-mahamadou-prime-minister" is attested \(2023-09-01\) after it ends \(2023-08-07\)/,
    );
  });

  it('rejects an unknown `under` term', () => {
    const dir = brokenData('offices', (e) => (termsOf(e, 'niger-prime-minister')[0]!.under = 'no-such-term'));
    expect(problemsOf(dir).join('\n')).toMatch(
      /field "terms\.0\.under": term "ouhoumoudou-mahamadou-prime-minister" serves under unknown office term id "no-such-term"/,
    );
  });

  it('rejects a head-of-state term without a start, which the ruler answers need', () => {
    const dir = brokenData('offices', (e) => {
      const t = termsOf(e, 'niger-head-of-state')[0]!;
      delete t.start;
      delete t.began;
      t.attested = '2010-06-01';
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(/entry "niger-head-of-state", field "terms\.0\.start": term "salou-djibo-csrd" has no start: every head-of-state term needs one/),
    ]);
  });

  it('rejects a term id used twice, even in different offices', () => {
    const dir = brokenData('offices', (e) => (termsOf(e, 'cnsp-president')[0]!.id = 'abdourahamane-tiani-cnsp'));
    expect(problemsOf(dir).join('\n')).toMatch(
      /entry "cnsp-president", field "terms\.0\.id": duplicate term id "abdourahamane-tiani-cnsp" \(also in office "niger-head-of-state"\)/,
    );
  });

  it('rejects an office of an unknown country', () => {
    const dir = brokenData('offices', (e) => (e.find((o) => o.id === 'france-president')!.country = 'Frankreich'));
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/offices\.yaml, entry "france-president", field "country": unknown country "Frankreich"/)]);
  });
});

describe('countries and organisations', () => {
  it('rejects a deployment whose country is not a name in countries.yaml', () => {
    const dir = brokenData('deployments', (e) => (e[0]!.country = 'Frankreich'));
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(/deployments\.yaml, entry "france-2022-01", field "country": unknown country "Frankreich": not a `name` in countries\.yaml/),
    ]);
  });

  it('rejects a renamed country that deployments still use', () => {
    const dir = brokenData('countries', (e) => (e.find((c) => c.id === 'italy')!.name = 'Italia'));
    expect(problemsOf(dir).join('\n')).toMatch(/deployments\.yaml, entry "italy-2023-07-31", field "country": unknown country "Italy"/);
  });

  it('rejects two countries sharing a normalised name in one language', () => {
    const dir = brokenData('countries', (e) => {
      const names = e.find((c) => c.id === 'nigeria')!.names as Record<string, string[]>;
      names.fr!.push('Nigér');
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(/countries\.yaml, entry "nigeria", field "names\.fr\.\d+": "Nigér" also names country "niger" \(same normalised fr name\)/),
    ]);
  });

  it('allows the same name in different languages of one country, and accents that normalise alike', () => {
    const dir = brokenData('countries', (e) => {
      const names = e.find((c) => c.id === 'france')!.names as Record<string, string[]>;
      names.de!.push('France', 'Francais');
    });
    expect(problemsOf(dir)).toEqual([]);
  });

  it('rejects two countries sharing a code', () => {
    const dir = brokenData('countries', (e) => (e.find((c) => c.id === 'canada')!.codes as string[]).push('US'));
    expect(problemsOf(dir).join('\n')).toMatch(/countries\.yaml, entry "canada", field "codes\.0": "US" also names country "united-states"/);
  });

  it('rejects a lower-case code, which would collide with ordinary words', () => {
    const dir = brokenData('countries', (e) => (e.find((c) => c.id === 'united-states')!.codes as string[]).push('us'));
    expect(problemsOf(dir).join('\n')).toMatch(/countries\.yaml, entry "united-states", field "codes\.1": codes are written in capitals/);
  });

  it('countries cite no sources: the field is rejected, not required', () => {
    const dir = brokenData('countries', (e) => (e[0]!.sources = ['afp-dpa-2023-09-05']));
    expect(problemsOf(dir).join('\n')).toMatch(/countries\.yaml, entry "france".*sources/);
  });

  it('rejects an organisation that cites no source or an unknown one', () => {
    const dir = brokenData('organisations', (e) => {
      e[0]!.sources = [];
      e[1]!.sources = ['no-such-source'];
    });
    const problems = problemsOf(dir).join('\n');
    expect(problems).toMatch(/organisations\.yaml, entry "cnsp", field "sources": cites no source/);
    expect(problems).toMatch(/organisations\.yaml, entry "presidential-guard", field "sources\.0": unknown source id "no-such-source"/);
  });

  it('rejects two organisations sharing a normalised name', () => {
    const dir = brokenData('organisations', (e) => (e.find((o) => o.id === 'aes')!.names as Record<string, string[]>).en!.push('Ecowas'));
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(/organisations\.yaml, entry "aes", field "names\.en\.\d+": "Ecowas" also names organisation "ecowas"/),
    ]);
  });
});

describe('knowledge base loader: formats', () => {
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

  it('names a wrong type as a wrong type, with the value found, not as a missing field', () => {
    const dir = brokenData('deployments', (e) => {
      e[0]!.count = 'many';
      e[1]!.approximate = 'yes';
      e[2]!.sources = 'afp';
      e[3]!.note = null;
    });
    const problems = problemsOf(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/deployments\.yaml, entry "[a-z0-9-]+", field "count": must be a number \(got "many"\)$/),
        expect.stringMatching(/field "approximate": must be true or false \(got "yes"\)$/),
        expect.stringMatching(/field "sources": must be a list \(got "afp"\)$/),
        expect.stringMatching(/field "note": must be a text \(got null\)$/),
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/is missing/);
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

describe('reading data files', () => {
  it('says where a file is not valid YAML, refuses a key given twice, and keeps unquoted dates as text', async () => {
    const { readYaml, YamlError } = await import('../../src/knowledge/yaml.ts');
    const dir = mkdtempSync(join(tmpdir(), 'niger-yaml-'));
    dirs.push(dir);
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    expect(() => readYaml(write('broken.yaml', 'a: [1, 2\nb: 3\n'))).toThrow(YamlError);
    expect(() => readYaml(write('broken.yaml', 'a: [1, 2\nb: 3\n'))).toThrow(/line \d+, column \d+/);
    expect(() => readYaml(write('twice.yaml', 'id: a\nid: b\n'))).toThrow(/duplicated mapping key/);
    expect(readYaml(write('date.yaml', 'date: 2023-07-26\n'))).toEqual({ date: '2023-07-26' });
  });
});
