import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply, type Fact, type ReplyField } from '../src/core/reply.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { DateQuery } from '../src/knowledge/dates.ts';
import type { Deployment } from '../src/knowledge/schema.ts';
import {
  adjective,
  asOfFor,
  dateOption,
  describeFigure,
  describeSpan,
  disagreement,
  formatCount,
  inPeriod,
  requireCountry,
  resolveDate,
  today,
} from './_shared.ts';

export default defineCommand({
  name: 'troops',
  description: 'How many foreign troops were in Niger at a date, with the figure’s date and source',
  options: z.object({
    country: z
      .string()
      .max(100)
      .optional()
      .describe('Whose forces: France (default), United States, Germany or Italy')
      .meta({ kind: 'country' }),
    date: dateOption('When: a date, a month, "now" (default) or e.g. "before the coup"'),
    show: z
      .enum(['figure', 'history'])
      .default('figure')
      .describe('"figure" for one date, "history" for every reported figure'),
  }),
  examples: ['troops', 'troops France 2023-09', 'troops country:Germany date:2024-07', 'troops United States history'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    const country = requireCountry(input.country, ctx);
    const adj = adjective(kb, country);
    const sourceName = publisherNamer(kb);
    const history = kb.troopHistory(country);

    if (input.show === 'history') {
      const latest = history[history.length - 1]!;
      return reply({
        command: 'troops',
        title: `${adj} troops in Niger — every reported figure`,
        body: `${history.length} sourced figure(s), oldest first. The newest is ${describeFigure(latest, sourceName)} as of ${describeSpan(latest.asOf, latest.until)}.`,
        items: history.map((d) => figureLine(d, sourceName)),
        citations: kb.citations(sourcesOf(history)),
        facts: history.map(troopFact),
        asOf: latest.asOf.text,
      });
    }

    const at = resolveDate(input.date, ctx);
    const result = kb.troopsAt(country, at);
    const shown = [...(result.inForce ? [result.inForce] : []), ...result.during];
    if (shown.length === 0) {
      const next = result.next;
      return reply({
        command: 'troops',
        title: `${adj} troops in Niger — ${at.label}`,
        body:
          `I have no sourced figure for ${adj} troops in Niger for ${at.label}.` +
          (next ? ` The earliest figure I have is ${describeFigure(next, sourceName)} as of ${describeSpan(next.asOf, next.until)}.` : ''),
        items: history.map((d) => figureLine(d, sourceName)),
        citations: kb.citations(sourcesOf(history)),
        answered: false,
        asOf: null,
      });
    }

    const last = shown[shown.length - 1]!;
    const newest = history[history.length - 1]!;
    const fields: ReplyField[] = [
      { name: 'Troops', value: describeFigure(last, sourceName), inline: true },
      { name: 'Figure dated', value: describeSpan(last.asOf, last.until), inline: true },
    ];
    const notes: string[] = [];
    const dated = describeSpan(last.asOf, last.until);
    const count = last.count === 0 ? 'none' : formatCount(last.count, last.approximate);
    const detail = [disagreement(last, sourceName), last.note].filter(Boolean).join(' ');
    let body: string;
    if (at.now) {
      body =
        last.count === 0
          ? `There are no ${adj} troops in Niger: the newest sourced figure is none, as of ${dated}.`
          : `The newest sourced figure is ${count} ${adj} troops in Niger, as of ${dated}.`;
      const stale = kb.stalenessNote(last.sources, today(ctx), `${adj} troops in Niger`);
      if (stale) notes.push(stale);
    } else if (shown.length === 1 && !carriedForward(last, at)) {
      body = `${capitalize(count)} ${adj} troops were in Niger ${inPeriod(at)} (figure dated ${dated}).`;
    } else if (shown.length === 1) {
      // A figure from before the period is not a count for it: say which date it holds for.
      body =
        last.count === 0
          ? `There were no ${adj} troops in Niger ${inPeriod(at)}: the newest figure before that is none, dated ${dated}.`
          : `I have no ${adj} troop figure for ${at.label} itself. The newest figure before that is ${count} ${adj} troops in Niger, dated ${dated}.`;
    } else {
      body = `The ${adj} presence in Niger changed during ${at.label}:`;
    }
    if (shown.length === 1 && detail) body += `\n\n${detail}`;
    const items = shown.length > 1 ? shown.map((d) => figureLine(d, sourceName)) : [];
    if (!at.now && result.superseded) {
      notes.push(
        `This is not the current figure. The newest is ${describeFigure(newest, sourceName)} as of ${describeSpan(newest.asOf, newest.until)}.`,
      );
    }
    if (!at.now && last.count > 0 && last === newest && carriedForward(last, at)) {
      notes.push(`No newer figure is reported after ${describeSpan(last.asOf, last.until)}; this is the latest known figure, not a confirmed count for ${at.label}.`);
    }
    return reply({
      command: 'troops',
      title: `${adj} troops in Niger — ${at.now ? 'now' : at.label}`,
      body,
      fields,
      items,
      notes,
      citations: kb.citations(sourcesOf(shown)),
      facts: shown.map(troopFact),
      asOf: at.now || carriedForward(last, at) ? last.asOf.text : asOfFor(at),
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

function figureLine(d: Deployment, sourceName: (id: string) => string): string {
  return `${describeSpan(d.asOf, d.until)}: ${describeFigure(d, sourceName)}${d.note ? ` — ${d.note}` : ''}`;
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

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
