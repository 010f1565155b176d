import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatPeriod } from '../src/knowledge/dates.ts';
import type { KbEvent } from '../src/knowledge/schema.ts';
import { t } from '../src/core/i18n.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import { dateLabel, dateOption, resolveDate, unknownPerson } from './_shared.ts';
import { eventDate, eventFact } from './when.ts';

export function describeEvent(kb: KnowledgeBase, e: KbEvent, lang = 'en'): string {
  const local = kb.localized('events', e, lang);
  return t(lang, 'timeline.event', {
    date: eventDate(e, lang),
    title: local.title,
    summary: local.summary,
    hasCaveat: local.caveat ? 'yes' : 'no',
    caveat: local.caveat ?? '',
  });
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
    page: z.coerce.number().int().min(1).max(1000).default(1).describe('Page (default 1)'),
  }),
  examples: ['timeline', 'timeline 2023-09', 'timeline topic:withdrawal order:oldest', 'timeline actor:Tiani limit:5'],
  cacheable: true,
  handler(input, ctx) {
    const { kb, lang } = ctx;
    const from = input.from ? resolveDate(input.from, ctx) : undefined;
    let to = input.to ? resolveDate(input.to, ctx) : undefined;
    if (from && !to && !from.now && from.start !== from.end) to = from;
    if (from && to && to.end < from.start) {
      throw new UserError({ key: 'timeline.error.order', params: { end: dateLabel(to, lang), start: dateLabel(from, lang) } });
    }
    let topic: string | undefined;
    if (input.topic) {
      topic = kb.resolveTag(input.topic) ?? undefined;
      if (!topic) {
        throw new UserError(
          { key: 'timeline.error.unknownTopic', params: { topic: quote(input.topic, 40) } },
          { key: 'timeline.error.knownTopics', params: { topics: kb.tags().join(', ') } },
        );
      }
    }
    if (input.actor && !kb.resolvePerson(input.actor)) throw unknownPerson(ctx, input.actor);
    const filter = { from: from?.start, to: to?.end, topic, actor: input.actor };
    const all = kb.timeline({ ...filter, order: input.order });
    const pageCount = Math.max(1, Math.ceil(all.length / input.limit));
    const page = Math.min(input.page, pageCount);
    const events = all.slice((page - 1) * input.limit, page * input.limit);
    const scope = [
      from || to
        ? from && to && from.label === to.label
          ? dateLabel(from, lang)
          : ctx.t('timeline.scope.range', {
              from: from ? dateLabel(from, lang) : ctx.t('timeline.scope.start'),
              to: to ? dateLabel(to, lang) : ctx.t('date.now'),
            })
        : null,
      topic ? ctx.t('timeline.scope.topic', { topic }) : null,
      input.actor ? ctx.t('timeline.scope.actor', { name: kb.resolvePerson(input.actor)!.name }) : null,
    ].filter((s): s is string => s !== null);
    const title = scope.length ? ctx.t('timeline.title.scope', { scope: scope.join(', ') }) : ctx.t('timeline.title');
    if (events.length === 0) {
      return reply({
        command: 'timeline',
        lang,
        title,
        body: ctx.t('timeline.empty'),
        answered: false,
        notes: [ctx.t('timeline.covers', { period: formatPeriod(kb.timeline({ order: 'oldest', limit: 1 })[0]!.date.start, kb.newestFactDate(), lang) })],
      });
    }
    const body =
      pageCount > 1
        ? ctx.t('timeline.page', { page, pages: pageCount, shown: events.length, count: all.length, order: input.order })
        : ctx.t('timeline.all', { count: events.length, order: input.order });
    return reply({
      command: 'timeline',
      lang,
      title,
      body,
      items: events.map((e) => describeEvent(kb, e, lang)),
      facts: events.map(eventFact),
      entries: events.map((e) => `events/${e.id}`),
      citations: kb.citations(events.flatMap((e) => e.sources)),
      asOf: to && !to.now ? to.end : kb.newestFactDate(),
      ...(pageCount > 1 ? { pages: { page, count: pageCount } } : {}),
    });
  },
});
