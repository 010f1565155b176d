import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply, type Reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatPeriod } from '../src/knowledge/dates.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { KbEvent } from '../src/knowledge/schema.ts';
import { describeDate } from './_shared.ts';

export function eventDate(e: KbEvent): string {
  return e.endDate ? formatPeriod(e.date.start, e.endDate.end) : describeDate(e.date);
}

/** "When did X happen?": the date of the event first, in one sentence, then what happened and what came close. */
export function eventReply(kb: KnowledgeBase, event: KbEvent, related: KbEvent[] = []): Reply {
  const body = `${eventDate(event)}: ${event.title}.\n\n${event.summary}${event.caveat ? `\n\nCaveat: ${event.caveat}` : ''}`;
  return reply({
    command: 'when',
    title: event.title,
    body,
    fields: [{ name: 'Date', value: eventDate(event), inline: true }],
    items: related.map((e) => `Related: ${eventDate(e)} — ${e.title}`),
    citations: kb.citations([...event.sources, ...related.flatMap((e) => e.sources)]),
    facts: [event, ...related].map((e) => ({ type: 'event' as const, event: e.id, title: e.title, date: e.date.text })),
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
    if (known) return eventReply(kb, known);
    const found = kb.questions.findEvent(input.event);
    if (!found) {
      return reply({
        command: 'when',
        title: `When: ${quote(input.event, 60)}`,
        body: `I found no event in the knowledge base that matches “${quote(input.event, 80)}”. Try \`timeline\` for the list of events.`,
        answered: false,
      });
    }
    return eventReply(kb, found.event, found.related);
  },
});
