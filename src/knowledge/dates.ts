import { DateTime } from 'luxon';
import { CHRONO } from './chrono.ts';
import { BoundedMemo } from './memo.ts';
import { parseFuzzyDate } from './schema.ts';

/**
 * A period a question is asked about. A single day has start === end.
 * `now` marks "the present": answers then use the newest sourced fact and say how old it is.
 */
export interface DateQuery {
  start: string;
  end: string;
  precision: 'day' | 'month' | 'year' | 'span';
  /** How the period reads in English ("September 2023", "just before the coup (25 July 2023)"): logs, tests. */
  label: string;
  /**
   * What the label is made of, so an answer can word it in its own language (commands/_shared.ts). Absent
   * (a period built elsewhere, e.g. by the question reader): the period itself, from start and end.
   */
  phrase?: DatePhrase;
  now: boolean;
}

/** The words of a period's label, language-neutral: the period's own dates are on the DateQuery. */
export type DatePhrase =
  /** The period as dates: "September 2023", "22 December 2023" (its own, before "now" cut the end off). */
  | { kind: 'period'; start: string; end: string }
  | { kind: 'now' }
  /** "summer 2023" ("fall" as the user wrote it). */
  | { kind: 'season'; season: 'spring' | 'summer' | 'autumn' | 'fall'; year: number }
  /** "early 2024", "end of 2023". */
  | { kind: 'edge'; edge: 'early' | 'mid' | 'late' | 'end of' | 'start of' | 'beginning of'; year: number }
  /** "before December 2023 (30 November 2023)" (the day before), "after December 2023", "since 2024". */
  | { kind: 'relative'; relation: 'before' | 'after' | 'since'; base: DateQuery }
  /** "just before the coup (25 July 2023)", "just after …", or the moment itself: "the withdrawal (…)". */
  | { kind: 'anchor'; relation: 'just before' | 'just after' | 'at'; anchor: AnchorSpan }
  /** "a year after the coup (26 July 2024)": `word` is the number as written ("a", "two", "3"). */
  | { kind: 'anchorOffset'; relation: 'before' | 'after'; count: number; word: string; unit: 'day' | 'week' | 'month' | 'year'; anchor: AnchorSpan };

/** A named moment resolved from the knowledge base (e.g. "the coup" → 2023-07-26). */
export interface AnchorSpan {
  /** The anchor's id in anchors.yaml: answers name the moment in their language by it. */
  id?: string;
  names: string[];
  start: string;
  end: string;
  label: string;
}

/**
 * A date option that cannot be used. `problem` says why, for callers that word it themselves (in another
 * language): not a date at all, not a real day, or a period (`period`) that is still to come.
 */
export class DateParseError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
    readonly problem: 'unreadable' | 'invalid' | 'future' | 'ambiguous' = 'unreadable',
    readonly period?: { start: string; end: string },
    /** For an ambiguous date: its two readings, ISO days ("05/09/2023": 2023-05-09 and 2023-09-05). */
    readonly readings?: [string, string],
  ) {
    super(reason);
    this.name = 'DateParseError';
  }
}

function fromIso(iso: string): DateTime {
  return DateTime.fromISO(iso, { zone: 'utc' });
}

/** Formatting with luxon is the slow part of an answer; the same few hundred dates recur, so memoise. */
const formatted = new BoundedMemo<string, string>(10_000);

function memo(key: string, make: () => string): string {
  return formatted.get(key, make);
}

/**
 * The Intl locale dates are written in for a language. English answers keep the day-month-year order of
 * British usage ("22 December 2023"); other languages use their own ("22 décembre 2023", "22. Dezember 2023").
 */
function intlLocale(lang: string): string {
  return lang === 'en' ? 'en-GB' : lang;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function intlPart(iso: string, lang: string, style: 'day' | 'month-year' | 'month' | 'year'): string {
  const key = `${lang}/${style}`;
  let f = dateFormats.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      style === 'day'
        ? { day: 'numeric', month: 'long', year: 'numeric' }
        : style === 'month-year'
          ? { month: 'long', year: 'numeric' }
          : style === 'month'
            ? { month: 'long' }
            : { year: 'numeric' };
    f = new Intl.DateTimeFormat(intlLocale(lang), { ...options, timeZone: 'UTC' });
    dateFormats.set(key, f);
  }
  return f.format(new Date(`${iso}T00:00:00Z`));
}

/** "22 December 2023" in the language given (English by default). */
export function formatDay(iso: string, lang = 'en'): string {
  return memo(`${lang}/${iso}`, () => intlPart(iso, lang, 'day'));
}

export function formatPeriod(start: string, end: string, lang = 'en'): string {
  return memo(`${lang}/${start}/${end}`, () => formatPeriodUncached(start, end, lang));
}

/**
 * An ISO day, month or year ("2023-12-22", "2023-09", "2024") in the style answers are written in
 * ("22 December 2023", "September 2023", "2024"; in French "22 décembre 2023"). Any other text is returned as it is.
 */
export function longDate(iso: string, lang = 'en'): string {
  const d = parseFuzzyDate(iso);
  return typeof d === 'string' ? iso : formatPeriod(d.start, d.end, lang);
}

function formatPeriodUncached(start: string, end: string, lang: string): string {
  const s = fromIso(start);
  const e = fromIso(end);
  if (start === end) return formatDay(start, lang);
  if (s.day === 1 && e.hasSame(s, 'month') && e.day === e.daysInMonth) return intlPart(start, lang, 'month-year');
  if (s.ordinal === 1 && e.hasSame(s, 'year') && e.month === 12 && e.day === 31) return intlPart(start, lang, 'year');
  if (s.day === 1 && e.day === e.daysInMonth) {
    return e.hasSame(s, 'year')
      ? `${intlPart(start, lang, 'month')} – ${intlPart(end, lang, 'month-year')}`
      : `${intlPart(start, lang, 'month-year')} – ${intlPart(end, lang, 'month-year')}`;
  }
  return `${formatDay(start, lang)} – ${formatDay(end, lang)}`;
}

// Calendar arithmetic on ISO day strings in UTC: cheap, and all these dates are whole days.
function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function isoDay(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The ISO day `days` after (or, negative, before) an ISO day. */
export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days from one ISO day to another (negative when `b` is earlier). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
}

let lastClock = { time: NaN, today: '' };

/** The UTC day of a clock reading. A request reads the clock once and asks for its day several times. */
function todayOf(now: Date): string {
  const time = now.getTime();
  if (time !== lastClock.time) lastClock = { time, today: now.toISOString().slice(0, 10) };
  return lastClock.today;
}

function period(start: string, end: string, precision: DateQuery['precision'], label?: string, phrase?: DatePhrase): DateQuery {
  return { start, end, precision, label: label ?? formatPeriod(start, end), phrase: phrase ?? { kind: 'period', start, end }, now: false };
}

function monthSpan(y: number, from: number, to: number, precision: DateQuery['precision'], label?: string, phrase?: DatePhrase): DateQuery {
  return period(isoDay(y, from, 1), isoDay(y, to, daysInMonth(y, to)), precision, label, phrase);
}

export function nowQuery(now: Date): DateQuery {
  const today = todayOf(now);
  return { start: today, end: today, precision: 'day', label: 'now', phrase: { kind: 'now' }, now: true };
}

const SEASONS: Record<string, [number, number]> = {
  spring: [3, 5],
  summer: [6, 8],
  autumn: [9, 11],
  fall: [9, 11],
};

// Where chrono may find a date: a month or weekday, a relative word with its unit ("last week", "3 days
// ago"), a numeric day or time ("5/9", "10:00", "5th"). A bare number ("Air Base 201", "2023") is read above or below.
const MONTH = '(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)';
const WEEKDAY = '(?:mon|tues|wednes|thurs|fri|satur|sun)day';
const UNIT = '(?:second|minute|hour|day|night|morning|evening|week|weekend|fortnight|month|quarter|year|decade)s?';
const MAYBE_DATE = new RegExp(
  [
    `\\b${MONTH}\\b`,
    `\\b${WEEKDAY}s?\\b`,
    '\\b(?:yesterday|tomorrow|tonight|ago|noon|midnight)\\b',
    `\\b(?:last|next|past|this|coming|previous)\\s+(?:\\d+\\s+|few\\s+|couple\\s+of\\s+)?(?:${UNIT}|${MONTH}|${WEEKDAY})\\b`,
    `\\b(?:\\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|few)\\s+${UNIT}\\b`,
    '\\d[/.:]\\d',
    '\\d+(?:st|nd|rd|th)\\b',
  ].join('|'),
);

const DURATION = new RegExp(`^(?:\\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|few)[\\s-]*${UNIT}$`);

const NOW_WORDS = /^(now|today|currently|current|present|at present|right now|these days|latest|as of now|as of today)$/;

interface AnchorPattern {
  anchor: AnchorSpan;
  /** The name the pattern ends with: text without it cannot match, and the test is far cheaper than the regex. */
  name: string;
  re: RegExp;
}

const compiledAnchors = new WeakMap<AnchorSpan[], AnchorPattern[]>();

function anchorPatterns(anchors: AnchorSpan[]): AnchorPattern[] {
  let out = compiledAnchors.get(anchors);
  if (!out) {
    out = anchors.flatMap((anchor) =>
      anchor.names.map((name) => ({
        anchor,
        name,
        re: new RegExp(
          `(?:\\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\\d{1,2})\\s+(day|week|month|year)s?\\s+)?\\b(before|after|during|since|until|at the time of|on the day of|the day of|at)\\s+${escapeRegExp(name)}\\b`,
        ),
      })),
    );
    compiledAnchors.set(anchors, out);
  }
  return out;
}

const NUMERIC_DAY = /\b(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})\b/;

/**
 * A day written in figures: "26/07/2023", "13.12.23". Dots are always day first (German); a slash is read by which
 * part cannot be a month, and when either can ("05/09/2023": 5 September in Paris, 9 May in New York) it is not
 * guessed unless the question's language says (`dayFirst`: French and German write the day first).
 */
export function readNumericDay(text: string, dayFirst: boolean): { day: string; matched: string } | null {
  const m = NUMERIC_DAY.exec(text);
  if (!m) return null;
  const [a, b] = [Number(m[1]), Number(m[3])];
  const y = m[4]!.length === 2 ? 2000 + Number(m[4]) : Number(m[4]);
  const asDay = (d: number, mo: number) => (mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) ? isoDay(y, mo, d) : null);
  const dm = asDay(a, b);
  const md = asDay(b, a);
  const day = m[2] === '.' || dayFirst ? dm : dm && md && dm !== md ? null : (dm ?? md);
  if (day) return { day, matched: m[0] };
  if (dm && md) throw new DateParseError(m[0], `"${m[0]}" could be either day`, 'ambiguous', undefined, [md, dm]);
  throw new DateParseError(m[0], `"${m[0]}" is not a real date`, 'invalid');
}

/** Text with its figure-written days as ISO days, read day first (French and German questions). */
export function numericDaysAsIso(text: string): string {
  const found = readNumericDay(text, true);
  return found ? text.replace(found.matched, found.day) : text;
}

/**
 * Finds a date or period in free text. Returns null when the text names none.
 * Anchors ("before the coup") come from the knowledge base so the parser knows no facts itself.
 */
export function findDate(text: string, now: Date, anchors: AnchorSpan[] = []): { query: DateQuery; matched: string } | null {
  const found = findDateOnly(text, now, anchors);
  if (!found || found.query.now || /^(before|after|during|since|until|at)\b/.test(found.matched)) return found;
  // "after December 2023", "before 2023": the open span on that side of the date.
  const lower = text.toLowerCase();
  const at = lower.indexOf(found.matched.toLowerCase());
  // (French and German questions arrive with their date words in English and their articles as typed: "before le 2 april".)
  const relation = at > 0 ? /\b(after|since|before|until)\s+(?:(?:the|le|la|l|dem|der|den)\s+)?$/.exec(lower.slice(0, at)) : null;
  if (!relation) return found;
  const matched = `${relation[0]}${found.matched}`;
  if (relation[1] === 'before' || relation[1] === 'until') {
    const d = addDays(found.query.start, -1);
    return {
      query: period(d, d, 'day', `before ${found.query.label} (${formatDay(d)})`, { kind: 'relative', relation: 'before', base: found.query }),
      matched,
    };
  }
  const from = relation[1] === 'since' ? found.query.start : addDays(found.query.end, 1);
  const today = todayOf(now);
  const phrase: DatePhrase = { kind: 'relative', relation: relation[1] as 'after' | 'since', base: found.query };
  return from > today ? found : { query: period(from, today, 'span', `${relation[1]} ${found.query.label}`, phrase), matched };
}

function findDateOnly(text: string, now: Date, anchors: AnchorSpan[]): { query: DateQuery; matched: string } | null {
  // "For tomorrow's piece", "today's paper": a day that qualifies a noun is not the date asked about.
  text = text.replace(/\b(?:today|tomorrow|yesterday|tonight)['’]s\b/gi, ' ');
  const lower = text.toLowerCase().trim();

  for (const { anchor, name, re } of anchorPatterns(anchors)) {
    if (!lower.includes(name)) continue;
    const m = re.exec(lower);
    if (!m) continue;
    const rel = m[3]!;
    const matched = m[0];
    // "a year after the coup", "ten years before the coup": that far from the moment, on its day.
    if (m[2] && (rel === 'before' || rel === 'after')) {
      const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : NUMBER_WORDS.indexOf(m[1]!) === -1 ? 1 : NUMBER_WORDS.indexOf(m[1]!);
      const day = shift(rel === 'before' ? anchor.start : anchor.end, rel === 'before' ? -n : n, m[2] as 'day' | 'week' | 'month' | 'year');
      const unit = m[2] as 'day' | 'week' | 'month' | 'year';
      const phrase: DatePhrase = { kind: 'anchorOffset', relation: rel, count: n, word: m[1]!, unit, anchor };
      return { query: period(day, day, 'day', `${m[1]} ${m[2]}${n > 1 ? 's' : ''} ${rel} ${anchor.label} (${formatDay(day)})`, phrase), matched };
    }
    if (rel === 'before' || rel === 'until') {
      const d = addDays(anchor.start, -1);
      return { query: period(d, d, 'day', `just before ${anchor.label} (${formatDay(d)})`, { kind: 'anchor', relation: 'just before', anchor }), matched };
    }
    if (rel === 'after' || rel === 'since') {
      const d = addDays(anchor.end, 1);
      return { query: period(d, d, 'day', `just after ${anchor.label} (${formatDay(d)})`, { kind: 'anchor', relation: 'just after', anchor }), matched };
    }
    const precision = anchor.start === anchor.end ? 'day' : 'span';
    const phrase: DatePhrase = { kind: 'anchor', relation: 'at', anchor };
    return { query: period(anchor.start, anchor.end, precision, `${anchor.label} (${formatPeriod(anchor.start, anchor.end)})`, phrase), matched };
  }

  const numeric = readNumericDay(lower, false);
  if (numeric) return { query: period(numeric.day, numeric.day, 'day'), matched: numeric.matched };
  const iso = /\b(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\b/.exec(lower);
  if (iso) {
    const [y, m, d] = [Number(iso[1]), Number(iso[2]), iso[3] ? Number(iso[3]) : undefined];
    if (m < 1 || m > 12 || (d !== undefined && (d < 1 || d > daysInMonth(y, m)))) {
      throw new DateParseError(iso[0], `"${iso[0]}" is not a real date`, 'invalid');
    }
    return d === undefined
      ? { query: monthSpan(y, m, m, 'month'), matched: iso[0] }
      : { query: period(isoDay(y, m, d), isoDay(y, m, d), 'day'), matched: iso[0] };
  }

  const season = /\b(spring|summer|autumn|fall)\s+(?:of\s+)?(\d{4})\b/.exec(lower);
  if (season) {
    const [from, to] = SEASONS[season[1]!]!;
    const phrase: DatePhrase = { kind: 'season', season: season[1] as 'spring' | 'summer' | 'autumn' | 'fall', year: Number(season[2]) };
    return { query: monthSpan(Number(season[2]), from, to, 'span', `${season[1]} ${season[2]}`, phrase), matched: season[0] };
  }
  const edge = /\b(early|mid|late|end of|start of|beginning of)\s+(\d{4})\b/.exec(lower);
  if (edge) {
    const [from, to] = edge[1] === 'early' || edge[1] === 'start of' || edge[1] === 'beginning of' ? [1, 3] : edge[1] === 'mid' ? [5, 8] : [10, 12];
    const phrase: DatePhrase = { kind: 'edge', edge: edge[1] as 'early' | 'mid' | 'late' | 'end of' | 'start of' | 'beginning of', year: Number(edge[2]) };
    return { query: monthSpan(Number(edge[2]), from, to, 'span', `${edge[1]} ${edge[2]}`, phrase), matched: edge[0] };
  }
  const relYear = /\b(last|this|next) year\b/.exec(lower);
  if (relYear) {
    const y = now.getUTCFullYear() + (relYear[1] === 'last' ? -1 : relYear[1] === 'next' ? 1 : 0);
    return { query: monthSpan(y, 1, 12, 'year'), matched: relYear[0] };
  }

  // chrono is thorough but slow; most questions name no date, so only call it when one may be there.
  const results = MAYBE_DATE.test(lower) ? CHRONO.en.parse(text, now, { forwardDate: false }) : [];
  for (const r of results) {
    if (NOW_WORDS.test(r.text.toLowerCase())) return { query: nowQuery(now), matched: r.text };
    // "a transition of 60 months", "within 48 hours": a length of time, not a date ("60 months ago" is one).
    if (DURATION.test(r.text.toLowerCase().trim())) continue;
    if (!r.start.isCertain('year') && !r.start.isCertain('month') && !r.start.isCertain('day')) continue;
    // A date without a year ("last January") is the most recent one, never one still to come; unless the text
    // names one year elsewhere ("in spring 2021, before 2 April"), which is its year.
    const guessedYear = r.start.get('year')!;
    const named = [...new Set(lower.match(/\b(?:19|20)\d{2}\b/g) ?? [])];
    const y = r.start.isCertain('year')
      ? guessedYear
      : named.length === 1
        ? Number(named[0])
        : isoDay(guessedYear, r.start.get('month')!, 1) > todayOf(now)
          ? guessedYear - 1
          : guessedYear;
    const m = r.start.get('month')!;
    const start = isoDay(y, m, r.start.get('day')!);
    if (r.end) {
      return { query: period(start, isoDay(r.end.get('year')!, r.end.get('month')!, r.end.get('day')!), 'span'), matched: r.text };
    }
    if (r.start.isCertain('day')) return { query: period(start, start, 'day'), matched: r.text };
    if (r.start.isCertain('month')) return { query: monthSpan(y, m, m, 'month'), matched: r.text };
    // "Two years ago": chrono is certain of the year alone; the words name today's date in it.
    return { query: period(start, start, 'day'), matched: r.text };
  }

  const year = /\b(?:in |of |during |since )?((?:19|20)\d{2})\b/.exec(lower);
  if (year) return { query: monthSpan(Number(year[1]), 1, 12, 'year'), matched: year[0] };
  const nowWord = /\b(now|today|currently|current|present|presently|at the moment|right now|these days|still|latest|remain|remaining|left)\b/.exec(lower);
  if (nowWord) return { query: nowQuery(now), matched: nowWord[0] };
  return null;
}

const parsedOptions = new WeakMap<AnchorSpan[], BoundedMemo<string, DateQuery | DateParseError>>();

/** Parses a value given for a `date` option: it must name a date, and a date that is not in the future. */
export function parseDateOption(text: string, now: Date, anchors: AnchorSpan[] = []): DateQuery {
  // Pure in (text, today, anchors); the same few dates are asked again and again.
  let memo = parsedOptions.get(anchors);
  if (!memo) parsedOptions.set(anchors, (memo = new BoundedMemo(10_000)));
  const out = memo.get(`${todayOf(now)}\u0000${text}`, () => {
    try {
      return parseDateOptionUncached(text, now, anchors);
    } catch (err) {
      if (!(err instanceof DateParseError)) throw err;
      return err;
    }
  });
  if (out instanceof DateParseError) throw out;
  return { ...out };
}

function parseDateOptionUncached(text: string, now: Date, anchors: AnchorSpan[]): DateQuery {
  const trimmed = text.trim();
  if (trimmed === '') return nowQuery(now);
  const found = findDate(trimmed, now, anchors);
  if (!found) {
    throw new DateParseError(trimmed, `"${truncate(trimmed)}" is not a date I can read`);
  }
  const today = todayOf(now);
  if (found.query.start > today) {
    throw new DateParseError(trimmed, `${found.query.label} is in the future; I only know what has been reported`, 'future', {
      start: found.query.start,
      end: found.query.end,
    });
  }
  if (found.query.end > today) found.query.end = today;
  return found.query;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/**
 * "Two weeks before", "a month after" read on their own: a distance from something the date reader could not
 * resolve (the question reader dates it by an event). Null for anything else.
 */
export function relativeOffset(text: string): { count: number; unit: 'day' | 'week' | 'month' | 'year'; relation: 'before' | 'after' } | null {
  const m = /^(\d+|an?|zero|one|two|three|four|five|six|seven|eight|nine|ten) (day|week|month|year)s? (before|after)$/.exec(text.trim().toLowerCase());
  if (!m) return null;
  const count = /^\d+$/.test(m[1]!) ? Number(m[1]) : m[1] === 'a' || m[1] === 'an' ? 1 : NUMBER_WORDS.indexOf(m[1]!);
  return { count, unit: m[2] as 'day' | 'week' | 'month' | 'year', relation: m[3] as 'before' | 'after' };
}

/** An ISO day moved by whole days, weeks, months or years (luxon keeps month ends valid). */
export function shift(iso: string, n: number, unit: 'day' | 'week' | 'month' | 'year'): string {
  return fromIso(iso)
    .plus({ [`${unit}s`]: n })
    .toISODate()!;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const DATE_EXAMPLES = '2023-09-01, 2023-09, "September 2023", "last year", "now" or "before the coup"';

/** "Monday 30 November 2026, 08:00 Africa/Niamey (UTC+01:00)" — how users see a delivery time. */
export function formatLocal(instant: number, zoneName: string, lang = 'en'): string {
  const dt = DateTime.fromMillis(instant, { zone: zoneName }).setLocale(lang === 'en' ? 'en-GB' : lang);
  // English keeps its long-standing "Monday 30 November 2026, 08:00"; other languages take Intl's own order
  // and punctuation ("lundi 30 novembre 2026 à 08:00", "Montag, 30. November 2026 um 08:00").
  const when =
    lang === 'en'
      ? dt.toFormat('cccc d LLLL yyyy, HH:mm')
      : dt.toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${when} ${zoneName} (UTC${dt.toFormat('ZZ')})`;
}
