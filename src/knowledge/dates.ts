import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';

/**
 * A period a question is asked about. A single day has start === end.
 * `now` marks "the present": answers then use the newest sourced fact and say how old it is.
 */
export interface DateQuery {
  start: string;
  end: string;
  precision: 'day' | 'month' | 'year' | 'span';
  label: string;
  now: boolean;
}

/** A named moment resolved from the knowledge base (e.g. "the coup" → 2023-07-26). */
export interface AnchorSpan {
  names: string[];
  start: string;
  end: string;
  label: string;
}

export class DateParseError extends Error {
  constructor(readonly input: string, readonly reason: string) {
    super(reason);
    this.name = 'DateParseError';
  }
}

const ISO_DAY = 'yyyy-MM-dd';

function day(dt: DateTime): string {
  return dt.toFormat(ISO_DAY);
}

function fromIso(iso: string): DateTime {
  return DateTime.fromISO(iso, { zone: 'utc' });
}

export function formatDay(iso: string): string {
  return fromIso(iso).toFormat('d LLLL yyyy');
}

export function formatPeriod(start: string, end: string): string {
  const s = fromIso(start);
  const e = fromIso(end);
  if (start === end) return formatDay(start);
  if (s.day === 1 && e.hasSame(s, 'month') && e.day === e.daysInMonth) return s.toFormat('LLLL yyyy');
  if (s.ordinal === 1 && e.hasSame(s, 'year') && e.month === 12 && e.day === 31) return s.toFormat('yyyy');
  if (s.day === 1 && e.day === e.daysInMonth) {
    return e.hasSame(s, 'year') ? `${s.toFormat('LLLL')} – ${e.toFormat('LLLL yyyy')}` : `${s.toFormat('LLLL yyyy')} – ${e.toFormat('LLLL yyyy')}`;
  }
  return `${formatDay(start)} – ${formatDay(end)}`;
}

function period(start: DateTime, end: DateTime, precision: DateQuery['precision'], label?: string): DateQuery {
  const s = day(start);
  const e = day(end);
  return { start: s, end: e, precision, label: label ?? formatPeriod(s, e), now: false };
}

export function nowQuery(now: Date): DateQuery {
  const today = day(DateTime.fromJSDate(now, { zone: 'utc' }));
  return { start: today, end: today, precision: 'day', label: 'now', now: true };
}

const SEASONS: Record<string, [number, number]> = {
  spring: [3, 5],
  summer: [6, 8],
  autumn: [9, 11],
  fall: [9, 11],
};

const NOW_WORDS = /^(now|today|currently|current|present|at present|right now|these days|latest|as of now|as of today)$/;

/**
 * Finds a date or period in free text. Returns null when the text names none.
 * Anchors ("before the coup") come from the knowledge base so the parser knows no facts itself.
 */
export function findDate(text: string, now: Date, anchors: AnchorSpan[] = []): { query: DateQuery; matched: string } | null {
  const lower = text.toLowerCase().trim();
  const nowDt = DateTime.fromJSDate(now, { zone: 'utc' });

  for (const anchor of anchors) {
    for (const name of anchor.names) {
      const re = new RegExp(`\\b(before|after|during|since|until|at the time of|at)\\s+${escapeRegExp(name)}\\b`);
      const m = re.exec(lower);
      if (!m) continue;
      const start = fromIso(anchor.start);
      const end = fromIso(anchor.end);
      const rel = m[1]!;
      const matched = m[0];
      if (rel === 'before' || rel === 'until') {
        const d = start.minus({ days: 1 });
        return { query: period(d, d, 'day', `just before ${anchor.label} (${formatDay(day(d))})`), matched };
      }
      if (rel === 'after' || rel === 'since') {
        const d = end.plus({ days: 1 });
        return { query: period(d, d, 'day', `just after ${anchor.label} (${formatDay(day(d))})`), matched };
      }
      return { query: period(start, end, start.equals(end) ? 'day' : 'span', `${anchor.label} (${formatPeriod(anchor.start, anchor.end)})`), matched };
    }
  }

  const iso = /\b(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\b/.exec(lower);
  if (iso) {
    const [y, m, d] = [Number(iso[1]), Number(iso[2]), iso[3] ? Number(iso[3]) : undefined];
    const dt = DateTime.fromObject({ year: y, month: m, day: d ?? 1 }, { zone: 'utc' });
    if (!dt.isValid) throw new DateParseError(iso[0], `"${iso[0]}" is not a real date`);
    return d === undefined
      ? { query: period(dt, dt.endOf('month'), 'month'), matched: iso[0] }
      : { query: period(dt, dt, 'day'), matched: iso[0] };
  }
  const badNumeric = /\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b/.exec(lower);

  const season = /\b(spring|summer|autumn|fall)\s+(?:of\s+)?(\d{4})\b/.exec(lower);
  if (season) {
    const [from, to] = SEASONS[season[1]!]!;
    const y = Number(season[2]);
    const s = DateTime.fromObject({ year: y, month: from, day: 1 }, { zone: 'utc' });
    const e = DateTime.fromObject({ year: y, month: to, day: 1 }, { zone: 'utc' }).endOf('month');
    return { query: period(s, e, 'span', `${season[1]} ${y}`), matched: season[0] };
  }
  const edge = /\b(early|mid|late|end of|start of|beginning of)\s+(\d{4})\b/.exec(lower);
  if (edge) {
    const y = Number(edge[2]);
    const [from, to] = edge[1] === 'early' || edge[1] === 'start of' || edge[1] === 'beginning of' ? [1, 3] : edge[1] === 'mid' ? [5, 8] : [10, 12];
    const s = DateTime.fromObject({ year: y, month: from, day: 1 }, { zone: 'utc' });
    const e = DateTime.fromObject({ year: y, month: to, day: 1 }, { zone: 'utc' }).endOf('month');
    return { query: period(s, e, 'span', `${edge[1]} ${y}`), matched: edge[0] };
  }
  const relYear = /\b(last|this|next) year\b/.exec(lower);
  if (relYear) {
    const y = nowDt.year + (relYear[1] === 'last' ? -1 : relYear[1] === 'next' ? 1 : 0);
    const s = DateTime.fromObject({ year: y, month: 1, day: 1 }, { zone: 'utc' });
    return { query: period(s, s.endOf('year'), 'year'), matched: relYear[0] };
  }

  const results = chrono.en.parse(text, now, { forwardDate: false });
  for (const r of results) {
    const words = r.text.toLowerCase();
    if (NOW_WORDS.test(words)) return { query: nowQuery(now), matched: r.text };
    if (!r.start.isCertain('year') && !r.start.isCertain('month') && !r.start.isCertain('day')) continue;
    const start = DateTime.fromJSDate(r.start.date(), { zone: 'utc' }).startOf('day');
    if (r.end) {
      const end = DateTime.fromJSDate(r.end.date(), { zone: 'utc' }).startOf('day');
      return { query: period(start, end, 'span'), matched: r.text };
    }
    if (r.start.isCertain('day')) return { query: period(start, start, 'day'), matched: r.text };
    if (r.start.isCertain('month')) {
      const s = start.startOf('month');
      return { query: period(s, s.endOf('month'), 'month'), matched: r.text };
    }
  }
  if (badNumeric) throw new DateParseError(badNumeric[0], `"${badNumeric[0]}" is not a date I can read`);

  const year = /\b(?:in |of |during |since )?((?:19|20)\d{2})\b/.exec(lower);
  if (year) {
    const s = DateTime.fromObject({ year: Number(year[1]), month: 1, day: 1 }, { zone: 'utc' });
    return { query: period(s, s.endOf('year'), 'year'), matched: year[0] };
  }
  const nowWord = /\b(now|today|currently|current|present|presently|at the moment|right now|these days|still|latest|remain|remaining|left)\b/.exec(lower);
  if (nowWord) return { query: nowQuery(now), matched: nowWord[0] };
  return null;
}

/** Parses a value given for a `date` option: it must name a date, and a date that is not in the future. */
export function parseDateOption(text: string, now: Date, anchors: AnchorSpan[] = []): DateQuery {
  const trimmed = text.trim();
  if (trimmed === '') return nowQuery(now);
  const found = findDate(trimmed, now, anchors);
  if (!found) {
    throw new DateParseError(trimmed, `"${truncate(trimmed)}" is not a date I can read`);
  }
  const today = day(DateTime.fromJSDate(now, { zone: 'utc' }));
  if (found.query.start > today) {
    throw new DateParseError(trimmed, `${found.query.label} is in the future; I only know what has been reported`);
  }
  if (found.query.end > today) found.query.end = today;
  return found.query;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const DATE_EXAMPLES = '2023-09-01, 2023-09, "September 2023", "last year", "now" or "before the coup"';
