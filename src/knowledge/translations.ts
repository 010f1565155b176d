import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import type { DataProblem } from './load.ts';
import type { Country, KbEvent, Office, OfficeTerm, Organisation, Person, Place, Deployment, Statement } from './schema.ts';

/**
 * The knowledge base's text in other languages: `data/translations/<lang>.yaml`, one file per language,
 * keyed by collection and entry id. The English entries in `data/` stay the record (facts, dates, sources);
 * a translation carries only text, so a language is added by adding a file. A field left out is shown in
 * English (data:check reports it).
 *
 * Statements are the exception: a quote is never replaced. The translation of a quote is shown beside it,
 * marked as a translation (see KnowledgeBase.quoteTranslation).
 */
export const TRANSLATABLE = {
  events: ['title', 'summary', 'caveat'],
  people: ['role', 'summary'],
  places: ['kind', 'summary'],
  organisations: ['kind', 'description'],
  offices: ['name'],
  /** Office terms, by term id (ids are unique across offices). */
  terms: ['title', 'began', 'ended', 'note'],
  deployments: ['note'],
  statements: ['context', 'quote'],
  /**
   * `adjective` as used before a plural noun without an article: fr "français" (militaires français),
   * de "französische" (französische Soldaten).
   */
  countries: ['name', 'adjective'],
} as const;

export type TranslatableCollection = keyof typeof TRANSLATABLE;

/** The entry type behind each translatable collection. */
export interface TranslatableEntries {
  events: KbEvent;
  people: Person;
  places: Place;
  organisations: Organisation;
  offices: Office;
  terms: OfficeTerm;
  deployments: Deployment;
  statements: Statement;
  countries: Country;
}

const text = z.string().min(1);
const fieldsOf = (fields: readonly string[]) => z.strictObject(Object.fromEntries(fields.map((f) => [f, text.optional()])));

export const translationFileSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(TRANSLATABLE).map(([collection, fields]) => [collection, z.record(z.string(), fieldsOf(fields)).default({})]),
  ) as { [C in TranslatableCollection]: z.ZodDefault<z.ZodRecord<z.ZodString, ReturnType<typeof fieldsOf>>> },
);

/** One language's text: collection → entry id → field → text. */
export type Translation = { [C in TranslatableCollection]: Record<string, Partial<Record<(typeof TRANSLATABLE)[C][number], string>>> };

export const TRANSLATIONS_DIR = 'translations';

/** Reads every `data/translations/<lang>.yaml`; an absent folder means English only. */
export function readTranslations(dir: string, problems: DataProblem[]): Record<string, Translation> {
  const folder = join(dir, TRANSLATIONS_DIR);
  const out: Record<string, Translation> = {};
  if (!existsSync(folder)) return out;
  for (const name of readdirSync(folder).filter((f) => /^[a-z]{2,3}\.yaml$/.test(f)).sort()) {
    const path = join(folder, name);
    const file = relative(process.cwd(), path) || path;
    const lang = name.slice(0, -5);
    if (lang === 'en') {
      problems.push({ file, message: 'English is the text of data/ itself: translations are for other languages' });
      continue;
    }
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
    } catch (err) {
      const message = err instanceof YAMLParseError ? err.message.split('\n')[0]! : String(err);
      problems.push({ file, message: `is not valid YAML: ${message}` });
      continue;
    }
    const parsed = translationFileSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [collection, entry, ...rest] = issue.path.map(String);
        problems.push({ file, entry: entry && `${collection}/${entry}`, field: rest.join('.') || (entry ? undefined : collection), message: issue.message });
      }
      continue;
    }
    out[lang] = parsed.data as Translation;
  }
  return out;
}

/** The English entries a translation can refer to, by collection. */
export function translatableEntries(data: {
  [C in Exclude<TranslatableCollection, 'terms'>]: TranslatableEntries[C][];
}): { [C in TranslatableCollection]: Map<string, TranslatableEntries[C]> } {
  return {
    events: new Map(data.events.map((e) => [e.id, e])),
    people: new Map(data.people.map((e) => [e.id, e])),
    places: new Map(data.places.map((e) => [e.id, e])),
    organisations: new Map(data.organisations.map((e) => [e.id, e])),
    offices: new Map(data.offices.map((e) => [e.id, e])),
    terms: new Map(data.offices.flatMap((o) => o.terms.map((t) => [t.id, t] as const))),
    deployments: new Map(data.deployments.map((e) => [e.id, e])),
    statements: new Map(data.statements.map((e) => [e.id, e])),
    countries: new Map(data.countries.map((e) => [e.id, e])),
  };
}

/** Translations of entries that do not exist, or of a field the English entry does not have: errors. */
export function checkTranslationTargets(
  translations: Record<string, Translation>,
  entries: ReturnType<typeof translatableEntries>,
  fileOf: (lang: string) => string,
  problems: DataProblem[],
): void {
  for (const [lang, translation] of Object.entries(translations)) {
    for (const collection of Object.keys(TRANSLATABLE) as TranslatableCollection[]) {
      for (const [id, fields] of Object.entries(translation[collection])) {
        const english = entries[collection].get(id) as Record<string, unknown> | undefined;
        if (!english) {
          problems.push({ file: fileOf(lang), entry: `${collection}/${id}`, message: `translates an unknown ${collection} id "${id}"` });
          continue;
        }
        for (const field of Object.keys(fields)) {
          if (english[field] === undefined) {
            problems.push({ file: fileOf(lang), entry: `${collection}/${id}`, field, message: `translates a field the English entry does not have` });
          }
        }
      }
    }
  }
}

/**
 * English text with no translation in a language: shown in English to that language's readers. The bot
 * starts anyway (English is the fallback); data:check lists them so the data is completed before release.
 */
export function missingTranslations(
  translations: Record<string, Translation>,
  entries: ReturnType<typeof translatableEntries>,
): { lang: string; collection: TranslatableCollection; id: string; field: string }[] {
  const out: { lang: string; collection: TranslatableCollection; id: string; field: string }[] = [];
  for (const [lang, translation] of Object.entries(translations)) {
    for (const collection of Object.keys(TRANSLATABLE) as TranslatableCollection[]) {
      for (const [id, entry] of entries[collection]) {
        const english = entry as unknown as Record<string, unknown>;
        const given = (translation[collection][id] ?? {}) as Record<string, string | undefined>;
        for (const field of TRANSLATABLE[collection]) {
          if (typeof english[field] === 'string' && given[field] === undefined) out.push({ lang, collection, id, field });
        }
      }
    }
  }
  return out;
}
