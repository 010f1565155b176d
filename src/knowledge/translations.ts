import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { readYaml, YamlError } from './yaml.ts';
import type { DataProblem } from './problems.ts';
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
  places: ['name', 'kind', 'summary'],
  organisations: ['name', 'kind', 'description'],
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
  Object.fromEntries(Object.entries(TRANSLATABLE).map(([collection, fields]) => [collection, z.record(z.string(), fieldsOf(fields)).default({})])) as {
    [C in TranslatableCollection]: z.ZodDefault<z.ZodRecord<z.ZodString, ReturnType<typeof fieldsOf>>>;
  },
);

/** One language's text: collection → entry id → field → text. */
export type Translation = { [C in TranslatableCollection]: Record<string, Partial<Record<(typeof TRANSLATABLE)[C][number], string>>> };

export const TRANSLATIONS_DIR = 'translations';

/** Reads every `data/translations/<lang>.yaml`; an absent folder means English only. */
export function readTranslations(dir: string, problems: DataProblem[]): Record<string, Translation> {
  const folder = join(dir, TRANSLATIONS_DIR);
  const out: Record<string, Translation> = {};
  if (!existsSync(folder)) return out;
  for (const name of readdirSync(folder)
    .filter((f) => /^[a-z]{2,3}\.yaml$/.test(f))
    .sort()) {
    const path = join(folder, name);
    const file = relative(process.cwd(), path) || path;
    const lang = name.slice(0, -5);
    if (lang === 'en') {
      problems.push({ file, message: 'English is the text of data/ itself: translations are for other languages' });
      continue;
    }
    let raw: unknown;
    try {
      raw = readYaml(path) ?? {};
    } catch (err) {
      const message = err instanceof YamlError ? err.message : String(err);
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
export function translatableEntries(
  data: {
    [C in Exclude<TranslatableCollection, 'terms'>]: TranslatableEntries[C][];
  },
): { [C in TranslatableCollection]: Map<string, TranslatableEntries[C]> } {
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

/**
 * The translations that still translate the English they were written for. A field whose English text in `current`
 * differs from `written`'s (the entry was corrected since, from chat) loses its translation: readers of that
 * language get the corrected English, never a translation of what was superseded. Entries are compared by id.
 */
export function stillTranslating(
  translations: Record<string, Translation>,
  written: ReturnType<typeof translatableEntries>,
  current: ReturnType<typeof translatableEntries>,
): Record<string, Translation> {
  const out: Record<string, Translation> = {};
  for (const [lang, translation] of Object.entries(translations)) {
    const kept = { ...translation } as Record<TranslatableCollection, Record<string, Record<string, string | undefined>>>;
    for (const collection of Object.keys(TRANSLATABLE) as TranslatableCollection[]) {
      const given = translation[collection] as Record<string, Record<string, string | undefined>>;
      const entries: Record<string, Record<string, string | undefined>> = {};
      for (const [id, fields] of Object.entries(given ?? {})) {
        const before = written[collection].get(id) as unknown as Record<string, unknown> | undefined;
        const now = current[collection].get(id) as unknown as Record<string, unknown> | undefined;
        if (!now || !before) {
          entries[id] = fields;
          continue;
        }
        entries[id] = Object.fromEntries(Object.entries(fields).filter(([field]) => before[field] === now[field]));
      }
      kept[collection] = entries;
    }
    out[lang] = kept as unknown as Translation;
  }
  return out;
}

/** Every translated entry of every language, with its English entry (undefined when none has its id). */
function* translatedEntries(
  translations: Record<string, Translation>,
  entries: ReturnType<typeof translatableEntries>,
  skip: ReadonlySet<string>,
): Generator<{
  lang: string;
  collection: TranslatableCollection;
  id: string;
  fields: Record<string, string | undefined>;
  english: Record<string, unknown> | undefined;
}> {
  for (const [lang, translation] of Object.entries(translations)) {
    for (const collection of Object.keys(TRANSLATABLE) as TranslatableCollection[]) {
      for (const [id, fields] of Object.entries(translation[collection])) {
        if (skip.has(`${collection}/${id}`)) continue;
        const english = entries[collection].get(id) as Record<string, unknown> | undefined;
        yield { lang, collection, id, fields: fields as Record<string, string | undefined>, english };
      }
    }
  }
}

/**
 * Translations of entries that do not exist, or of a field the English entry does not have: errors.
 * `skip`: entries whose English has a problem of its own (see entriesWithEnglishProblems).
 */
export function checkTranslationTargets(
  translations: Record<string, Translation>,
  entries: ReturnType<typeof translatableEntries>,
  fileOf: (lang: string) => string,
  problems: DataProblem[],
  skip: ReadonlySet<string> = new Set(),
): void {
  for (const { lang, collection, id, fields, english } of translatedEntries(translations, entries, skip)) {
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

// ---- Facts in text: a translation must state the same numbers, dates and times as the English ----

/**
 * A number, date or time written in a text. `value` is normalised so that the same fact written in
 * different languages compares equal: dates as ISO at the precision given ("2023-12-22", "2023-12", or
 * "--12-22" for a day and month without a year), times as "4:00", numbers as plain digits ("1500", "2.5").
 * `text` is the fact as written.
 */
export interface TextFact {
  kind: 'date' | 'time' | 'number';
  value: string;
  text: string;
}

/** Any space a number or date may be written with: normal, no-break and narrow no-break. */
const SP = '[\\s\\u00a0\\u202f]';
/** Day-number endings: 1st, 2nd, 3rd, 4th, 1er, 1re/1ère, 2e/2ème, 2. (after accents are folded). */
const DAY_SUFFIX = '(?:ere|eme|er|re|st|nd|rd|th|e)?\\.?';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lower case without accents, character by character, so that offsets into the original text still hold. */
function fold(text: string): string {
  let out = '';
  for (const c of text) {
    const base = c.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    out += base.length === c.length ? base : c;
  }
  return out;
}

const monthTables = new Map<string, Map<string, number>>();

/**
 * A language's month names (long and short, standalone and as used in a date), folded, to month
 * number: from Intl, so a language needs no code here.
 */
function monthNames(lang: string): Map<string, number> {
  let table = monthTables.get(lang);
  if (table) return table;
  table = new Map();
  const formats: Intl.DateTimeFormatOptions[] = [{ month: 'long' }, { month: 'short' }, { day: 'numeric', month: 'long' }, { day: 'numeric', month: 'short' }];
  for (const options of formats) {
    const format = new Intl.DateTimeFormat(lang, { ...options, timeZone: 'UTC' });
    for (let m = 1; m <= 12; m++) {
      const part = format.formatToParts(Date.UTC(2023, m - 1, 15)).find((p) => p.type === 'month');
      const name = part && fold(part.value).replace(/\.$/, '').trim();
      if (name && !/\d/.test(name)) table.set(name, m);
    }
  }
  monthTables.set(lang, table);
  return table;
}

/** How a language groups thousands and marks decimals, from Intl: en "1,500.5", fr "1 500,5", de "1.500,5". */
function numberStyle(lang: string): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(lang).formatToParts(1234567.5);
  const group = parts.find((p) => p.type === 'group')?.value ?? ',';
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  // A space-like separator is written as any kind of space.
  return { group: /^[\s\u00a0\u202f]$/.test(group) ? '[ \\u00a0\\u202f]' : escapeRegExp(group), decimal: escapeRegExp(decimal) };
}

/** A language's all-digit date (en 12/22/2023, fr 22/12/2023, de 22.12.2023), from Intl. */
function numericDate(lang: string): { re: string; order: ('day' | 'month' | 'year')[] } {
  const parts = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(Date.UTC(2023, 11, 22));
  const order: ('day' | 'month' | 'year')[] = [];
  let re = '';
  for (const p of parts) {
    if (p.type === 'day' || p.type === 'month') {
      order.push(p.type);
      re += '(\\d{1,2})';
    } else if (p.type === 'year') {
      order.push('year');
      re += '(\\d{4})';
    } else
      re += p.value
        .split('')
        .map((c) => (/\s/.test(c) ? `${SP}?` : escapeRegExp(c)))
        .join('');
  }
  return { re, order };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** "2023-12-22", "2023-12" or "--12-22", or undefined when there is no such day. */
function isoDate(year: number | undefined, month: number, day: number | undefined): string | undefined {
  if (month < 1 || month > 12) return undefined;
  if (day !== undefined) {
    const days = new Date(Date.UTC(year ?? 2024, month, 0)).getUTCDate();
    if (day < 1 || day > days) return undefined;
  }
  if (year === undefined) return day === undefined ? undefined : `--${pad2(month)}-${pad2(day)}`;
  return day === undefined ? `${year}-${pad2(month)}` : `${year}-${pad2(month)}-${pad2(day)}`;
}

type Read = Omit<TextFact, 'text'>;

interface Pattern {
  re: RegExp;
  /** One fact, several (a range of days: 5–6 August), or none when the match is no real date. */
  read: (m: RegExpExecArray) => Read | Read[] | undefined;
}

/** The word a language joins two items with (" and ", " et ", " und "), from Intl. */
function conjunction(lang: string): string {
  const parts = new Intl.ListFormat(lang, { type: 'conjunction' }).formatToParts(['a', 'b']);
  return fold(parts.find((p) => p.type === 'literal')?.value ?? '').trim();
}

const patternCache = new Map<string, Pattern[]>();

type DatePart = 'day' | 'month' | 'year';

/**
 * A language's written dates as Intl lays them out: the order of day, month and year and the words
 * between them (es "22 de diciembre de 2023", en "December 22, 2023"), for the three precisions.
 * `D`, `M`, `Y`: the patterns of one part, each with one capturing group.
 */
function intlDateLayouts(lang: string, D: string, M: string, Y: string): { re: string; order: DatePart[] }[] {
  const layouts: Intl.DateTimeFormatOptions[] = [
    { day: 'numeric', month: 'long', year: 'numeric' },
    { day: 'numeric', month: 'long' },
    { month: 'long', year: 'numeric' },
  ];
  return layouts.map((options) => {
    const parts = new Intl.DateTimeFormat(lang, { ...options, timeZone: 'UTC' }).formatToParts(Date.UTC(2023, 11, 22));
    const fields = parts.filter((p) => p.type === 'day' || p.type === 'month' || p.type === 'year');
    const first = parts.indexOf(fields[0]!);
    const last = parts.indexOf(fields[fields.length - 1]!);
    let re = '';
    const order: DatePart[] = [];
    // Only what lies between the first and last part: a trailing "г." or a leading weekday is not required.
    for (const p of parts.slice(first, last + 1)) {
      if (p.type === 'day' || p.type === 'month' || p.type === 'year') {
        order.push(p.type);
        re += p.type === 'day' ? D : p.type === 'month' ? M : Y;
      } else {
        const word = fold(p.value).trim();
        re += word === '' ? `${SP}+` : `(?:${SP}*${escapeRegExp(word)}${SP}*|${SP}+)`;
      }
    }
    return { re, order };
  });
}

/** The patterns a text in `lang` is read with, most specific first; month names of `lang` and `alsoMonthsOf`. */
function patternsFor(lang: string, alsoMonthsOf: readonly string[]): Pattern[] {
  const key = [lang, ...alsoMonthsOf].join('\u0000');
  const cached = patternCache.get(key);
  if (cached) return cached;
  const months = new Map<string, number>();
  for (const l of [lang, ...alsoMonthsOf]) for (const [name, m] of monthNames(l)) if (!months.has(name)) months.set(name, m);
  const M = `(?<![\\p{L}])(${[...months.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|')})(?![\\p{L}])\\.?`;
  const D = `(?<![\\d\\p{L}.,])(\\d{1,2})${DAY_SUFFIX}`;
  const Y = `(\\d{4})(?![\\d])`;
  const month = (name: string) => months.get(name)!;
  const date = (value: string | undefined) => (value ? { kind: 'date' as const, value } : undefined);
  const dates = (...values: (string | undefined)[]) => (values.every(Boolean) ? values.map((value) => ({ kind: 'date' as const, value: value! })) : undefined);
  // Two days of one month: 5–6, 5/6, 5./6., "5 and 6" in the text's language or English.
  const and = [...new Set([conjunction(lang), conjunction('en')])].filter(Boolean).map(escapeRegExp);
  const TO = `(?:${SP}?[-–/]${SP}?|${SP}+(?:${and.join('|')})${SP}+)`;
  const numeric = numericDate(lang);
  const { group, decimal } = numberStyle(lang);
  const u = (source: string) => new RegExp(source, 'gu');
  // The text's language's own layouts (es "22 de diciembre de 2023"), each before the common pattern of its precision.
  const layouts: Pattern[] = intlDateLayouts(lang, D, M, Y).map(({ re, order }) => ({
    re: u(re),
    read: (m) => {
      const at = (t: DatePart) => (order.includes(t) ? m[order.indexOf(t) + 1] : undefined);
      const [y, d] = [at('year'), at('day')];
      return date(isoDate(y === undefined ? undefined : +y, month(at('month')!), d === undefined ? undefined : +d));
    },
  }));
  const patterns: Pattern[] = [
    // ISO dates: 2023-08-05/06 (two days), 2023-12-22 and 2023-12.
    { re: u(`(?<![\\d-])(\\d{4})-(\\d{2})-(\\d{2})/(\\d{2})(?!\\d)`), read: (m) => dates(isoDate(+m[1]!, +m[2]!, +m[3]!), isoDate(+m[1]!, +m[2]!, +m[4]!)) },
    { re: u(`(?<![\\d-])(\\d{4})-(\\d{2})-(\\d{2})(?!\\d)`), read: (m) => date(isoDate(+m[1]!, +m[2]!, +m[3]!)) },
    { re: u(`(?<![\\d-])(\\d{4})-(\\d{2})(?![\\d]|-\\d)`), read: (m) => date(isoDate(+m[1]!, +m[2]!, undefined)) },
    // The language's all-digit date.
    {
      re: u(`(?<![\\d.,/-])${numeric.re}(?!\\d)`),
      read: (m) => {
        const at = (t: 'day' | 'month' | 'year') => +m[numeric.order.indexOf(t) + 1]!;
        return date(isoDate(at('year'), at('month'), at('day')));
      },
    },
    // 5–6 August 2023, 5 et 6 août 2023, 5./6. August 2023; then the same without a year.
    {
      re: u(`${D}${TO}(\\d{1,2})${DAY_SUFFIX}${SP}+${M}${SP}+${Y}`),
      read: (m) => dates(isoDate(+m[4]!, month(m[3]!), +m[1]!), isoDate(+m[4]!, month(m[3]!), +m[2]!)),
    },
    {
      re: u(`${D}${TO}(\\d{1,2})${DAY_SUFFIX}${SP}+${M}`),
      read: (m) => dates(isoDate(undefined, month(m[3]!), +m[1]!), isoDate(undefined, month(m[3]!), +m[2]!)),
    },
    ...layouts.slice(0, 1),
    // 22 December 2023, 22 décembre 2023, 22. Dezember 2023, 1er août 2023.
    { re: u(`${D}${SP}+${M}${SP}+${Y}`), read: (m) => date(isoDate(+m[3]!, month(m[2]!), +m[1]!)) },
    // December 22, 2023.
    { re: u(`${M}${SP}+(\\d{1,2})(?:st|nd|rd|th)?,?${SP}+${Y}`), read: (m) => date(isoDate(+m[3]!, month(m[1]!), +m[2]!)) },
    ...layouts.slice(2),
    // July 2023, juillet 2023, Juli 2023.
    { re: u(`${M}${SP}+${Y}`), read: (m) => date(isoDate(+m[2]!, month(m[1]!), undefined)) },
    ...layouts.slice(1, 2),
    // 2 August, 2 août, 2. August, 1er août (no year).
    { re: u(`${D}${SP}+${M}`), read: (m) => date(isoDate(undefined, month(m[2]!), +m[1]!)) },
    // July 8 (no year).
    { re: u(`${M}${SP}+(\\d{1,2})(?:st|nd|rd|th)?(?![\\d])`), read: (m) => date(isoDate(undefined, month(m[1]!), +m[2]!)) },
    // Times: 04:00, 04h00, 4 h 00.
    { re: u(`(?<![\\d:.,])([01]?\\d|2[0-3])(?::|${SP}?h${SP}?)([0-5]\\d)(?!\\d)`), read: (m) => ({ kind: 'time', value: `${+m[1]!}:${m[2]}` }) },
    // Numbers, with the language's thousands separator and decimal mark: 1,500 / 1 500 / 1.500; 2.5 / 2,5.
    {
      re: u(`(?<!\\d)(?:\\d{1,3}(?:${group}\\d{3})+(?!\\d)|\\d+)(?:${decimal}\\d+)?`),
      read: (m) => {
        const [whole, fraction] = m[0].split(new RegExp(decimal));
        return { kind: 'number', value: String(Number(`${whole!.replace(/\D/g, '')}${fraction ? `.${fraction}` : ''}`)) };
      },
    },
  ];
  patternCache.set(key, patterns);
  return patterns;
}

/**
 * The numbers, dates and times a text states, in the order written. A year inside a full date is part
 * of the date, not a number of its own; numbers written as words are not read (only digits count).
 * `alsoMonthsOf`: other languages whose month names the text may contain (a source quoted as written).
 */
export function factsIn(text: string, lang: string, alsoMonthsOf: readonly string[] = []): TextFact[] {
  let work = fold(text);
  const found: (TextFact & { at: number })[] = [];
  for (const { re, read } of patternsFor(lang, alsoMonthsOf)) {
    for (const m of work.matchAll(re)) {
      const read_ = read(m);
      if (!read_) continue;
      const written = text.slice(m.index, m.index + m[0].length).trim();
      for (const fact of Array.isArray(read_) ? read_ : [read_]) found.push({ ...fact, text: written, at: m.index });
      // What one pattern read is not read again by the next (a date's day, month and year are not numbers).
      work = work.slice(0, m.index) + '\u0001'.repeat(m[0].length) + work.slice(m.index + m[0].length);
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ at: _at, ...fact }) => fact);
}

/**
 * What a translation says differently from the English in numbers, dates and times, compared as
 * multisets of normalised values: a changed fact (paired with the English one it replaces, in order),
 * a fact left out, or one the English does not state.
 */
export function factDifferences(english: string, translated: string, lang: string): string[] {
  const en = factsIn(english, 'en', [lang]);
  const tr = factsIn(translated, lang, ['en']);
  const unmatched = [...tr];
  const missing: TextFact[] = [];
  for (const fact of en) {
    const i = unmatched.findIndex((t) => t.kind === fact.kind && t.value === fact.value);
    if (i >= 0) unmatched.splice(i, 1);
    else missing.push(fact);
  }
  const out: string[] = [];
  for (const fact of missing) {
    const i = unmatched.findIndex((t) => t.kind === fact.kind);
    if (i >= 0) out.push(`says ${unmatched.splice(i, 1)[0]!.text} where the English says ${fact.text}`);
    else out.push(`leaves out ${fact.text}, which the English says`);
  }
  for (const fact of unmatched) out.push(`says ${fact.text}, which the English does not`);
  return out;
}

/** Translated text that states other numbers or dates than the English: errors, so it cannot ship. */
export function checkTranslationFacts(
  translations: Record<string, Translation>,
  entries: ReturnType<typeof translatableEntries>,
  fileOf: (lang: string) => string,
  problems: DataProblem[],
  skip: ReadonlySet<string> = new Set(),
): void {
  for (const { lang, collection, id, fields, english } of translatedEntries(translations, entries, skip)) {
    if (!english) continue;
    for (const [field, text] of Object.entries(fields)) {
      const source = english[field];
      if (typeof source !== 'string' || text === undefined) continue;
      for (const message of factDifferences(source, text, lang)) {
        problems.push({ file: fileOf(lang), entry: `${collection}/${id}`, field, message });
      }
    }
  }
}

/**
 * The translatable entries ("events/<id>", "terms/<id>") whose English has a data problem: their
 * translations are checked once the English is fixed, so one English mistake is reported once (not
 * again, per language, as a translation of an unknown entry or of a field the broken entry lost).
 * A problem on an office field `terms.<n>…` is its term's; one elsewhere on an office covers its terms.
 */
export function entriesWithEnglishProblems(
  problems: readonly DataProblem[],
  fileOf: (collection: Exclude<TranslatableCollection, 'terms'>) => string,
  rawOffices: unknown,
): Set<string> {
  const out = new Set<string>();
  const collectionOf = new Map<string, Exclude<TranslatableCollection, 'terms'>>();
  for (const c of Object.keys(TRANSLATABLE) as TranslatableCollection[]) if (c !== 'terms') collectionOf.set(fileOf(c), c);
  const offices = Array.isArray(rawOffices) ? (rawOffices as { id?: unknown; terms?: unknown }[]) : [];
  const termIds = (officeId: string): string[] => {
    const terms = offices.find((o) => o?.id === officeId)?.terms;
    return Array.isArray(terms) ? terms.map((t: { id?: unknown } | null) => t?.id).map((id) => (typeof id === 'string' ? id : '')) : [];
  };
  for (const p of problems) {
    const collection = collectionOf.get(p.file);
    if (!collection || !p.entry) continue;
    if (collection !== 'offices') {
      out.add(`${collection}/${p.entry}`);
      continue;
    }
    const term = /^terms\.(\d+)(?:\.|$)/.exec(p.field ?? '');
    const ids = termIds(p.entry);
    if (term) {
      const id = ids[Number(term[1])];
      if (id) out.add(`terms/${id}`);
    } else {
      out.add(`offices/${p.entry}`);
      for (const id of ids) if (id) out.add(`terms/${id}`);
    }
  }
  return out;
}
