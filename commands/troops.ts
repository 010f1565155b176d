import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply, type Fact, type ReplyField } from '../src/core/reply.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import { daysBetween, type DateQuery } from '../src/knowledge/dates.ts';
import type { Deployment } from '../src/knowledge/schema.ts';
import { t } from '../src/core/i18n.ts';
import {
  adjective,
  asOfFor,
  capitalize,
  chartAttachment,
  dateLabel,
  dateOption,
  describeFigure,
  describeSpan,
  disagreement,
  formatCount,
  inPeriod,
  NEARBY_DAYS,
  requireCountry,
  resolveDate,
  stalenessNote,
  today,
  whenLabel,
  relativeKey,
} from './_shared.ts';

export default defineCommand({
  name: 'troops',
  description: 'How many foreign troops were in Niger at a date, with the figure’s date and source',
  options: z.object({
    country: z.string().max(100).optional().describe('Whose forces: France (default), United States, Germany or Italy').meta({ kind: 'country' }),
    date: dateOption('When: a date, a month, "now" (default) or e.g. "before the coup"'),
    show: z.enum(['figure', 'history']).default('figure').describe('"figure" for one date, "history" for every reported figure'),
  }),
  examples: ['troops', 'troops France 2023-09', 'troops country:Germany date:2024-07', 'troops United States history'],
  cacheable: true,
  // As of… on a platform without a date picker: the last day each of this country's figures holds for.
  asOfChoices: (input, kb) => kb.troopHistory(kb.resolveCountry(input.country?.trim() || 'France') ?? 'France').map((d) => (d.until ?? d.asOf).end),
  async handler(input, ctx) {
    const { kb, lang } = ctx;
    const country = requireCountry(input.country, ctx);
    const adj = adjective(kb, country, lang);
    const sourceName = publisherNamer(kb);
    const history = kb.troopHistory(country);
    const figure = (d: Deployment) => describeFigure(d, sourceName, lang);
    const dated = (d: Deployment) => describeSpan(d.asOf, d.until, lang);

    if (input.show === 'history') {
      const latest = history[history.length - 1]!;
      return reply({
        command: 'troops',
        lang,
        title: capitalize(ctx.t('troops.title.history', { adjective: adj })),
        body: ctx.t('troops.history', { count: history.length, figure: figure(latest), date: dated(latest) }),
        items: history.map((d) => figureLine(d, sourceName, kb, lang)),
        citations: kb.citations(sourcesOf(history)),
        facts: history.map(troopFact),
        asOf: latest.asOf.text,
        attachments: await chartAttachment(
          ctx,
          `troops-${country}-history`,
          (charts) => charts.troops(kb, { countries: [country] }),
          () => troopChartWords(ctx, capitalize(ctx.t('troops.title.history', { adjective: adj })), history, sourceName, kb),
        ),
      });
    }

    const at = resolveDate(input.date, ctx);
    const when = whenLabel(at, lang);
    const result = kb.troopsAt(country, at);
    const shown = [...(result.inForce ? [result.inForce] : []), ...result.during];
    // "Just after the coup": a figure reported within days after the moment answers for it, said with its date and
    // the distance (Italy's first count after the coup is of 31 July 2023).
    const soonAfter =
      shown.length === 0 && result.next && at.phrase?.kind === 'anchor' && at.phrase.relation === 'just after'
        ? daysBetween(at.end, result.next.asOf.start)
        : undefined;
    if (soonAfter !== undefined && soonAfter <= NEARBY_DAYS && result.next!.count > 0) {
      const next = result.next!;
      const detail = [disagreement(next, sourceName, lang), next.note ? kb.localized('deployments', next, lang).note : undefined].filter(Boolean).join(' ');
      return reply({
        command: 'troops',
        lang,
        title: capitalize(ctx.t('troops.title', { adjective: adj, when })),
        body: capitalize(
          `${ctx.t('troops.after', { adjective: adj, when, figure: formatCount(next.count, next.approximate, lang), date: dated(next), days: soonAfter })}${detail ? `\n\n${detail}` : ''}`,
        ),
        fields: [
          { name: ctx.t('troops.field.troops'), value: figure(next), inline: true },
          { name: ctx.t('troops.field.dated'), value: dated(next), inline: true },
        ],
        citations: kb.citations(next.sources),
        facts: [troopFact(next)],
        asOf: next.asOf.text,
      });
    }
    if (shown.length === 0) {
      const next = result.next;
      const none = ctx.t('troops.noFigure', { adjective: adj, when: dateLabel(at, lang) });
      return reply({
        command: 'troops',
        lang,
        title: capitalize(ctx.t('troops.title', { adjective: adj, when: dateLabel(at, lang) })),
        body: next ? `${none} ${ctx.t('troops.noFigure.earliest', { figure: figure(next), date: dated(next) })}` : none,
        items: history.map((d) => figureLine(d, sourceName, kb, lang)),
        citations: kb.citations(sourcesOf(history)),
        answered: false,
        asOf: null,
      });
    }

    const last = shown[shown.length - 1]!;
    const newest = history[history.length - 1]!;
    const fields: ReplyField[] = [
      { name: ctx.t('troops.field.troops'), value: figure(last), inline: true },
      { name: ctx.t('troops.field.dated'), value: dated(last), inline: true },
    ];
    const notes: string[] = [];
    const date = dated(last);
    const count = last.count === 0 ? ctx.t('figure.none') : formatCount(last.count, last.approximate, lang);
    const note = last.note ? kb.localized('deployments', last, lang).note : undefined;
    const detail = [disagreement(last, sourceName, lang), note].filter(Boolean).join(' ');
    let body: string;
    if (at.now) {
      body = last.count === 0 ? ctx.t('troops.now.none', { adjective: adj, date }) : ctx.t('troops.now', { figure: count, adjective: adj, date });
      const stale = stalenessNote(kb, last.sources, today(ctx), ctx.t('troops.topic', { adjective: adj }), lang);
      if (stale) notes.push(stale);
    } else if (shown.length === 1 && !carriedForward(last, at)) {
      body =
        last.count === 0
          ? capitalize(ctx.t('troops.at.none', { adjective: adj, period: inPeriod(at, lang), date }))
          : capitalize(ctx.t('troops.at', { figure: count, adjective: adj, period: inPeriod(at, lang), date }));
    } else if (shown.length === 1) {
      // A figure from before the period is not a count for it: say which date it holds for.
      body =
        last.count === 0
          ? ctx.t('troops.before.none', { adjective: adj, period: inPeriod(at, lang), date })
          : ctx.t('troops.before', { adjective: adj, when, figure: count, date });
    } else {
      body = ctx.t('troops.changed', { adjective: adj, relative: relativeKey(at), when });
    }
    if (shown.length === 1 && detail) body += `\n\n${detail}`;
    const items = shown.length > 1 ? shown.map((d) => figureLine(d, sourceName, kb, lang)) : [];
    if (!at.now && result.superseded) notes.push(ctx.t('troops.superseded', { figure: figure(newest), date: dated(newest) }));
    if (!at.now && last.count > 0 && last === newest && carriedForward(last, at)) notes.push(ctx.t('troops.latestKnown', { date: dated(last), when }));
    // A period over which the figure changed (`troops France 2023`): its figures drawn over that period.
    const attachments =
      !at.now && at.start !== at.end && shown.length > 1
        ? await chartAttachment(
            ctx,
            `troops-${country}-${at.start}-${at.end}`,
            (charts) => charts.troops(kb, { countries: [country], from: at.start, to: at.end }),
            () => troopChartWords(ctx, capitalize(ctx.t('troops.title', { adjective: adj, when })), shown, sourceName, kb),
          )
        : undefined;
    return reply({
      command: 'troops',
      lang,
      title: capitalize(ctx.t('troops.title', { adjective: adj, when })),
      // German puts the adjective first: "französische Soldaten …".
      body: capitalize(body),
      fields,
      items,
      notes,
      citations: kb.citations(sourcesOf(shown)),
      facts: shown.map(troopFact),
      // Only a current figure is superseded by a newer one: an answer about a past date stays true.
      ...(at.now ? { entries: shown.map((d) => `deployments/${d.id}`) } : {}),
      asOf: at.now || carriedForward(last, at) ? last.asOf.text : asOfFor(at),
      attachments,
    });
  },
});

// The helpers below live outside the handler: under tsx every named closure made per request also costs
// a call that sets its name, which showed up in profiles.

const publisherNamers = new WeakMap<KnowledgeBase, (id: string) => string>();

/** Names a cited source by its publisher ("AFP"); one function per knowledge base, made once. */
function publisherNamer(kb: KnowledgeBase): (id: string) => string {
  let namer = publisherNamers.get(kb);
  if (!namer) {
    namer = (id: string) => kb.sourcesById.get(id)!.publisher;
    publisherNamers.set(kb, namer);
  }
  return namer;
}

function figureLine(d: Deployment, sourceName: (id: string) => string, kb: KnowledgeBase, lang: string): string {
  const note = d.note ? kb.localized('deployments', d, lang).note : undefined;
  return t(lang, 'troops.line', {
    date: describeSpan(d.asOf, d.until, lang),
    figure: describeFigure(d, sourceName, lang),
    hasNote: note ? 'yes' : 'no',
    note: note ?? '',
  });
}

/** The troop chart's alt text and caption in the answer's language: the figures it draws, as the answer lists them. */
function troopChartWords(
  ctx: { t: (key: string, params?: Record<string, string | number>) => string; lang: string },
  title: string,
  drawn: Deployment[],
  sourceName: (id: string) => string,
  kb: KnowledgeBase,
): { alt: string; caption: string } {
  // Each figure with its date, without the notes the answer's list adds: alt text stays within Slack's 1,000 characters.
  const figures = drawn
    .map((d) => ctx.t('chart.figure', { date: describeSpan(d.asOf, d.until, ctx.lang), figure: describeFigure(d, sourceName, ctx.lang) }))
    .join(ctx.t('chart.figure.separator'));
  const sources = [...new Set(kb.citations(sourcesOf(drawn)).map((c) => c.publisher))].join('; ');
  return { alt: ctx.t('chart.troops.alt', { title, figures }), caption: ctx.t('chart.caption', { title, sources }) };
}

/** The figure holds for a date before the period asked and was carried forward to it. */
function carriedForward(d: Deployment, at: DateQuery): boolean {
  return (d.until ?? d.asOf).end < at.start;
}

function troopFact(d: Deployment): Fact {
  return { type: 'troops', country: d.country, count: d.count, approximate: d.approximate, asOf: d.asOf.text };
}

function sourcesOf(ds: Deployment[]): string[] {
  return ds.flatMap((d) => [...d.sources, ...d.alternatives.flatMap((a) => a.sources)]);
}
