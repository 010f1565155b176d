import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { t } from '../src/core/i18n.ts';
import { reply, type Fact, type Reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatPeriod } from '../src/knowledge/dates.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { KbEvent } from '../src/knowledge/schema.ts';
import { describeDate } from './_shared.ts';

export function eventDate(e: KbEvent, lang = 'en'): string {
  return e.endDate ? formatPeriod(e.date.start, e.endDate.end, lang) : describeDate(e.date, lang);
}

/** The structured event, in the knowledge base's own words (scripts read facts; they do not change with the language). */
export function eventFact(e: KbEvent): Fact {
  return { type: 'event', event: e.id, title: e.title, date: e.date.text };
}

/** "When did X happen?": the date of the event first, in one sentence, then what happened and what came close. */
export function eventReply(kb: KnowledgeBase, event: KbEvent, related: KbEvent[] = [], lang = 'en'): Reply {
  const local = kb.localized('events', event, lang);
  const paragraphs = [t(lang, 'when.body', { date: eventDate(event, lang), title: local.title }), local.summary];
  if (local.caveat) paragraphs.push(t(lang, 'when.caveat', { caveat: local.caveat }));
  return reply({
    command: 'when',
    lang,
    title: local.title,
    body: paragraphs.join('\n\n'),
    fields: [{ name: t(lang, 'when.field.date'), value: eventDate(event, lang), inline: true }],
    items: related.map((e) => t(lang, 'when.related', { date: eventDate(e, lang), title: kb.localized('events', e, lang).title })),
    citations: kb.citations([...event.sources, ...related.flatMap((e) => e.sources)]),
    facts: [event, ...related].map(eventFact),
    entries: [event, ...related].map((e) => `events/${e.id}`),
    asOf: (event.endDate ?? event.date).text,
  });
}

export default defineCommand({
  name: 'when',
  description: 'When something happened: the date of the event that matches your words, with its source',
  options: z.object({
    event: z.string().min(1).max(300).describe('What happened, e.g. the French ambassador left, the AES was founded').meta({ kind: 'text' }),
  }),
  examples: ['when the French ambassador left', 'when the last French troops left', 'when Niger left ECOWAS'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    const known = kb.eventsById.get(input.event.trim());
    if (known) return eventReply(kb, known, [], ctx.lang);
    const found = kb.questions.findEvent(input.event);
    if (!found) {
      return reply({
        command: 'when',
        lang: ctx.lang,
        title: ctx.t('when.notFound.title', { text: quote(input.event, 60) }),
        body: ctx.t('when.notFound', { text: quote(input.event, 80) }),
        answered: false,
      });
    }
    return eventReply(kb, found.event, found.related, ctx.lang);
  },
});
