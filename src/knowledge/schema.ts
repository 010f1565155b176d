import { z } from 'zod';

/**
 * Dates in data files are strings: "2023-07-26" (day), "2023-07" (month) or "2024" (year, for a
 * source whose report month is unknown).
 * Keeping them as strings (not YAML timestamps) preserves the precision the source gave.
 */
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const YEAR = /^(\d{4})$/;

export type Precision = 'day' | 'month' | 'year';

export interface FuzzyDate {
  /** ISO text exactly as written in the data file. */
  text: string;
  precision: Precision;
  /** First day the date covers (ISO yyyy-mm-dd). */
  start: string;
  /** Last day the date covers (ISO yyyy-mm-dd). */
  end: string;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function parseFuzzyDate(text: string): FuzzyDate | string {
  const day = DAY.exec(text);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (m < 1 || m > 12) return `month ${m} does not exist`;
    if (d < 1 || d > daysInMonth(y, m)) return `day ${d} does not exist in ${y}-${pad(m)}`;
    return { text, precision: 'day', start: text, end: text };
  }
  const month = MONTH.exec(text);
  if (month) {
    const [y, m] = [Number(month[1]), Number(month[2])];
    if (m < 1 || m > 12) return `month ${m} does not exist`;
    return {
      text,
      precision: 'month',
      start: `${y}-${pad(m)}-01`,
      end: `${y}-${pad(m)}-${pad(daysInMonth(y, m))}`,
    };
  }
  const year = YEAR.exec(text);
  if (year) return { text, precision: 'year', start: `${text}-01-01`, end: `${text}-12-31` };
  return 'expected a date as YYYY-MM-DD, YYYY-MM or YYYY';
}

export const fuzzyDate = z.string().transform((text, ctx): FuzzyDate => {
  const parsed = parseFuzzyDate(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: `impossible date "${text}": ${parsed}` });
    return z.NEVER;
  }
  return parsed;
});

export const dayDate = fuzzyDate.refine((d) => d.precision === 'day', {
  message: 'needs a full date YYYY-MM-DD',
});

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lower-case letters, digits and dashes');

const sourceRefs = z.array(id).min(1, 'cites no source: every entry needs at least one source id');

/** Fields every entry (but sources) carries: what backs it and when it entered the knowledge base. */
const sourced = {
  id,
  sources: sourceRefs,
  added: dayDate,
};

export const sourceSchema = z.strictObject({
  id,
  publisher: z.string().min(1),
  title: z.string().min(1),
  published: fuzzyDate,
  url: z.url().optional(),
  note: z.string().optional(),
  added: dayDate,
});

export const personSchema = z.strictObject({
  ...sourced,
  name: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  role: z.string().min(1),
  summary: z.string().min(1),
});

const coordinates = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

export const placeSchema = z.strictObject({
  ...sourced,
  name: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  country: z.string().min(1),
  kind: z.string().min(1),
  summary: z.string().min(1),
  coordinates: coordinates.optional(),
});

/** What users type for a country, organisation or office, per language (lexicon, not claims). */
const nameList = z.array(z.string().min(1)).min(1);
const namesByLanguage = z.strictObject({ en: nameList, fr: nameList, de: nameList });

export type Language = keyof z.infer<typeof namesByLanguage>;
export const LANGUAGES: readonly Language[] = ['en', 'fr', 'de'];

/** Short forms that name something only when written in capitals ("US", not "us"). */
const capitalCodes = z.array(z.string().regex(/^[A-Z][A-Z0-9]{1,5}$/, 'codes are written in capitals, e.g. "US"')).default([]);

/** Countries are lexicon data (names are not claims about events): no sources, no `added`. */
export const countrySchema = z.strictObject({
  id,
  /** Display name; for countries with troop figures, the `country` used in deployments. */
  name: z.string().min(1),
  /** ISO 3166-1 alpha-2. */
  iso: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. "FR"'),
  /** English adjective for display: "French troops", "US troops". */
  adjective: z.string().min(1),
  names: namesByLanguage,
  codes: capitalCodes,
  /** Language-neutral metonyms, e.g. the capital used for the government ("Paris"). */
  aliases: z.array(z.string().min(1)).default([]),
});

export const organisationSchema = z.strictObject({
  ...sourced,
  acronym: z.string().min(1).optional(),
  /** Display name (English). */
  name: z.string().min(1),
  names: namesByLanguage,
  /** Short forms matched only in capitals, for those that are ordinary words in lower case ("AU"). */
  codes: capitalCodes,
  /** Short English noun phrase: "regional bloc", "military junta". */
  kind: z.string().min(1),
  /** One to three sentences built only from the cited sources. */
  description: z.string().min(1),
});

export const officeTermSchema = z.strictObject({
  ...sourced,
  /** A person id, or absent for a collective body (then `body` names it). */
  person: id.optional(),
  body: z.string().optional(),
  title: z.string().min(1),
  /** Absent when no source gives it (then `attested` says when the holder was in office). */
  start: dayDate.optional(),
  /** How the term began; required with `start`. */
  began: z.string().min(1).optional(),
  /** End is exclusive of nothing: a term ending on a day and the next starting that day do not overlap. */
  end: dayDate.optional(),
  ended: z.string().optional(),
  /**
   * A date a source shows the holder in office, for a term whose start (or end) no source gives.
   * One date per term: a holder shown in office on several dates with nothing linking them gets
   * one term per date.
   */
  attested: dayDate.optional(),
  /**
   * The id of a term of another office this one was served under (a prime minister under a
   * president): for a term with no start, the earliest it can have begun is that term's start, so
   * queries treat it as held from then until its end (or attested date).
   */
  under: id.optional(),
  note: z.string().optional(),
});

export const officeSchema = z.strictObject({
  id,
  /** The country whose office it is, by display name in countries.yaml. */
  country: z.string().min(1),
  /** Display name. */
  name: z.string().min(1),
  names: namesByLanguage,
  /** Oldest first. */
  terms: z.array(officeTermSchema).min(1),
  added: dayDate,
});

/** The office whose terms the `ruler` command and `rulerTerms()` read. */
export const HEAD_OF_STATE_OFFICE = 'niger-head-of-state';

/** A figure another source gives for the same point, kept so answers can show the disagreement. */
const alternativeFigure = z.strictObject({
  count: z.number().int().nonnegative(),
  approximate: z.boolean().default(true),
  sources: sourceRefs,
  note: z.string().optional(),
});

export const deploymentSchema = z.strictObject({
  ...sourced,
  /** Whose forces, e.g. "France". */
  country: z.string().min(1),
  host: z.string().min(1),
  count: z.number().int().nonnegative(),
  approximate: z.boolean(),
  /** The date (or month) the figure holds for. */
  asOf: fuzzyDate,
  /** For a figure reported as holding over a span (e.g. July to September 2023), the last month/day. */
  until: fuzzyDate.optional(),
  /** Where the forces were, by place id. */
  places: z.array(id).default([]),
  note: z.string().optional(),
  alternatives: z.array(alternativeFigure).default([]),
});

export const eventSchema = z.strictObject({
  ...sourced,
  date: fuzzyDate,
  /** Last day of a multi-day event. */
  endDate: fuzzyDate.optional(),
  title: z.string().min(1),
  summary: z.string().min(1),
  tags: z.array(z.string().min(1)).min(1),
  /** Who acts in (or is acted on by) the event: person ids and organisation ids. */
  actors: z.array(id).default([]),
  places: z.array(id).default([]),
  /** A point where sources disagree or a detail is uncertain; shown with the event. */
  caveat: z.string().optional(),
});

export const statementSchema = z.strictObject({
  ...sourced,
  person: id,
  date: fuzzyDate,
  quote: z.string().min(1),
  context: z.string().min(1),
  tags: z.array(z.string().min(1)).default([]),
});

/** Named moments users refer to ("before the coup", "after the withdrawal"). */
export const anchorSchema = z.strictObject({
  id,
  names: z.array(z.string().min(1)).min(1),
  /** The event that starts the anchor. */
  event: id,
  /** For spans ("during the withdrawal"), the event that ends it. */
  endEvent: id.optional(),
  added: dayDate,
});

export type Source = z.infer<typeof sourceSchema>;
export type Person = z.infer<typeof personSchema>;
export type Place = z.infer<typeof placeSchema>;
export type Country = z.infer<typeof countrySchema>;
export type Organisation = z.infer<typeof organisationSchema>;
export type OfficeTerm = z.infer<typeof officeTermSchema>;
export type Office = z.infer<typeof officeSchema>;
/**
 * A term of Niger's head-of-state office. Kept for the ruler code: the loader requires those terms
 * to have a start (and how it began), so unlike other office terms they always do.
 */
export type RulerTerm = OfficeTerm & { start: FuzzyDate; began: string };
export type Deployment = z.infer<typeof deploymentSchema>;
export type KbEvent = z.infer<typeof eventSchema>;
export type Statement = z.infer<typeof statementSchema>;
export type Anchor = z.infer<typeof anchorSchema>;

/** One YAML file per collection; each file holds a list of entries. */
export const collections = {
  sources: sourceSchema,
  people: personSchema,
  places: placeSchema,
  countries: countrySchema,
  organisations: organisationSchema,
  offices: officeSchema,
  deployments: deploymentSchema,
  events: eventSchema,
  statements: statementSchema,
  anchors: anchorSchema,
} as const;

export type CollectionName = keyof typeof collections;
