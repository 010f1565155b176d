import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { DataError, DEFAULT_DATA_DIR, formatProblem, knowledgeFromEntries, loadKnowledgeData } from '../../src/knowledge/load.ts';
import { readSeed } from '../../src/storage/seed.ts';
import type { DataProblem } from '../../src/knowledge/load.ts';
import { checkTranslationFacts, factDifferences, factsIn, missingTranslations, translatableEntries } from '../../src/knowledge/translations.ts';

const run = promisify(execFile);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of data/ whose data/translations holds exactly `files` (lang → content). */
function dataWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'niger-tr-'));
  dirs.push(dir);
  cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  rmSync(join(dir, 'translations'), { recursive: true, force: true });
  mkdirSync(join(dir, 'translations'));
  for (const [lang, content] of Object.entries(files)) {
    writeFileSync(join(dir, 'translations', `${lang}.yaml`), typeof content === 'string' ? content : stringify(content));
  }
  return dir;
}

function problemsOf(dir: string): string[] {
  try {
    loadKnowledgeData(dir);
    return [];
  } catch (err) {
    if (err instanceof DataError) return err.problems.map(formatProblem);
    throw err;
  }
}

const COUP = 'coup-2023-07-26';

describe('knowledge base translations', () => {
  it('gives an entry its text in the language asked, keeping its facts, and English where a field has none', () => {
    const kb = new KnowledgeBase(loadKnowledgeData(dataWith({ xx: { events: { [COUP]: { title: 'Titre traduit' } } } })));
    const coup = kb.eventsById.get(COUP)!;
    const shown = kb.localized('events', coup, 'xx');
    expect(shown.title).toBe('Titre traduit');
    expect(shown.summary).toBe(coup.summary);
    expect(shown.date).toEqual(coup.date);
    expect(shown.sources).toEqual(coup.sources);
    expect(kb.localized('events', coup, 'en')).toBe(coup);
  });

  it('never replaces a quote: its translation is given apart, to be marked as one', () => {
    const real = loadKnowledgeData();
    const statement = real.statements[0]!;
    const kb = new KnowledgeBase(
      loadKnowledgeData(dataWith({ xx: { statements: { [statement.id]: { quote: 'Citation traduite', context: 'Contexte (dépêche du 2023-09-05)' } } } })),
    );
    const s = kb.data.statements[0]!;
    expect(kb.localized('statements', s, 'xx').quote).toBe(statement.quote);
    expect(kb.localized('statements', s, 'xx').context).toBe('Contexte (dépêche du 2023-09-05)');
    expect(kb.quoteTranslation(s, 'xx')).toBe('Citation traduite');
  });

  it('rejects a translation of an unknown entry or of a field the entry lacks, and a non-text field', () => {
    const unknown = problemsOf(dataWith({ xx: { events: { 'no-such-event': { title: 'x' }, [COUP]: { caveat: 'x' } } } })).join('\n');
    expect(unknown).toMatch(/xx\.yaml, entry "events\/no-such-event": translates an unknown events id/);
    expect(unknown).toMatch(/entry "events\/coup-2023-07-26", field "caveat": translates a field the English entry does not have/);
    const wrong = problemsOf(dataWith({ xx: { events: { [COUP]: { colour: 'bleu' } }, organisations: { ecowas: { description: 42 } } } })).join('\n');
    expect(wrong).toMatch(/entry "events\/coup-2023-07-26".*colour/);
    expect(wrong).toMatch(/entry "organisations\/ecowas", field "description"/);
  });

  it('rejects broken YAML and an English translation file, naming the file', () => {
    expect(problemsOf(dataWith({ xx: 'events: [' })).join('\n')).toMatch(/xx\.yaml: is not valid YAML/);
    expect(problemsOf(dataWith({ en: {} })).join('\n')).toMatch(/en\.yaml: English is the text of data\/ itself/);
  });

  it('lists every text a language has no translation for', () => {
    const data = loadKnowledgeData(dataWith({ xx: { events: { [COUP]: { title: 'T', summary: 'S' } } } }));
    const missing = missingTranslations(data.translations, translatableEntries(data));
    expect(missing.some((m) => m.collection === 'events' && m.id === COUP)).toBe(false);
    expect(missing.filter((m) => m.collection === 'events').length).toBe(data.events.length * 2 - 2 + data.events.filter((e) => e.caveat).length);
  });
});

/** A copy of the real data/ (its translations included) with `file` (a path inside data/) changed by `edit`. */
function realDataWith(file: string, edit: (content: any) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'niger-tr-'));
  dirs.push(dir);
  cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  const path = join(dir, file);
  const content = parse(readFileSync(path, 'utf8'));
  edit(content);
  writeFileSync(path, stringify(content));
  return dir;
}

/** Replaces `from` by `to` in one translated field, failing if the field no longer says `from`. */
function retranslate(lang: string, collection: string, id: string, field: string, from: string, to: string): string {
  return realDataWith(`translations/${lang}.yaml`, (t) => {
    const text = t[collection][id][field] as string;
    expect(text, `${lang} ${collection}/${id}.${field}`).toContain(from);
    t[collection][id][field] = text.replace(from, to);
  });
}

const NNBSP = '\u202f';
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const EXIT_DATE = 'ecowas-sets-exit-date-2024-12-15';

describe('translations state the facts of the English', () => {
  it('the real data has French and German text for every translatable field, with the same numbers and dates', () => {
    const data = loadKnowledgeData();
    expect(Object.keys(data.translations).sort()).toEqual(['de', 'fr']);
    expect(missingTranslations(data.translations, translatableEntries(data))).toEqual([]);
    const problems: DataProblem[] = [];
    checkTranslationFacts(data.translations, translatableEntries(data), (lang) => `${lang}.yaml`, problems);
    expect(problems).toEqual([]);
  });

  it.each([
    [
      'a changed number',
      'fr',
      'events',
      'french-troop-locations-reported-2023-09-05',
      'summary',
      `1${NNBSP}500`,
      `1${NNBSP}400`,
      `says 1${NNBSP}400 where the English says 1,500`,
    ],
    ['a changed day', 'de', 'events', EXIT_DATE, 'title', '29. Januar 2025', '28. Januar 2025', 'says 28. Januar 2025 where the English says 29 January 2025'],
    ['a changed month', 'fr', 'events', EXIT_DATE, 'summary', '29 janvier 2025', '29 mars 2025', 'says 29 mars 2025 where the English says 29 January 2025'],
    [
      'a dropped date',
      'de',
      'events',
      'us-withdrawal-deadline-set-2024-05-19',
      'summary',
      'legte den 15. September 2024 als Frist',
      'legte eine Frist',
      'leaves out 15 September 2024, which the English says',
    ],
    [
      'a changed ISO date',
      'fr',
      'people',
      'mohamed-bazoum',
      'role',
      'investi le 2 avril 2021',
      'investi le 2021-04-03',
      'says 2021-04-03 where the English says 2021-04-02',
    ],
    ['a number the English does not state', 'de', 'deployments', 'france-2023-10', 'note', '(AFP)', '(AFP, 12 Quellen)', 'says 12, which the English does not'],
    ['a changed time', 'de', 'terms', 'itte-ambassador', 'ended', '04:00 Uhr', '05:00 Uhr', 'says 05:00 where the English says 04:00'],
  ])('reports %s with file, entry, field and both values', (_what, lang, collection, id, field, from, to, message) => {
    expect(problemsOf(retranslate(lang, collection, id, field, from, to))).toEqual([
      expect.stringMatching(new RegExp(`translations/${lang}\\.yaml, entry "${collection}/${id}", field "${field}": ${escapeRegExp(message)}$`)),
    ]);
  });

  it('data:check prints a mismatch and exits 1, so a wrong translation cannot ship', async () => {
    const dir = retranslate('fr', 'events', EXIT_DATE, 'title', '29 janvier 2025', '30 janvier 2025');
    const result = await run('npx', ['tsx', 'src/knowledge/check.ts', dir]).catch((err: { code: number; stderr: string }) => err);
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toMatch(/1 problem\(s\)/);
    expect(result.stderr).toContain(`fr.yaml, entry "events/${EXIT_DATE}", field "title": says 30 janvier 2025 where the English says 29 January 2025`);
  });

  it.each([
    ['1,500', 'fr', `1${NNBSP}500`, ['1500']],
    ['1,500', 'fr', '1\u00a0500', ['1500']],
    ['1,500', 'fr', '1 500', ['1500']],
    ['1,500', 'de', '1.500', ['1500']],
    ['1,500', 'de', '1500', ['1500']],
    ['1,346 had left; 157 remained', 'fr', `1${NNBSP}346 étaient partis ; 157 restaient`, ['1346', '157']],
    ['2.5 km', 'de', '2,5 km', ['2.5']],
    ['22 December 2023', 'fr', '22 décembre 2023', ['2023-12-22']],
    ['22 December 2023', 'de', '22. Dezember 2023', ['2023-12-22']],
    ['2023-12-22', 'fr', 'le 22 décembre 2023', ['2023-12-22']],
    ['2023-12-22', 'de', 'am 22.12.2023', ['2023-12-22']],
    ['1 August 2023', 'fr', '1er août 2023', ['2023-08-01']],
    ['1 August 2023', 'de', '1. August 2023', ['2023-08-01']],
    ['July 2023', 'fr', 'juillet 2023', ['2023-07']],
    ['2023-07', 'de', 'Juli 2023', ['2023-07']],
    ['on 2 August', 'fr', 'le 2 août', ['--08-02']],
    ['on 2 August', 'de', 'am 2. August', ['--08-02']],
    ['"Saturday July 8"', 'fr', '« samedi 8 juillet »', ['--07-08']],
    ['65 flown home on 2023-08-05/06', 'fr', '65 rapatriés les 5 et 6 août 2023', ['65', '2023-08-05', '2023-08-06']],
    ['65 flown home on 2023-08-05/06', 'de', '65 am 5./6. August 2023 heimgeflogen', ['65', '2023-08-05', '2023-08-06']],
    ['voted 131–31', 'fr', 'par 131 voix contre 31', ['131', '31']],
    ['around 04:00 local time (03:00 GMT)', 'fr', 'vers 4h00 heure locale (3h00 GMT)', ['4:00', '3:00']],
  ])('"%s" and %s "%s" state the same facts (%j)', (english, lang, translated, values) => {
    expect(factsIn(english, 'en', [lang]).map((f) => f.value)).toEqual(values);
    expect(factsIn(translated, lang, ['en']).map((f) => f.value)).toEqual(values);
    expect(factDifferences(english, translated, lang)).toEqual([]);
  });

  it('counts a year inside a date once, as the date, and a year on its own as a number', () => {
    expect(factsIn('the 2013 agreement, ended on 22 December 2023', 'en').map((f) => `${f.kind}:${f.value}`)).toEqual(['number:2013', 'date:2023-12-22']);
    expect(factDifferences('the 2013 agreement, ended on 22 December 2023', "l'accord, dénoncé le 22 décembre 2023", 'fr')).toEqual([
      'leaves out 2013, which the English says',
    ]);
  });

  it('compares digits only: a number written as a word is not read', () => {
    expect(factDifferences('six staff and nine officers', 'sept collaborateurs et neuf officiers', 'fr')).toEqual([]);
    expect(factDifferences('about 50 soldiers', 'une cinquantaine de soldats', 'fr')).toEqual(['leaves out 50, which the English says']);
  });

  it('checks a language it has no code for, with month names and date layout from Intl', () => {
    const title = (t: string) => ({ es: { events: { [EXIT_DATE]: { title: t } } } });
    expect(problemsOf(dataWith(title('La CEDEAO fija el 29 de enero de 2025 para la salida de los tres países')))).toEqual([]);
    expect(problemsOf(dataWith(title('La CEDEAO fija el 28 de enero de 2025 para la salida de los tres países')))).toEqual([
      expect.stringMatching(
        new RegExp(`es\\.yaml, entry "events/${EXIT_DATE}", field "title": says 28 de enero de 2025 where the English says 29 January 2025$`),
      ),
    ]);
  });

  it('does not report the translations of an English entry that has a problem of its own, only that problem', () => {
    const dir = realDataWith('events.yaml', (events: { id: string; date: string }[]) => (events.find((e) => e.id === EXIT_DATE)!.date = '2024-13-15'));
    expect(problemsOf(dir)).toEqual([expect.stringMatching(new RegExp(`events\\.yaml, entry "${EXIT_DATE}", field "date": impossible date`))]);
  });
});

describe('translations of entries corrected from chat', () => {
  it('are not shown for a field whose English changed since they were written: the corrected English is', () => {
    const files = loadKnowledgeData(DEFAULT_DATA_DIR);
    const seed = readSeed(DEFAULT_DATA_DIR);
    const corrected = 'Corrected summary from an editor, with its new source.';
    const entries = seed.map((e) =>
      e.kind === 'events' && e.id === 'niger-ends-eu-missions-2023-12-04'
        ? { kind: e.kind, entry: { ...e.entry, summary: corrected } }
        : { kind: e.kind, entry: e.entry },
    );
    const kb = new KnowledgeBase(knowledgeFromEntries(entries, files, { translationFacts: false }));
    const event = (id: string) => kb.eventsById.get(id)!;
    for (const lang of ['fr', 'de']) {
      const changed = kb.localized('events', event('niger-ends-eu-missions-2023-12-04'), lang);
      expect(changed.summary, lang).toBe(corrected);
      // Its title did not change: still translated.
      expect(changed.title, lang).not.toBe(event('niger-ends-eu-missions-2023-12-04').title);
      // Nor did any other entry.
      const coup = kb.localized('events', event(COUP), lang);
      expect(coup.summary, lang).not.toBe(event(COUP).summary);
    }
  });
});
