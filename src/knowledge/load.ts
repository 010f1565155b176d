import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../paths.ts';
import type { z } from 'zod';
import { DataError, type DataProblem } from './problems.ts';
import { readYaml, YamlError } from './yaml.ts';
import { readSnapshot, SNAPSHOT_DIR, writeSnapshot, type SnapshotInputs } from '../snapshot.ts';
import { lexiconSchema, type LexiconData } from './lexicon.ts';
import { normalizeName } from './normalize.ts';
import {
  checkTranslationFacts,
  checkTranslationTargets,
  entriesWithEnglishProblems,
  readTranslations,
  stillTranslating,
  translatableEntries,
  TRANSLATIONS_DIR,
  type Translation,
} from './translations.ts';
import {
  collections,
  HEAD_OF_STATE_OFFICE,
  LANGUAGES,
  type CollectionName,
  type Source,
  type Person,
  type Place,
  type Country,
  type Organisation,
  type Office,
  type OfficeTerm,
  type Deployment,
  type KbEvent,
  type Statement,
  type Anchor,
} from './schema.ts';

export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, 'data');

// Defined in problems.ts (translations.ts reports into the same list without importing the loader).
export { DataError, type DataProblem, formatProblem } from './problems.ts';

export interface KnowledgeData {
  sources: Source[];
  people: Person[];
  places: Place[];
  countries: Country[];
  organisations: Organisation[];
  offices: Office[];
  deployments: Deployment[];
  events: KbEvent[];
  statements: Statement[];
  anchors: Anchor[];
  /** The words questions are read with (data/lexicon.yaml). */
  lexicon: LexiconData;
  /** The entries' text in other languages, by language (data/translations/<lang>.yaml). */
  translations: Record<string, Translation>;
}

type Raw = Record<CollectionName, unknown>;

function readCollections(dir: string, problems: DataProblem[]): Partial<Raw> {
  const raw: Partial<Raw> = {};
  for (const name of Object.keys(collections) as CollectionName[]) {
    const path = join(dir, `${name}.yaml`);
    const file = relative(process.cwd(), path) || path;
    if (!existsSync(path)) {
      problems.push({ file, message: 'file is missing' });
      continue;
    }
    try {
      raw[name] = readYaml(path) ?? [];
    } catch (err) {
      const message = err instanceof YamlError ? err.message : String(err);
      problems.push({ file, message: `is not valid YAML: ${message}` });
    }
  }
  return raw;
}

function entryLabel(value: unknown, index: number): string {
  if (value && typeof value === 'object' && 'id' in value && typeof value.id === 'string') {
    return value.id;
  }
  return `#${index + 1}`;
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  string: 'a text',
  array: 'a list',
  object: 'a mapping of fields',
};

/** What a data author reads for one schema issue: "is missing", or "must be a number (got "many")". */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return issue.message;
  if (issue.input === undefined) return 'is missing';
  return `must be ${EXPECTED[issue.expected] ?? issue.expected} (got ${shownValue(issue.input)})`;
}

function shownValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

function validateCollection<N extends CollectionName>(name: N, value: unknown, file: string, problems: DataProblem[]): z.infer<(typeof collections)[N]>[] {
  if (!Array.isArray(value)) {
    problems.push({ file, message: 'must be a YAML list of entries' });
    return [];
  }
  const schema = collections[name];
  const out: z.infer<(typeof collections)[N]>[] = [];
  value.forEach((item, index) => {
    // Zod 4 leaves `input` out of its issues unless asked: without it a wrong type looked like a missing field.
    const result = schema.safeParse(item, { reportInput: true });
    if (result.success) {
      out.push(result.data as z.infer<(typeof collections)[N]>);
      return;
    }
    for (const issue of result.error.issues) {
      problems.push({
        file,
        entry: entryLabel(item, index),
        field: issue.path.join('.') || undefined,
        message: describeIssue(issue),
      });
    }
  });
  return out;
}

/**
 * The span of days a term is taken to cover, for overlap checks and queries: from its start (or,
 * without one, the start of the term it served `under`, or else its attested date) to its end (or,
 * without one: open if it has a start, else its attested date, else the end of its `under` term).
 * `to` undefined means still open; null means the term has no date at all (a data error).
 */
export function termSpan(term: OfficeTerm, termsById: ReadonlyMap<string, OfficeTerm>): { from: string; to: string | undefined } | null {
  const under = term.under ? termsById.get(term.under) : undefined;
  const from = term.start?.start ?? under?.start?.start ?? term.attested?.start;
  if (from === undefined) return null;
  let to: string | undefined;
  if (term.end) to = term.end.start;
  else if (term.start) to = undefined;
  else to = term.attested?.start ?? under?.end?.start;
  return { from, to };
}

/** Normalisation for comparing names, as the knowledge base does it (lower case, no accents). */

/** Checks that need more than one entry: references, duplicates, and the order of office terms. */
function crossCheck(data: KnowledgeData, fileOf: (c: CollectionName) => string, problems: DataProblem[]) {
  const ids = new Map<CollectionName, Set<string>>();
  for (const name of Object.keys(collections) as CollectionName[]) {
    const seen = new Set<string>();
    for (const entry of data[name] as { id: string }[]) {
      if (seen.has(entry.id)) {
        problems.push({ file: fileOf(name), entry: entry.id, field: 'id', message: 'duplicate id' });
      }
      seen.add(entry.id);
    }
    ids.set(name, seen);
  }
  const nouns: Partial<Record<CollectionName, string>> = {
    sources: 'source',
    people: 'person',
    places: 'place',
    events: 'event',
    countries: 'country',
    organisations: 'organisation',
    offices: 'office',
  };
  const check = (name: CollectionName, entry: string, field: string, ref: string | undefined, target: CollectionName) => {
    if (ref !== undefined && !ids.get(target)!.has(ref)) {
      problems.push({ file: fileOf(name), entry, field, message: `unknown ${nouns[target] ?? target} id "${ref}"` });
    }
  };
  // Countries are lexicon and cite no sources; office terms are checked with their office below.
  for (const name of ['people', 'places', 'organisations', 'deployments', 'events', 'statements'] as const) {
    for (const entry of data[name]) {
      entry.sources.forEach((s, i) => {
        check(name, entry.id, `sources.${i}`, s, 'sources');
      });
    }
  }

  // ---- countries: names must tell countries apart ----
  const countryNames = new Set(data.countries.map((c) => c.name));
  const owners = new Map<string, string>();
  const claim = (scope: string, raw: string, country: Country, field: string) => {
    const key = `${scope}\u0000${scope === 'codes' ? raw : normalizeName(raw)}`;
    const owner = owners.get(key);
    if (owner !== undefined && owner !== country.id) {
      problems.push({
        file: fileOf('countries'),
        entry: country.id,
        field,
        message: `"${raw}" also names country "${owner}"${scope === 'codes' ? '' : ` (same normalised ${scope === 'aliases' ? 'alias' : `${scope} name`})`}`,
      });
    } else {
      owners.set(key, country.id);
    }
  };
  const isoOwners = new Map<string, string>();
  for (const c of data.countries) {
    claim('en', c.name, c, 'name');
    for (const lang of LANGUAGES)
      c.names[lang].forEach((n, i) => {
        claim(lang, n, c, `names.${lang}.${i}`);
      });
    c.codes.forEach((code, i) => {
      claim('codes', code, c, `codes.${i}`);
    });
    c.aliases.forEach((a, i) => {
      claim('aliases', a, c, `aliases.${i}`);
    });
    const isoOwner = isoOwners.get(c.iso);
    if (isoOwner !== undefined) {
      problems.push({ file: fileOf('countries'), entry: c.id, field: 'iso', message: `ISO code "${c.iso}" is also country "${isoOwner}"'s` });
    } else {
      isoOwners.set(c.iso, c.id);
    }
  }
  const checkCountryName = (name: CollectionName, entry: string, field: string, value: string) => {
    // With countries.yaml missing or unreadable, that one problem says it all.
    if (countryNames.size > 0 && !countryNames.has(value)) {
      problems.push({ file: fileOf(name), entry, field, message: `unknown country "${value}": not a \`name\` in countries.yaml` });
    }
  };

  // ---- organisations: names (in any language), acronyms and codes must tell them apart ----
  const orgOwners = new Map<string, string>();
  for (const o of data.organisations) {
    const claimOrg = (key: string, raw: string, field: string) => {
      const owner = orgOwners.get(key);
      if (owner !== undefined && owner !== o.id) {
        problems.push({ file: fileOf('organisations'), entry: o.id, field, message: `"${raw}" also names organisation "${owner}"` });
      } else {
        orgOwners.set(key, o.id);
      }
    };
    claimOrg(`name\u0000${normalizeName(o.name)}`, o.name, 'name');
    if (o.acronym) claimOrg(`name\u0000${normalizeName(o.acronym)}`, o.acronym, 'acronym');
    for (const lang of LANGUAGES)
      o.names[lang].forEach((n, i) => {
        claimOrg(`name\u0000${normalizeName(n)}`, n, `names.${lang}.${i}`);
      });
    o.codes.forEach((code, i) => {
      claimOrg(`code\u0000${code}`, code, `codes.${i}`);
    });
  }

  for (const d of data.deployments) {
    checkCountryName('deployments', d.id, 'country', d.country);
    checkCountryName('deployments', d.id, 'host', d.host);
    d.places.forEach((p, i) => {
      check('deployments', d.id, `places.${i}`, p, 'places');
    });
    d.alternatives.forEach((a, i) => {
      a.sources.forEach((s, j) => {
        check('deployments', d.id, `alternatives.${i}.sources.${j}`, s, 'sources');
      });
    });
    if (d.until && d.until.end < d.asOf.start) {
      problems.push({ file: fileOf('deployments'), entry: d.id, field: 'until', message: `ends (${d.until.text}) before it starts (${d.asOf.text})` });
    }
  }
  const actorIds = new Set([...ids.get('people')!, ...ids.get('organisations')!]);
  for (const e of data.events) {
    e.actors.forEach((a, i) => {
      if (!actorIds.has(a)) {
        problems.push({ file: fileOf('events'), entry: e.id, field: `actors.${i}`, message: `unknown person or organisation id "${a}"` });
      }
    });
    e.places.forEach((p, i) => {
      check('events', e.id, `places.${i}`, p, 'places');
    });
    if (e.endDate && e.endDate.end < e.date.start) {
      problems.push({ file: fileOf('events'), entry: e.id, field: 'endDate', message: `ends (${e.endDate.text}) before it starts (${e.date.text})` });
    }
  }
  for (const s of data.statements) check('statements', s.id, 'person', s.person, 'people');
  for (const a of data.anchors) {
    check('anchors', a.id, 'event', a.event, 'events');
    check('anchors', a.id, 'endEvent', a.endEvent, 'events');
  }

  // ---- offices and their terms ----
  const file = fileOf('offices');
  checkOffices(data.offices, { people: ids.get('people')!, sources: ids.get('sources')!, countries: countryNames }, file, problems);
  if (data.offices.length > 0 && !ids.get('offices')!.has(HEAD_OF_STATE_OFFICE)) {
    problems.push({ file, message: `has no office "${HEAD_OF_STATE_OFFICE}": the ruler answers read its terms` });
  }
}

/** The ids an office's terms may refer to, and the country names an office may belong to (none: not checked). */
export interface OfficeReferences {
  people: ReadonlySet<string>;
  sources: ReadonlySet<string>;
  countries: ReadonlySet<string>;
}

/**
 * The loader's checks of offices and their terms: term ids unique across offices, every person, source and `under`
 * term known, a start with how it began, dates in order, and no two terms of one office overlapping. Exported so a
 * proposal changing an office is checked against the rest of the knowledge base exactly as data/ is.
 */
export function checkOffices(offices: readonly Office[], refs: OfficeReferences, file: string, problems: DataProblem[]): void {
  const termsById = new Map<string, OfficeTerm>();
  const officeOfTerm = new Map<string, string>();
  for (const office of offices) {
    office.terms.forEach((t, i) => {
      if (termsById.has(t.id)) {
        problems.push({ file, entry: office.id, field: `terms.${i}.id`, message: `duplicate term id "${t.id}" (also in office "${officeOfTerm.get(t.id)}")` });
        return;
      }
      termsById.set(t.id, t);
      officeOfTerm.set(t.id, office.id);
    });
  }
  for (const office of offices) {
    // With countries.yaml missing or unreadable, that one problem says it all.
    if (refs.countries.size > 0 && !refs.countries.has(office.country)) {
      problems.push({ file, entry: office.id, field: 'country', message: `unknown country "${office.country}": not a \`name\` in countries.yaml` });
    }
    const spans: { term: OfficeTerm; index: number; from: string; to: string | undefined }[] = [];
    office.terms.forEach((t, i) => {
      const at = `terms.${i}`;
      const push = (field: string, message: string) => problems.push({ file, entry: office.id, field: `${at}.${field}`, message: `term "${t.id}" ${message}` });
      t.sources.forEach((s, j) => {
        if (!refs.sources.has(s)) push(`sources.${j}`, `cites unknown source id "${s}"`);
      });
      if (t.person !== undefined && !refs.people.has(t.person)) push('person', `names unknown person id "${t.person}"`);
      if (!t.person && !t.body) push('person', 'names neither a person nor a ruling body');
      if (t.start && !t.began) push('began', 'has a start but does not say how it began');
      if (t.under !== undefined) {
        if (!termsById.has(t.under)) push('under', `serves under unknown office term id "${t.under}"`);
        else if (officeOfTerm.get(t.under) === office.id) push('under', `serves under "${t.under}", a term of the same office`);
      }
      if (!t.start && !t.attested) {
        push('start', 'has no start and no attested date: give a date a source shows the holder in office');
      }
      if (office.id === HEAD_OF_STATE_OFFICE && !t.start) {
        push('start', 'has no start: every head-of-state term needs one (the ruler answers say since when)');
      }
      const span = termSpan(t, termsById);
      if (!span) return;
      const startText = t.start?.text ?? span.from;
      if (t.end && t.end.start < span.from) push('end', `ends (${t.end.text}) before it starts (${startText})`);
      const d = t.attested;
      if (d && t.start && d.start < t.start.start) push('attested', `is attested (${d.text}) before it starts (${t.start.text})`);
      if (d && t.end && d.start > t.end.start) push('attested', `is attested (${d.text}) after it ends (${t.end.text})`);
      spans.push({ term: t, index: i, ...span });
    });
    spans.sort((a, b) => a.from.localeCompare(b.from));
    for (let k = 1; k < spans.length; k++) {
      const prev = spans[k - 1]!;
      const cur = spans[k]!;
      if (prev.to === undefined || prev.to > cur.from) {
        problems.push({
          file,
          entry: office.id,
          field: `terms.${cur.index}.${cur.term.start ? 'start' : 'attested'}`,
          message: `term "${cur.term.id}" overlaps term "${prev.term.id}" (${prev.from} – ${prev.to ?? 'open'})`,
        });
      }
    }
  }
}

/** data/lexicon.yaml: one object (not a list of entries), validated like the collections. */
function readLexicon(dir: string, problems: DataProblem[]): LexiconData {
  const path = join(dir, 'lexicon.yaml');
  const file = relative(process.cwd(), path) || path;
  if (!existsSync(path)) {
    problems.push({ file, message: 'file is missing' });
    return undefined as unknown as LexiconData;
  }
  let raw: unknown;
  try {
    raw = readYaml(path);
  } catch (err) {
    const message = err instanceof YamlError ? err.message : String(err);
    problems.push({ file, message: `is not valid YAML: ${message}` });
    return undefined as unknown as LexiconData;
  }
  const parsed = lexiconSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push({ file, field: issue.path.join('.'), message: describeIssue(issue) });
    return undefined as unknown as LexiconData;
  }
  const concepts = new Set(parsed.data.concepts.map((c) => c.id));
  parsed.data.concepts.forEach((c, i) => {
    for (const link of ['ends', 'causes'] as const) {
      for (const id of c[link] ?? []) if (!concepts.has(id)) problems.push({ file, field: `concepts.${i}.${link}`, message: `unknown concept "${id}"` });
    }
    if (c.ofHappening && !concepts.has(c.ofHappening))
      problems.push({ file, field: `concepts.${i}.ofHappening`, message: `unknown concept "${c.ofHappening}"` });
  });
  return parsed.data;
}

/** Loads every collection and reports all problems at once, so one run of data:check shows everything. */
export interface LoadOptions {
  /**
   * Whether translations are checked to state the English text's numbers and dates (on by default: data:check,
   * tests). The running bot leaves it to data:check, which CI runs: it costs ~0.1 s of every start.
   */
  translationFacts?: boolean;
  /**
   * A snapshot written by writeKnowledgeSnapshot (see src/snapshot.ts): its data is returned instead of reading and
   * validating `dir` when it was made from the same files, loader code and options; otherwise the full load runs.
   */
  snapshot?: string;
}

/** Where the build writes the snapshot of data/ the bot starts from. */
export const DEFAULT_SNAPSHOT = join(SNAPSHOT_DIR, 'knowledge-data.json');

/**
 * How the bot loads data/ at start: from the build's snapshot when it is current; the translations' facts are
 * data:check's (CI runs it) rather than every start's, where they would cost ~0.1 s.
 */
export const BOT_LOAD_OPTIONS: LoadOptions = { translationFacts: false, snapshot: DEFAULT_SNAPSHOT };

/**
 * What a load of `dir` depends on: its files, the code of this folder (the loader, the schemas and what they
 * call), the parsers' versions, and of the options the fact check (undefined is its default).
 */
export function knowledgeSnapshotInputs(dir: string, options: LoadOptions): SnapshotInputs {
  return {
    folders: { loader: dirname(fileURLToPath(import.meta.url)), data: dir },
    libraries: ['zod', 'js-yaml'],
    options: { translationFacts: options.translationFacts ?? true },
  };
}

/** Loads `dir` in full (a DataError when it has problems) and writes the result as the snapshot at options.snapshot. */
export function writeKnowledgeSnapshot(dir: string, options: LoadOptions & { snapshot: string }): void {
  const { snapshot, ...load } = options;
  writeSnapshot(snapshot, knowledgeSnapshotInputs(dir, load), loadKnowledgeData(dir, load));
}

export function loadKnowledgeData(dir: string = DEFAULT_DATA_DIR, options: LoadOptions = {}): KnowledgeData {
  if (options.snapshot !== undefined) {
    const data = readSnapshot<KnowledgeData>(options.snapshot, knowledgeSnapshotInputs(dir, options));
    if (data) return data;
  }
  const problems: DataProblem[] = [];
  const fileOf = (name: CollectionName) => relative(process.cwd(), join(dir, `${name}.yaml`)) || `${name}.yaml`;
  const raw = readCollections(dir, problems);
  const data = {} as KnowledgeData;
  for (const name of Object.keys(collections) as CollectionName[]) {
    (data as unknown as Record<string, unknown[]>)[name] = raw[name] === undefined ? [] : validateCollection(name, raw[name], fileOf(name), problems);
  }
  data.lexicon = readLexicon(dir, problems);
  data.translations = readTranslations(dir, problems);
  const translationFile = (lang: string) => relative(process.cwd(), join(dir, TRANSLATIONS_DIR, `${lang}.yaml`)) || `${lang}.yaml`;
  return checkAcross(data, raw.offices, fileOf, translationFile, problems, options);
}

/** The checks that need the whole knowledge base (references, terms, translations); a DataError with every problem. */
function checkAcross(
  data: KnowledgeData,
  rawOffices: unknown,
  fileOf: (name: CollectionName) => string,
  translationFile: (lang: string) => string,
  problems: DataProblem[],
  options: LoadOptions,
): KnowledgeData {
  crossCheck(data, fileOf, problems);
  // Translations are checked against English entries that have no problem of their own.
  const troubled = entriesWithEnglishProblems(problems, fileOf, rawOffices);
  const entries = translatableEntries(data);
  checkTranslationTargets(data.translations, entries, translationFile, problems, troubled);
  if (options.translationFacts ?? true) checkTranslationFacts(data.translations, entries, translationFile, problems, troubled);
  if (problems.length > 0) throw new DataError(problems);
  return data;
}

/** One entry as the store keeps it: its collection, and its fields as data/ writes them (before zod's parsing). */
export interface StoredEntry {
  kind: CollectionName;
  entry: unknown;
}

/** What stays in files whatever the store holds: the words questions are read with, and the translations. */
export type KnowledgeWords = Pick<KnowledgeData, 'countries' | 'lexicon' | 'translations'> | KnowledgeData;

/** Words given with the files' entries too (the bot's data/ at start): what the translations were written for. */
function isFullData(words: KnowledgeWords): words is KnowledgeData {
  return 'events' in words && Array.isArray(words.events);
}

/**
 * The knowledge data of entries read from the store (each collection's entries in the order given), with the words
 * of `words` (already validated: they come from data/). Validated as loadKnowledgeData validates data/ — the same
 * zod schemas and checks across entries — so a broken revision is a DataError naming it ("store deployments",
 * entry, field), never a half-built knowledge base. Kinds that are words (countries) are taken from `words`.
 */
export function knowledgeFromEntries(entries: Iterable<StoredEntry>, words: KnowledgeWords, options: LoadOptions = {}): KnowledgeData {
  const problems: DataProblem[] = [];
  const fileOf = (name: CollectionName) => `store ${name}`;
  const raw: Partial<Record<CollectionName, unknown[]>> = {};
  for (const { kind, entry } of entries) (raw[kind] ??= []).push(entry);
  const data = {} as KnowledgeData;
  for (const name of Object.keys(collections) as CollectionName[]) {
    if (name === 'countries') continue;
    (data as unknown as Record<string, unknown[]>)[name] = validateCollection(name, raw[name] ?? [], fileOf(name), problems);
  }
  data.countries = words.countries;
  data.lexicon = words.lexicon;
  // Translations were written for data/'s English: where the store's differs (a correction from chat), not shown.
  data.translations = isFullData(words) ? stillTranslating(words.translations, translatableEntries(words), translatableEntries(data)) : words.translations;
  return checkAcross(data, raw.offices, fileOf, (lang) => `data/${TRANSLATIONS_DIR}/${lang}.yaml`, problems, options);
}
