import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatPeriod } from '../src/knowledge/dates.ts';
import type { KbEvent } from '../src/knowledge/schema.ts';
import { dateOption, describeDate, resolveDate } from './_shared.ts';

export function describeEvent(e: KbEvent): string {
  const when = e.endDate ? formatPeriod(e.date.start, e.endDate.end) : describeDate(e.date);
  return `${when} — ${e.title}: ${e.summary}${e.caveat ? ` (Caveat: ${e.caveat})` : ''}`;
}

export default defineCommand({
  name: 'timeline',
  description: 'Events between two dates, by topic or actor, newest or oldest first',
  options: z.object({
    from: dateOption('Start date; a month or year alone (e.g. 2023-09) shows just that period'),
    to: dateOption('End date (default: now)'),
    topic: z.string().max(100).optional().describe('A topic such as withdrawal, ecowas, diplomacy').meta({ kind: 'topic' }),
    actor: z.string().max(100).optional().describe('A person, e.g. Tiani or Macron').meta({ kind: 'person' }),
    order: z.enum(['newest', 'oldest']).default('newest').describe('newest first (default) or oldest first'),
    limit: z.coerce.number().int().min(1).max(50).default(10).describe('How many events (1–50, default 10)'),
  }),
  examples: ['timeline', 'timeline 2023-09', 'timeline topic:withdrawal order:oldest', 'timeline actor:Tiani limit:5'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    const from = input.from ? resolveDate(input.from, ctx) : undefined;
    let to = input.to ? resolveDate(input.to, ctx) : undefined;
    if (from && !to && !from.now && from.start !== from.end) to = from;
    if (from && to && to.end < from.start) {
      throw new UserError(`The end (${to.label}) is before the start (${from.label}).`);
    }
    let topic: string | undefined;
    if (input.topic) {
      topic = kb.resolveTag(input.topic) ?? undefined;
      if (!topic) throw new UserError(`I know no topic "${quote(input.topic, 40)}".`, `Topics: ${kb.tags().join(', ')}.`);
    }
    if (input.actor && !kb.resolvePerson(input.actor)) {
      throw new UserError(`I know nobody called "${quote(input.actor, 40)}".`, `People: ${kb.data.people.map((p) => p.name).join(', ')}.`);
    }
    const filter = { from: from?.start, to: to?.end, topic, actor: input.actor };
    const all = kb.timeline({ ...filter, order: input.order });
    const events = all.slice(0, input.limit);
    const scope = [
      from || to ? (from && to && from.label === to.label ? from.label : `${from ? from.label : 'the start'} – ${to ? to.label : 'now'}`) : null,
      topic ? `topic “${topic}”` : null,
      input.actor ? `actor ${kb.resolvePerson(input.actor)!.name}` : null,
    ].filter(Boolean);
    const title = `Timeline${scope.length ? ` — ${scope.join(', ')}` : ''}`;
    if (events.length === 0) {
      return reply({
        command: 'timeline',
        title,
        body: 'No events in the knowledge base match that.',
        answered: false,
        notes: [`The knowledge base covers ${formatPeriod(kb.timeline({ order: 'oldest', limit: 1 })[0]!.date.start, kb.newestFactDate())}.`],
      });
    }
    const body =
      all.length > events.length
        ? `${events.length} of ${all.length} events, ${input.order} first. Use limit: for more.`
        : `${events.length} event(s), ${input.order} first.`;
    return reply({
      command: 'timeline',
      title,
      body,
      items: events.map(describeEvent),
      facts: events.map((e) => ({ type: 'event' as const, event: e.id, title: e.title, date: e.date.text })),
      citations: kb.citations(events.flatMap((e) => e.sources)),
      asOf: to && !to.now ? to.end : kb.newestFactDate(),
    });
  },
});
