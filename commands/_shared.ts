// Helpers shared by command files. The leading underscore keeps the registry from loading it as a command.
//
// Every answer is worded here and in the command files through the catalogs (locales/<lang>.json): a
// command picks a message and fills it with facts (numbers, dates, names, the knowledge base's text in
// the answer's language); nothing the user reads is English text in code.
import { z } from 'zod';
import type { ChartImage, ChartService } from '../src/core/charts-port.ts';
import type { CommandContext } from '../src/core/command.ts';
import type { ReplyAttachment } from '../src/core/reply.ts';
import { UserError } from '../src/core/errors.ts';
import { FALLBACK_LANG, t } from '../src/core/i18n.ts';
import { quote } from '../src/core/sanitize.ts';
import { ageInWords } from '../src/core/words.ts';
import { DateParseError, formatDay, formatPeriod, longDate, parseDateOption, type AnchorSpan, type DateQuery } from '../src/knowledge/dates.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { Deployment, FuzzyDate, OfficeTerm, Statement } from '../src/knowledge/schema.ts';
import { BoundedMemo } from '../src/knowledge/memo.ts';

export const dateOption = (description: string) => z.string().max(200).optional().describe(description).meta({ kind: 'date' });

/** Resolves a date option; absent means "now" (the newest sourced fact). */
export function resolveDate(text: string | undefined, ctx: CommandContext): DateQuery {
  // Any event can be the date: "when the ambassador left", "after the Toulon speech".
  const anchored = text ? ctx.kb.questions.dateOfEvent(text, true) : null;
  try {
    return parseDateOption(anchored ?? text ?? '', ctx.now(), ctx.kb.anchorSpans);
  } catch (err) {
    const described = err instanceof DateParseError && text ? ctx.kb.questions.dateOfEvent(text, false) : null;
    if (described) return parseDateOption(described, ctx.now(), ctx.kb.anchorSpans);
    throw err;
  }
}

// ---- periods in words ----

/** ICU select keys cannot hold spaces: "end of" → "endOf". */
const EDGE_KEYS = { early: 'early', mid: 'mid', late: 'late', 'end of': 'endOf', 'start of': 'startOf', 'beginning of': 'beginningOf' } as const;

/**
 * A named moment ("the coup") in `lang`, in the form its place in the sentence needs: `plain` on its own,
 * `after` behind a preposition such as before/after (German dative), `of` behind "at the time of"/"during"
 * (French "du", German genitive). English is the anchor's own name.
 */
function anchorName(anchor: AnchorSpan, lang: string, form: 'plain' | 'after' | 'of'): string {
  // ICU select keys take no hyphens: "macron-announcement" is macron_announcement in the catalogs.
  return t(lang, 'date.anchor.name', { anchor: (anchor.id ?? '').replace(/-/g, '_'), form, name: anchor.label });
}

/** The period's label in `lang`: "September 2023", "now", "juste avant le coup d’État (25 juillet 2023)". */
export function dateLabel(at: DateQuery, lang: string): string {
  const p = at.phrase ?? { kind: 'period', start: at.start, end: at.end };
  switch (p.kind) {
    case 'period':
      return formatPeriod(p.start, p.end, lang);
    case 'now':
      return t(lang, 'date.now');
    case 'season':
      return t(lang, 'date.season', { season: p.season, year: String(p.year) });
    case 'edge':
      return t(lang, 'date.edge', { edge: EDGE_KEYS[p.edge], year: String(p.year) });
    case 'relative':
      return p.relation === 'before'
        ? t(lang, 'date.before', { period: dateLabel(p.base, lang), day: formatDay(at.start, lang) })
        : t(lang, 'date.after', { relation: p.relation, period: dateLabel(p.base, lang) });
    case 'anchor':
      if (p.relation === 'at')
        return t(lang, 'date.anchor.at', { anchor: anchorName(p.anchor, lang, 'plain'), period: formatPeriod(p.anchor.start, p.anchor.end, lang) });
      return t(lang, p.relation === 'just before' ? 'date.anchor.justBefore' : 'date.anchor.justAfter', {
        anchor: anchorName(p.anchor, lang, 'after'),
        day: formatDay(at.start, lang),
      });
    case 'anchorOffset':
      return t(lang, 'date.anchor.offset', {
        word: p.word,
        count: p.count,
        unit: p.unit,
        relation: p.relation,
        anchor: anchorName(p.anchor, lang, 'after'),
        day: formatDay(at.start, lang),
      });
  }
}

/** A period inside a sentence: "on 27 September 2023", "in September 2023", "just before the coup (25 July 2023)". */
export function inPeriod(at: DateQuery, lang: string): string {
  const p = at.phrase ?? { kind: 'period', start: at.start, end: at.end };
  switch (p.kind) {
    case 'relative':
    case 'anchorOffset':
      return dateLabel(at, lang);
    case 'anchor':
      if (p.relation !== 'at') return dateLabel(at, lang);
      // A named moment: "at the time of Macron's announcement (24 September 2023)", "during the withdrawal (…)".
      return t(lang, 'date.in.anchor', {
        precision: at.precision === 'day' ? 'day' : 'span',
        anchor: anchorName(p.anchor, lang, 'of'),
        period: formatPeriod(p.anchor.start, p.anchor.end, lang),
      });
    case 'edge':
      return t(lang, 'date.in.edge', { edge: EDGE_KEYS[p.edge], label: dateLabel(at, lang) });
    case 'season':
      return t(lang, 'date.in.season', { season: p.season, label: dateLabel(at, lang) });
    default:
      return t(lang, 'date.in', { precision: at.precision, label: dateLabel(at, lang) });
  }
}

/** Whether a period's label carries its own preposition ("after March 2024", "since 2024"): "during" would double it. */
export function relativeKey(at: DateQuery): 'yes' | 'no' {
  return at.phrase?.kind === 'relative' ? 'yes' : 'no';
}

/** The label of a period as a title shows it: "now" for the present. */
export function whenLabel(at: DateQuery, lang: string): string {
  return at.now ? t(lang, 'date.now') : dateLabel(at, lang);
}

/**
 * A name as it reads inside a sentence: "prime minister of Niger" in English and French; German nouns keep
 * their capital (the catalog's `grammar.lowerFirst` says which). Acronyms ("AES …") are left as they are.
 */
export function lowerFirst(s: string, lang = 'en', common?: (word: string) => boolean): string {
  if (t(lang, 'grammar.lowerFirst') !== 'yes' || !/^\p{Lu}\p{Ll}/u.test(s)) return s;
  // A name in title case ("Foreign Minister of France") or one that starts with a name ("French embassy
  // closed", "Liptako-Gourma Charter …", when `common` says which words are ordinary) keeps its capital.
  const [first = '', second = ''] = s.split(/\s+/);
  if (common ? !common(first) : /^\p{Lu}/u.test(second)) return s;
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The first letter in capitals, for a sentence that starts with a figure ("About 1,500 …", "Etwa 1.500 …"). */
export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function today(ctx: CommandContext): string {
  return ctx.now().toISOString().slice(0, 10);
}

/** The ISO date an answer holds for: a day, a month (yyyy-mm), or the end of a longer period. */
export function asOfFor(at: DateQuery): string {
  if (at.precision === 'month') return at.start.slice(0, 7);
  return at.start === at.end ? at.start : at.end;
}

export function describeDate(d: FuzzyDate, lang = 'en'): string {
  return d.precision === 'day' ? formatDay(d.start, lang) : formatPeriod(d.start, d.end, lang);
}

export function describeSpan(from: FuzzyDate, until: FuzzyDate | undefined, lang = 'en'): string {
  if (!until) return describeDate(from, lang);
  return formatPeriod(from.start, until.end, lang);
}

/** An office term with its text (title, how it began and ended, note) in `lang`; dates and sources as recorded. */
export function localizedTerm<T extends OfficeTerm>(kb: KnowledgeBase, term: T, lang: string): T {
  return kb.localized('terms', term, lang) as T;
}

// ---- countries, lists, figures ----

/**
 * The adjective for a country's forces in `lang` ("French", "français", "französische"), from countries.yaml
 * and its translations; else the name.
 */
export function adjective(kb: KnowledgeBase, country: string, lang = 'en'): string {
  const found = kb.findCountry(country);
  return found ? kb.localized('countries', found, lang).adjective : country;
}

/** A country's name in `lang` ("Germany", "Allemagne"): countries.yaml and its translations, else ICU's region names. */
export function countryName(kb: KnowledgeBase, country: string, lang: string): string {
  const found = kb.findCountry(country);
  const local = found ? kb.localized('countries', found, lang).name : undefined;
  // Until countries.yaml has a translation, ICU's name for the region ("Allemagne", "Deutschland").
  if (local && (lang === 'en' || local !== found!.name)) return local;
  const iso = found?.iso ?? englishRegionCodes().get(country);
  return (iso && regionNames(lang).of(iso)) || country;
}

let regionCodes: Map<string, string> | undefined;

/** English region name → ISO code, for countries the knowledge base does not list ("Mali" in a decline). */
function englishRegionCodes(): Map<string, string> {
  if (!regionCodes) {
    regionCodes = new Map();
    const english = regionNames('en');
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        const name = english.of(code);
        if (name && name !== code && !regionCodes.has(name)) regionCodes.set(name, code);
      }
    }
  }
  return regionCodes;
}

const displayNames = new Map<string, Intl.DisplayNames>();

function regionNames(lang: string): Intl.DisplayNames {
  let d = displayNames.get(lang);
  if (!d) displayNames.set(lang, (d = new Intl.DisplayNames(lang, { type: 'region', fallback: 'none' })));
  return d;
}

const listFormats = new Map<string, Intl.ListFormat>();

/** "AFP and Reuters", "AFP et Reuters", "AFP und Reuters". */
export function joinedAnd(names: string[], lang: string): string {
  let f = listFormats.get(lang);
  if (!f) listFormats.set(lang, (f = new Intl.ListFormat(lang, { type: 'conjunction' })));
  return f.format(names);
}

const NUMBER_LOCALE: Record<string, string> = { en: 'en-US' };
const numberFormats = new Map<string, Intl.NumberFormat>();
const formattedCounts = new BoundedMemo<string, string>(10_000);

/**
 * A whole number with the language's digit grouping ("1,500", "1 500", "1.500"), memoised: formatting through
 * Intl is slow and answers show the same few troop figures again and again.
 */
export function groupDigits(n: number, lang = 'en'): string {
  return formattedCounts.get(`${lang}\u0000${n}`, () => {
    let f = numberFormats.get(lang);
    if (!f) numberFormats.set(lang, (f = new Intl.NumberFormat(NUMBER_LOCALE[lang] ?? lang)));
    return f.format(n);
  });
}

/** "about 1,500", "environ 1 500", "etwa 1.500". */
export function formatCount(n: number, approximate: boolean, lang = 'en'): string {
  return t(lang, 'figure.count', { approximate: approximate ? 'yes' : 'no', figure: groupDigits(n, lang) });
}

/** "none" or the figure. */
function mainFigure(d: { count: number; approximate: boolean }, lang: string): string {
  return d.count === 0 ? t(lang, 'figure.none') : formatCount(d.count, d.approximate, lang);
}

/** "about 1,500 (sources disagree: about 1,000 according to Südostschweiz)" — disagreeing sources are always shown together. */
export function describeFigure(d: Deployment, kbSourceName: (id: string) => string, lang = 'en'): string {
  const main = mainFigure(d, lang);
  if (d.alternatives.length === 0) return main;
  const alts = d.alternatives.map((a) =>
    t(lang, 'figure.alternative', { figure: formatCount(a.count, a.approximate, lang), sources: joinedAnd(a.sources.map(kbSourceName), lang) }),
  );
  return t(lang, 'figure.disagree', { figure: main, alternatives: alts.join('; ') });
}

/** "Sources disagree: Südostschweiz gives about 1,000." — empty when the sources agree. */
export function disagreement(d: Deployment, kbSourceName: (id: string) => string, lang = 'en'): string {
  if (d.alternatives.length === 0) return '';
  const alts = d.alternatives.map((a) =>
    t(lang, 'figure.gives', { sources: joinedAnd(a.sources.map(kbSourceName), lang), figure: formatCount(a.count, a.approximate, lang) }),
  );
  return t(lang, 'figure.disagreement', { alternatives: alts.join('; ') });
}

export function requireCountry(text: string | undefined, ctx: CommandContext): string {
  const value = text?.trim() || 'France';
  const country = ctx.kb.resolveCountry(value);
  if (!country) {
    throw new UserError(
      { key: 'troops.error.unknownCountry', params: { country: quote(value, 40) } },
      {
        key: 'troops.error.knownCountries',
        params: {
          countries: ctx.kb
            .countries()
            .map((c) => countryName(ctx.kb, c, ctx.lang))
            .join(', '),
        },
      },
    );
  }
  return country;
}

/** "People: …" for an unknown person, in the reader's language. */
export function unknownPerson(ctx: CommandContext, name: string): UserError {
  return new UserError(
    { key: 'error.unknownPerson', params: { name: quote(name, 40) } },
    { key: 'error.knownPeople', params: { people: ctx.kb.data.people.map((p) => p.name).join(', ') } },
  );
}

// ---- age of the sources, quotes ----

/**
 * A warning when the newest source backing an answer about "now" is older than the knowledge base's threshold;
 * `topic` is already worded in `lang` ("French troops in Niger").
 */
export function stalenessNote(kb: KnowledgeBase, sourceIds: Iterable<string>, todayIso: string, topic: string, lang: string): string | null {
  const stale = kb.staleness(sourceIds, todayIso);
  return stale ? t(lang, 'answer.stale', { topic, date: longDate(stale.newest, lang), age: ageInWords(stale.ageDays, lang) }) : null;
}

/**
 * A quote as said, with its translation into `lang` beside it, marked as one ("Traduction : …"), when the
 * knowledge base has it. Quotes themselves are never replaced.
 */
export function quoted(kb: KnowledgeBase, s: Statement, lang: string): string {
  const translation = kb.quoteTranslation(s, lang);
  return t(lang, 'quote', { quote: s.quote, hasTranslation: translation ? 'yes' : 'no', translation: translation ?? '' });
}

/**
 * A chart as the reply's attachment (`name`.png), when the bot has charts and there is something to draw. A chart
 * that fails to draw is logged and left out: the reply's text already says everything the chart would show.
 */
export async function chartAttachment(
  ctx: CommandContext,
  name: string,
  draw: (charts: ChartService) => Promise<ChartImage | null>,
  words?: () => { alt: string; caption: string },
): Promise<ReplyAttachment[] | undefined> {
  const charts = ctx.services.charts;
  if (!charts) return undefined;
  try {
    const chart = await draw(charts);
    if (!chart) return undefined;
    // The chart describes itself in English (src/charts knows no catalogs); in another language the alt text and
    // caption are the command's own, from what the answer says, so a screen reader reads the answer's language.
    const { alt, caption } = ctx.lang !== FALLBACK_LANG && words ? words() : chart;
    return [{ name: `${fileSlug(name)}.png`, mime: 'image/png', bytes: chart.png, alt, caption }];
  } catch (err) {
    ctx.log.warn({ err, chart: name }, 'chart not drawn; the answer goes out as text');
    return undefined;
  }
}

/** Letters, digits and dashes only: a file name no platform or file system reads as a path or markup. */
export function fileSlug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'chart'
  );
}

/** How far from the day asked a dated report may stand and still answer for it, said with its day and the distance. */
export const NEARBY_DAYS = 7;
