import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { DataError, DEFAULT_DATA_DIR, formatProblem, loadKnowledgeData } from '../../src/knowledge/load.ts';
import { missingTranslations, translatableEntries } from '../../src/knowledge/translations.ts';

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
    expect(kb.textLanguages()).toEqual(['en', 'xx']);
  });

  it('never replaces a quote: its translation is given apart, to be marked as one', () => {
    const real = loadKnowledgeData();
    const statement = real.statements[0]!;
    const kb = new KnowledgeBase(loadKnowledgeData(dataWith({ xx: { statements: { [statement.id]: { quote: 'Citation traduite', context: 'Contexte (dépêche du 2023-09-05)' } } } })));
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
