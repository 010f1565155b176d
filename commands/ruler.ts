import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { formatDay } from '../src/knowledge/dates.ts';
import type { Citation, KnowledgeBase } from '../src/knowledge/kb.ts';
import type { RulerTerm } from '../src/knowledge/schema.ts';
import { t as translate } from '../src/core/i18n.ts';
import { asOfFor, dateLabel, localizedTerm, dateOption, inPeriod, relativeKey, resolveDate, stalenessNote, today, whenLabel } from './_shared.ts';
import { officeFact, unbrokenLine } from './office.ts';
import { HEAD_OF_STATE_OFFICE } from '../src/knowledge/schema.ts';

export default defineCommand({
  name: 'ruler',
  description: 'Who ruled Niger at a date: title, since when and how they came to power',
  options: z.object({
    date: dateOption('When: a date, a month, "now" (default) or e.g. "after the coup"'),
    show: z.enum(['holder', 'history']).default('holder').describe('"history": every ruler on record'),
  }),
  examples: ['ruler', 'ruler June 2023', 'ruler date:2023-07-27', 'ruler after the coup', 'ruler show:history'],
  cacheable: true,
  handler(input, ctx) {
    const { kb, lang } = ctx;
    if (input.show === 'history') {
      const all = kb.rulerTerms().map((t) => localizedTerm(kb, t, lang));
      return reply({
        command: 'ruler',
        lang,
        title: ctx.t('ruler.history.title'),
        body: ctx.t('ruler.history', { count: all.length, date: formatDay(all.at(-1)!.start.start, lang), name: kb.rulerName(all.at(-1)!) }),
        items: all.map((t) => describeTerm(kb, t, lang)),
        citations: citeTerms(kb, all),
        facts: kb.rulerTerms().map((t) => officeFact(kb, kb.officesById.get(HEAD_OF_STATE_OFFICE)!, t)),
        asOf: kb.newestSourceDate(all.flatMap((t) => t.sources)),
      });
    }
    const at = resolveDate(input.date, ctx);
    const terms = kb.rulersDuring(at).map((t) => localizedTerm(kb, t, lang));

    if (terms.length === 0) {
      const all = kb.rulerTerms().map((t) => localizedTerm(kb, t, lang));
      return reply({
        command: 'ruler',
        lang,
        title: ctx.t('ruler.title', { when: dateLabel(at, lang) }),
        body: ctx.t('ruler.none', { when: dateLabel(at, lang), date: formatDay(all[0]!.start.start, lang) }),
        items: all.map((t) => describeTerm(kb, t, lang)),
        citations: citeTerms(kb, all),
        answered: false,
      });
    }
    const notes: string[] = [];
    const last = terms[terms.length - 1]!;
    let body: string;
    if (terms.length === 1) {
      const t = terms[0]!;
      body = ctx.t('ruler.body', { tense: at.now ? 'now' : 'past', period: at.now ? '' : inPeriod(at, lang), ...termParams(kb, t, lang) });
      const unbroken = unbrokenLine(kb, HEAD_OF_STATE_OFFICE, t.id, at.now, lang);
      if (unbroken) body += ` ${unbroken}`;
      if (t.note) notes.push(t.note);
    } else {
      body = ctx.t('ruler.changed', { oneDay: at.start === at.end ? 'yes' : 'no', relative: relativeKey(at), when: dateLabel(at, lang) });
    }
    if (at.now) {
      const stale = stalenessNote(kb, last.sources, today(ctx), ctx.t('ruler.topic'), lang);
      if (stale) notes.push(stale);
    }
    return reply({
      command: 'ruler',
      lang,
      title: ctx.t('ruler.title', { when: whenLabel(at, lang) }),
      body,
      fields: [
        { name: ctx.t('ruler.field.ruler'), value: kb.rulerName(last), inline: true },
        { name: ctx.t('ruler.field.title'), value: last.title, inline: true },
        { name: ctx.t('ruler.field.since'), value: formatDay(last.start.start, lang), inline: true },
      ],
      items: terms.length > 1 ? terms.map((t) => describeTerm(kb, t, lang)) : [],
      notes,
      citations: citeTerms(kb, terms),
      // Facts are the record itself, in the knowledge base's own words.
      facts: kb.rulersDuring(at).map((t) => officeFact(kb, kb.officesById.get(HEAD_OF_STATE_OFFICE)!, t)),
      // Only who rules now can be overtaken by a new term: an answer about a past date stays true (as for troops).
      ...(at.now ? { entries: [`offices/${HEAD_OF_STATE_OFFICE}`] } : {}),
      asOf: at.now ? kb.newestSourceDate(last.sources) : asOfFor(at),
    });
  },
});

// Module-level rather than closures in the handler: under tsx each named closure made per request also
// costs a call that sets its name.

/** A term as the ruler messages word it: who, which title, from when (and how), until when (and how). */
function termParams(kb: KnowledgeBase, t: RulerTerm, lang: string) {
  return {
    name: kb.rulerName(t),
    title: t.title,
    start: formatDay(t.start.start, lang),
    began: t.began,
    hasEnd: t.end ? 'yes' : 'no',
    end: t.end ? formatDay(t.end.start, lang) : '',
    hasEnded: t.ended ? 'yes' : 'no',
    ended: t.ended ?? '',
  };
}

function describeTerm(kb: KnowledgeBase, t: RulerTerm, lang: string): string {
  return translate(lang, 'ruler.term', { ...termParams(kb, t, lang), hasNote: t.note ? 'yes' : 'no', note: t.note ?? '' });
}

function citeTerms(kb: KnowledgeBase, terms: RulerTerm[]): Citation[] {
  return kb.citations(terms.flatMap((t) => t.sources));
}
