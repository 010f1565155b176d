import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { formatDay } from '../src/knowledge/dates.ts';
import type { Citation, KnowledgeBase } from '../src/knowledge/kb.ts';
import type { RulerTerm } from '../src/knowledge/schema.ts';
import { asOfFor, dateOption, inPeriod, resolveDate, today } from './_shared.ts';
import { officeFact } from './office.ts';
import { HEAD_OF_STATE_OFFICE } from '../src/knowledge/schema.ts';

export default defineCommand({
  name: 'ruler',
  description: 'Who ruled Niger at a date: title, since when and how they came to power',
  options: z.object({
    date: dateOption('When: a date, a month, "now" (default) or e.g. "after the coup"'),
  }),
  examples: ['ruler', 'ruler June 2023', 'ruler date:2023-07-27', 'ruler after the coup'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    const at = resolveDate(input.date, ctx);
    const terms = kb.rulersDuring(at);

    if (terms.length === 0) {
      const first = kb.rulerTerms()[0]!;
      return reply({
        command: 'ruler',
        title: `Ruler of Niger — ${at.label}`,
        body: `I have no sourced ruler of Niger for ${at.label}. My records start on ${formatDay(first.start.start)}.`,
        items: kb.rulerTerms().map((t) => describeTerm(kb, t)),
        citations: citeTerms(kb, kb.rulerTerms()),
        answered: false,
      });
    }
    const notes: string[] = [];
    const last = terms[terms.length - 1]!;
    let body: string;
    if (terms.length === 1) {
      const t = terms[0]!;
      const verb = at.now ? 'rules' : 'ruled';
      body = `${kb.rulerName(t)} ${verb} Niger ${at.now ? 'now' : inPeriod(at)}: ${t.title}, in office since ${formatDay(t.start.start)} (${t.began})` +
        (t.end ? `, until ${formatDay(t.end.start)}${t.ended ? ` (${t.ended})` : ''}.` : '.');
      if (t.note) notes.push(t.note);
    } else {
      body = `Power changed hands ${at.start === at.end ? 'on' : 'during'} ${at.label}:`;
    }
    if (at.now) {
      const stale = kb.stalenessNote(last.sources, today(ctx), "Niger's ruler");
      if (stale) notes.push(stale);
    }
    return reply({
      command: 'ruler',
      title: `Ruler of Niger — ${at.now ? 'now' : at.label}`,
      body,
      fields: [
        { name: 'Ruler', value: kb.rulerName(last), inline: true },
        { name: 'Title', value: last.title, inline: true },
        { name: 'Since', value: formatDay(last.start.start), inline: true },
      ],
      items: terms.length > 1 ? terms.map((t) => describeTerm(kb, t)) : [],
      notes,
      citations: citeTerms(kb, terms),
      facts: terms.map((t) => officeFact(kb, kb.officesById.get(HEAD_OF_STATE_OFFICE)!, t)),
      asOf: at.now ? kb.newestSourceDate(last.sources) : asOfFor(at),
    });
  },
});

// Module-level rather than closures in the handler: under tsx each named closure made per request also
// costs a call that sets its name.

function describeTerm(kb: KnowledgeBase, t: RulerTerm): string {
  return (
    `${kb.rulerName(t)} — ${t.title}, from ${formatDay(t.start.start)} (${t.began})` +
    (t.end ? ` until ${formatDay(t.end.start)}${t.ended ? ` (${t.ended})` : ''}` : ', still in office according to the newest source') +
    (t.note ? `. ${t.note}` : '')
  );
}

function citeTerms(kb: KnowledgeBase, terms: RulerTerm[]): Citation[] {
  return kb.citations(terms.flatMap((t) => t.sources));
}
