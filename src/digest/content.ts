import type { DigestChartSpec } from '../core/digest-port.ts';
import { t } from '../core/i18n.ts';
import { reply, type Reply, type ReplyField } from '../core/reply.ts';
import { ageInWords } from '../core/words.ts';
import { formatDay, formatPeriod, longDate } from '../knowledge/dates.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { Deployment, FuzzyDate, KbEvent } from '../knowledge/schema.ts';

/** On a channel's first digest: this many of the newest events. */
export const FIRST_DIGEST_EVENTS = 5;
/** At most this many new events are listed; the rest are counted. */
export const MAX_DIGEST_EVENTS = 15;

export interface DigestInput {
  /** The channel-local date the digest is for (its title and the date staleness is measured on). */
  localDate: string;
  /**
   * The watermark of the channel's previous digest (the newest `added` day it covered, or the newest approval
   * instant, ISO); null: first digest.
   */
  since: string | null;
  /** The catalog language the digest is written in (default English). */
  lang?: string;
}

export interface DigestContent {
  reply: Reply;
  /** The watermark to store once this digest is delivered. */
  watermark: string | null;
  /** How many events and approved figures are new since the previous digest (first digest: how many are shown). */
  newEvents: number;
  /** The entries it carries, as "kind/entry id": a later correction of one is threaded under the posted digest. */
  entries: string[];
  /** The troop chart that goes with the digest once it is posted; null: none (no troop figure changed). */
  chart: DigestChart | null;
}

/**
 * What to draw under a digest, and its words in the digest's language. Only when troop figures were approved since
 * the previous digest, of those figures' countries: a desk wants the picture when a figure moved, not the same
 * unchanged chart every morning.
 */
export type DigestChart = DigestChartSpec;

function describeDate(d: FuzzyDate, lang: string): string {
  return d.precision === 'day' ? formatDay(d.start, lang) : formatPeriod(d.start, d.end, lang);
}

function describeSpan(from: FuzzyDate, until: FuzzyDate | undefined, lang: string): string {
  return until ? formatPeriod(from.start, until.end, lang) : describeDate(from, lang);
}

const listFormats = new Map<string, Intl.ListFormat>();
const regionNames = new Map<string, Intl.DisplayNames>();

/** "Le Monde and AFP", "Le Monde et AFP": a list of publishers joined as the language joins them. */
function joined(names: string[], lang: string): string {
  let f = listFormats.get(lang);
  if (!f) listFormats.set(lang, (f = new Intl.ListFormat(lang, { type: 'conjunction' })));
  return f.format(names);
}

/** A country's name in the language, from its ISO code ("FR" → "France", "Frankreich"). */
function regionName(iso: string, lang: string): string | undefined {
  let f = regionNames.get(lang);
  if (!f) regionNames.set(lang, (f = new Intl.DisplayNames(lang, { type: 'region', fallback: 'none' })));
  return f.of(iso);
}

/** "about 1,500 (sources disagree: about 1,000 according to …)", every figure through Intl in `lang`. */
function describeFigure(d: Deployment, lang: string, sourceName: (id: string) => string): string {
  const figure = (count: number, approximate: boolean) => t(lang, 'digest.troops.figure', { count, approximate: String(approximate) });
  const main = d.count === 0 ? t(lang, 'digest.troops.none') : figure(d.count, d.approximate);
  if (d.alternatives.length === 0) return main;
  const alts = d.alternatives.map((a) =>
    t(lang, 'digest.troops.alternative', { figure: figure(a.count, a.approximate), sources: joined(a.sources.map(sourceName), lang) }),
  );
  return t(lang, 'digest.troops.disagree', { figure: main, alternatives: alts.join('; ') });
}

/** A troop figure in `lang` as the digest words it: whose troops, the figure, the date it holds for. */
export function describeTroops(kb: KnowledgeBase, d: Deployment, lang: string): { country: string; figure: string; asOf: string } {
  const found = kb.findCountry(d.country);
  return {
    country: (found ? regionName(found.iso, lang) : undefined) ?? d.country,
    figure: describeFigure(d, lang, (id) => kb.sourcesById.get(id)?.publisher ?? id),
    asOf: describeSpan(d.asOf, d.until, lang),
  };
}

function describeEvent(kb: KnowledgeBase, e: KbEvent, lang: string): string {
  const when = e.endDate ? formatPeriod(e.date.start, e.endDate.end, lang) : describeDate(e.date, lang);
  // Titles, summaries and caveats in the digest's language (data/translations), English where none.
  const local = kb.localized('events', e, lang);
  return local.caveat
    ? t(lang, 'digest.event.caveat', { when, title: local.title, summary: local.summary, caveat: local.caveat })
    : t(lang, 'digest.event', { when, title: local.title, summary: local.summary });
}

/**
 * Builds a channel's digest. The ONE function behind both `digest preview` and the delivery, so
 * a preview is exactly what will be posted. Deterministic: same knowledge base, same input, same Reply.
 */
export function buildDigest(kb: KnowledgeBase, input: DigestInput): DigestContent {
  const lang = input.lang ?? 'en';
  const sourceName = (id: string) => kb.sourcesById.get(id)?.publisher ?? id;
  const sources: string[] = [];
  const fields: ReplyField[] = [];
  const entries: string[] = [];

  const current = kb.rulerTerms()[kb.rulerTerms().length - 1];
  if (current) {
    fields.push({
      name: t(lang, 'digest.ruler.name'),
      value: t(lang, 'digest.ruler.value', {
        name: kb.rulerName(current),
        title: kb.localized('terms', current, lang).title,
        since: formatDay(current.start.start, lang),
      }),
    });
    sources.push(...current.sources);
  }
  for (const country of kb.countries()) {
    const history = kb.troopHistory(country);
    const newest = history[history.length - 1];
    if (!newest) continue;
    const found = kb.findCountry(country);
    const localName = found ? regionName(found.iso, lang) : undefined;
    fields.push({
      name: t(lang, 'digest.troops.name', { adjective: found ? kb.localized('countries', found, lang).adjective : country, country: localName ?? country }),
      value: t(lang, 'digest.troops.value', {
        figure: describeFigure(newest, lang, sourceName),
        asOf: describeSpan(newest.asOf, newest.until, lang),
      }),
      inline: true,
    });
    sources.push(...newest.sources, ...newest.alternatives.flatMap((a) => a.sources));
    entries.push(`deployments/${newest.id}`);
  }

  const first = input.since === null;
  // What is new: events added (or approved) since the previous digest, and troop figures approved since, newest
  // first, figures before events; the seed's figures are in the fields above.
  const news = first ? { events: [], deployments: [] } : kb.newSince(input.since!);
  const fresh = first ? kb.timeline({ order: 'newest', limit: FIRST_DIGEST_EVENTS }) : [...news.events].reverse();
  const figures = [...news.deployments].reverse();
  const listed = [...figures.map((d) => ({ figure: d })), ...fresh.map((e) => ({ event: e }))];
  const shown = listed.slice(0, MAX_DIGEST_EVENTS);
  for (const item of shown) {
    if ('event' in item) {
      sources.push(...item.event.sources);
      entries.push(`events/${item.event.id}`);
    } else {
      sources.push(...item.figure.sources);
      entries.push(`deployments/${item.figure.id}`);
    }
  }
  const describeNewFigure = (d: Deployment) => {
    const found = kb.findCountry(d.country);
    return t(lang, 'digest.troops.approved', {
      adjective: found ? kb.localized('countries', found, lang).adjective : d.country,
      country: (found ? regionName(found.iso, lang) : undefined) ?? d.country,
      figure: describeFigure(d, lang, sourceName),
      asOf: describeSpan(d.asOf, d.until, lang),
      approved: formatDay(kb.knownSince('deployments', d).slice(0, 10), lang),
    });
  };

  let body: string;
  const notes: string[] = [];
  if (first) {
    body = t(lang, 'digest.body.first', { count: shown.length });
  } else if (listed.length === 0) {
    body = t(lang, 'digest.body.figures');
    notes.push(t(lang, 'digest.nothingNew', { since: formatDay(input.since!.slice(0, 10), lang) }));
  } else if (figures.length > 0) {
    body = t(lang, 'digest.body.approved', {
      figures: figures.length,
      events: fresh.length,
      cut: String(listed.length > shown.length),
      shown: shown.length,
    });
  } else if (fresh.length > shown.length) {
    body = t(lang, 'digest.body.newCut', { count: fresh.length, shown: shown.length });
  } else {
    body = t(lang, 'digest.body.new', { count: fresh.length });
  }
  const stale = kb.staleness(sources, input.localDate);
  if (stale) notes.push(t(lang, 'digest.stale', { date: longDate(stale.newest, lang), age: ageInWords(stale.ageDays, lang) }));

  // A day (the newest `added`) or, once something was approved from chat, an instant: both compare as strings.
  const watermark = kb.newestKnown();
  const chart = figures.length > 0 ? digestChart(kb, [...new Set(figures.map((d) => d.country))], lang, sourceName) : null;
  return {
    reply: reply({
      command: 'digest',
      lang,
      title: t(lang, 'digest.title', { date: formatDay(input.localDate, lang) }),
      body,
      fields,
      items: shown.map((item) => ('event' in item ? describeEvent(kb, item.event, lang) : describeNewFigure(item.figure))),
      notes,
      citations: kb.citations(sources),
      asOf: kb.newestFactDate(),
    }),
    watermark: watermark ?? input.since,
    newEvents: listed.length,
    entries: [...new Set(entries)],
    chart,
  };
}

/** The changed countries' whole troop histories: the new figure against the drawdown it continues. */
function digestChart(kb: KnowledgeBase, countries: string[], lang: string, sourceName: (id: string) => string): DigestChart {
  const names = new Map(
    countries.map((c) => {
      const found = kb.findCountry(c);
      return [c, (found ? regionName(found.iso, lang) : undefined) ?? c];
    }),
  );
  const title = t(lang, 'digest.chart.title', { countries: joined([...names.values()], lang) });
  const drawn = countries.flatMap((c) => kb.troopHistory(c));
  const figures = drawn
    .map((d) =>
      t(lang, 'chart.figure', {
        date: describeSpan(d.asOf, d.until, lang),
        figure: `${names.get(d.country) ?? d.country}: ${describeFigure(d, lang, sourceName)}`,
      }),
    )
    .join(t(lang, 'chart.figure.separator'));
  const sources = [...new Set(kb.citations(drawn.flatMap((d) => [...d.sources, ...d.alternatives.flatMap((a) => a.sources)])).map((c) => c.publisher))];
  return {
    name: `digest-troops-${countries.map((c) => c.toLowerCase().replace(/[^a-z0-9]+/g, '-')).join('-')}.png`.slice(0, 100),
    request: { countries },
    alt: t(lang, 'chart.troops.alt', { title, figures }),
    caption: t(lang, 'chart.caption', { title, sources: sources.join('; ') }),
  };
}
