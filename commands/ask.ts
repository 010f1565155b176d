import { z } from 'zod';
import { defineCommand, type CommandContext } from '../src/core/command.ts';
import { reply, type Citation, type Fact, type Reply } from '../src/core/reply.ts';
import { catalogs, t, type MessageParams } from '../src/core/i18n.ts';
import { quote } from '../src/core/sanitize.ts';
import { daysBetween, formatDay } from '../src/knowledge/dates.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import { clearLanguage } from '../src/knowledge/question-language.ts';
import type { KbEvent } from '../src/knowledge/schema.ts';
import type { Part, Understanding } from '../src/knowledge/understand.ts';
import { declineReason } from './_declines.ts';
import { lowerFirst } from './_shared.ts';
import { officesOfReply } from './office.ts';
import { statementsReply } from './said.ts';
import { eventDate, eventFact, eventReply } from './when.ts';
import { organisationReply } from './who.ts';

/** What `ask` can answer, listed when it declines (catalog messages, with example questions in each language). */
const CAN_ANSWER = ['troops', 'office', 'when', 'timeline', 'who', 'said', 'places'].map((k) => `ask.canAnswer.${k}`);

export default defineCommand({
  name: 'ask',
  description: 'A question in plain English, French or German, answered from the sourced knowledge base',
  options: z.object({
    question: z.string().min(1).max(2000).describe('Your question, e.g. how many French soldiers are in Niger?').meta({ kind: 'text' }),
  }),
  examples: ['ask how many French soldiers were in Niger in September 2023?', 'ask who rules Niger?', 'ask quand l’ambassadeur de France est-il parti ?'],
  cacheable: true,
  async handler(input, ctx) {
    const { kb } = ctx;
    const u = kb.questions.understand(input.question, ctx.now());
    const lang = answerLanguage(ctx, input.question);
    const say = (key: string, params?: MessageParams) => t(lang, key, params);
    let answer: Reply;
    if (u.compare) {
      answer = compareReply(kb, u.compare, lang);
    } else if (u.parts.length === 0) {
      return reply({
        command: 'ask',
        lang,
        title: say('ask.title.decline'),
        body: say('ask.decline.body', { reason: declineReason(kb, u.decline, lang), question: quote(input.question, 120) }),
        items: CAN_ANSWER.map((key) => say(key)),
        answered: false,
      });
    } else {
      const replies: Reply[] = [];
      for (const part of u.parts) replies.push(await answerPart(part, ctx, lang));
      answer = combine(replies, lang);
      const lead = u.yesNo ? yesOrNo(u, answer) : null;
      if (lead) answer = { ...answer, body: say('ask.yesno', { answer: lead, body: answer.body }), facts: [...answer.facts, { type: 'yesno', answer: lead }] };
    }
    if (u.anchorEvent) {
      const event = u.anchorEvent;
      const note = say('ask.anchorNote', { date: formatDay(event.date.start, lang), title: kb.localized('events', event, lang).title });
      // The answer rests on that event's date too: a correction of it follows the answer.
      answer = { ...answer, notes: [note, ...answer.notes], entries: [...new Set([...(answer.entries ?? []), `events/${event.id}`])] };
    }
    return answer.lang === lang ? answer : { ...answer, lang };
  },
});

/**
 * The language of the answer: `lang:` when the request gave it; else the question's, when the question is
 * clearly not English (a name alone, "tiani", "CEDEAO", tells no language); else the reader's own. An English
 * question from a French reader is answered in French: the reader's language is known, the question's words
 * are often borrowed.
 */
function answerLanguage(ctx: CommandContext, question: string): string {
  if (ctx.explicitLang) return ctx.explicitLang;
  const asked = clearLanguage(ctx.kb, question);
  return asked && asked !== 'en' && catalogs().languages().includes(asked) ? asked : ctx.lang;
}

async function answerPart(part: Part, ctx: CommandContext, lang: string): Promise<Reply> {
  const { kb } = ctx;
  switch (part.kind) {
    case 'troops':
      return ctx.run('troops', { country: part.country, date: part.date, ...(part.history ? { show: 'history' } : {}) }, lang);
    case 'office':
      // The head of state keeps its own command, with the wording desks know.
      return part.office === 'niger-head-of-state'
        ? ctx.run('ruler', { date: part.date }, lang)
        : ctx.run('office', { office: part.office, date: part.date }, lang);
    case 'offices-of':
      return officesOfReply(kb, kb.peopleById.get(part.person)!, part.office, lang);
    case 'who':
      return ctx.run('who', { name: kb.peopleById.get(part.person)!.name }, lang);
    case 'organisation':
      return organisationReply(kb, kb.organisationsById.get(part.organisation)!, lang);
    case 'places':
      return ctx.run('places', { place: part.place, country: part.country }, lang);
    case 'event':
      return eventReply(
        kb,
        kb.eventsById.get(part.event)!,
        part.related.map((id) => kb.eventsById.get(id)!),
        lang,
      );
    case 'statements':
      return statementsReply(
        kb,
        part.statements.map((id) => kb.data.statements.find((s) => s.id === id)!),
        lang,
      );
    case 'timeline':
      return ctx.run('timeline', { from: part.from, to: part.to, topic: part.topic, actor: part.actor, order: part.from ? 'oldest' : 'newest' }, lang);
    case 'sources':
      return ctx.run('sources', {}, lang);
    case 'help':
      return ctx.run('help', {}, lang);
  }
  // Every kind of Part is handled above: the compiler rejects a new one until it is.
  const unhandled: never = part;
  throw new Error(`unhandled part ${JSON.stringify(unhandled)}`);
}

/** Several answers in one reply, each under its own title, in the order asked. */
function combine(replies: Reply[], lang: string): Reply {
  if (replies.length === 1) return replies[0]!;
  const citations = new Map<string, Citation>();
  for (const r of replies) for (const c of r.citations) citations.set(c.sourceId, c);
  const dates = replies.map((r) => r.asOf).filter((d): d is string => d !== null);
  return reply({
    command: replies[0]!.command,
    lang,
    title: replies.map((r) => r.title).join(' · '),
    body: replies.map((r) => `${r.title}\n${r.body}`).join('\n\n'),
    items: replies.flatMap((r) => r.items),
    notes: [...new Set(replies.flatMap((r) => r.notes))],
    citations: [...citations.values()],
    facts: replies.flatMap((r) => r.facts),
    entries: [...new Set(replies.flatMap((r) => r.entries ?? []))],
    asOf: dates.length ? dates.sort().at(-1)! : null,
    answered: replies.some((r) => r.answered),
  });
}

/** Yes or no from the structured answer, when the facts decide it; otherwise nothing. */
function yesOrNo(u: Understanding, answer: Reply): 'yes' | 'no' | null {
  if (!answer.answered) return null;
  if (u.lead) return u.lead === 'Yes.' ? 'yes' : 'no';
  const troops = answer.facts.filter((f): f is Extract<Fact, { type: 'troops' }> => f.type === 'troops');
  // Over a period, any figure in force during it says whether there were troops: "were there still German
  // troops in summer 2024?" is yes (until August). Whether they had all left is said by the figure at its end:
  // "had France withdrawn all its troops by the end of 2023?".
  if (troops.length > 0) {
    const last = new Map(troops.map((f) => [f.country, f.count]));
    const present = u.asksAbsence ? [...last.values()].some((count) => count > 0) : troops.some((f) => f.count > 0);
    return present !== (u.asksAbsence ?? false) ? 'yes' : 'no';
  }
  const offices = answer.facts.filter((f): f is Extract<Fact, { type: 'office' }> => f.type === 'office');
  // "Is Tiani still in charge?": the holder at the end of the period asked about.
  // "Was Tiani already president of the republic in 2024?": the holder, and with the title named.
  if (offices.length > 0 && u.subject) {
    const held = offices.at(-1)!;
    return held.holder === u.subject && (!u.title || held.title === u.title) ? 'yes' : 'no';
  }
  const events = answer.facts.filter((f): f is Extract<Fact, { type: 'event' }> => f.type === 'event');
  // "Did the ambassador leave?" is yes when the event is on record, unless the record itself is a denial
  // (facts keep the knowledge base's own English titles).
  if (answer.command === 'when' && events.length > 0) return /\b(not|no longer|never|rejects?|refuses?)\b/i.test(events[0]!.title) ? null : 'yes';
  return null;
}

/** "Did X happen before Y?" / "which came first?": both dates, and the answer they give. */
function compareReply(kb: KnowledgeBase, c: NonNullable<Understanding['compare']>, lang: string): Reply {
  const [earlier, later] = c.first.date.start <= c.second.date.start ? [c.first, c.second] : [c.second, c.first];
  const same = c.first.date.start === c.second.date.start;
  const firstIsEarlier = earlier === c.first && !same;
  let answer: 'yes' | 'no' | null = null;
  if (!same && c.asked !== 'first') answer = (c.asked === 'before' ? firstIsEarlier : !firstIsEarlier) ? 'yes' : 'no';
  const title = (e: KbEvent) => kb.localized('events', e, lang).title;
  // "How long between …": both dates, and the days from one to the other when both are days.
  const days = earlier.date.precision === 'day' && later.date.precision === 'day' ? daysBetween((earlier.endDate ?? earlier.date).end, later.date.start) : null;
  const body = same
    ? t(lang, 'ask.compare.same', { date: eventDate(earlier, lang), first: title(c.first), second: title(c.second) })
    : c.asked === 'between'
      ? t(lang, 'ask.compare.between', {
          earlier: title(earlier),
          earlierDate: eventDate(earlier, lang),
          later: lowerFirst(title(later), lang, (w) => kb.questions.isCommonWord(w, lang)),
          laterDate: eventDate(later, lang),
          known: days === null ? 'no' : 'yes',
          days: days ?? 0,
        })
      : t(lang, 'ask.compare', {
          answer: answer ?? 'none',
          earlier: title(earlier),
          earlierDate: eventDate(earlier, lang),
          later: lowerFirst(title(later), lang, (w) => kb.questions.isCommonWord(w, lang)),
          laterDate: eventDate(later, lang),
        });
  return reply({
    command: 'when',
    lang,
    title: t(lang, 'ask.compare.title', { first: title(c.first), second: title(c.second) }),
    body,
    items: [earlier, later].map((e) =>
      t(lang, 'ask.compare.item', { date: eventDate(e, lang), title: title(e), summary: kb.localized('events', e, lang).summary }),
    ),
    citations: kb.citations([...earlier.sources, ...later.sources]),
    facts: [...[earlier, later].map(eventFact), { type: 'comparison', earlier: earlier.id, later: later.id, answer }],
    entries: [earlier, later].map((e) => `events/${e.id}`),
    asOf: (later.endDate ?? later.date).text,
  });
}
