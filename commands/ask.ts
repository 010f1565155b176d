import { z } from 'zod';
import { defineCommand, type CommandContext } from '../src/core/command.ts';
import { reply, type Citation, type Fact, type Reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatDay } from '../src/knowledge/dates.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { Part, Understanding } from '../src/knowledge/understand.ts';
import { lowerFirst } from './_shared.ts';
import { officesOfReply } from './office.ts';
import { statementsReply } from './said.ts';
import { eventDate, eventReply } from './when.ts';
import { organisationReply } from './who.ts';

const CAN_ANSWER = [
  'how many French (or US, German, Italian) troops were in Niger at a date, e.g. "how many French soldiers were in Niger in September 2023?"',
  'who held an office at a date, e.g. "who ruled Niger in June 2023?" or "who was prime minister after the coup?"',
  'when something happened, e.g. "when did the French ambassador leave?"',
  'what happened in a period, e.g. "what happened on 26 July 2023?" or "timeline of the withdrawal"',
  'who someone is or what an organisation is, e.g. "who is Colonna?" or "what is the AES?"',
  'what someone said, e.g. "what did Colonna say about the troops?"',
  'where foreign forces were based, e.g. "where were French troops stationed?"',
];

export default defineCommand({
  name: 'ask',
  description: 'Ask a question in plain words (English, French or German); it is answered from the sourced knowledge base',
  options: z.object({
    question: z.string().min(1).max(2000).describe('Your question, e.g. how many French soldiers are in Niger?').meta({ kind: 'text' }),
  }),
  examples: ['ask how many French soldiers were in Niger in September 2023?', 'ask who rules Niger?', 'ask quand l’ambassadeur de France est-il parti ?'],
  cacheable: true,
  async handler(input, ctx) {
    const { kb } = ctx;
    const u = kb.questions.understand(input.question, ctx.now());
    const note = kb.questions.lexicon.languages[u.lang].answerNote;
    let answer: Reply;
    if (u.compare) {
      answer = compareReply(kb, u.compare);
    } else if (u.parts.length === 0) {
      return reply({
        command: 'ask',
        title: 'I don’t know',
        body: `${u.decline ?? 'I can’t answer that from my sourced knowledge base, and I won’t guess.'} You asked: “${quote(input.question, 120)}”.\n\nWhat I can answer:`,
        items: CAN_ANSWER,
        notes: note ? [note] : [],
        answered: false,
      });
    } else {
      const replies: Reply[] = [];
      for (const part of u.parts) replies.push(await answerPart(part, ctx));
      answer = combine(replies);
      const lead = u.yesNo ? yesOrNo(u, answer) : null;
      if (lead) answer = { ...answer, body: `${lead} ${answer.body}`, facts: [...answer.facts, { type: 'yesno', answer: lead === 'Yes.' ? 'yes' : 'no' }] };
    }
    const notes = [...answer.notes];
    if (u.anchorEvent) notes.unshift(`Date taken from the event: ${formatDay(u.anchorEvent.date.start)} — ${u.anchorEvent.title}.`);
    if (note) notes.unshift(note);
    return notes.length === answer.notes.length ? answer : { ...answer, notes };
  },
});

async function answerPart(part: Part, ctx: CommandContext): Promise<Reply> {
  const { kb } = ctx;
  switch (part.kind) {
    case 'troops':
      return ctx.run('troops', { country: part.country, date: part.date });
    case 'office':
      // The head of state keeps its own command, with the wording desks know.
      return part.office === 'niger-head-of-state' ? ctx.run('ruler', { date: part.date }) : ctx.run('office', { office: part.office, date: part.date });
    case 'offices-of':
      return officesOfReply(kb, kb.peopleById.get(part.person)!, part.office);
    case 'who':
      return ctx.run('who', { name: kb.peopleById.get(part.person)!.name });
    case 'organisation':
      return organisationReply(kb, kb.organisationsById.get(part.organisation)!);
    case 'places':
      return ctx.run('places', { place: part.place, country: part.country });
    case 'event':
      return eventReply(kb, kb.eventsById.get(part.event)!, part.related.map((id) => kb.eventsById.get(id)!));
    case 'statements':
      return statementsReply(kb, part.statements.map((id) => kb.data.statements.find((s) => s.id === id)!));
    case 'timeline':
      return ctx.run('timeline', { from: part.from, to: part.to, topic: part.topic, actor: part.actor, order: part.from ? 'oldest' : 'newest' });
    case 'sources':
      return ctx.run('sources', {});
    case 'help':
      return ctx.run('help', {});
  }
  // Every kind of Part is handled above: the compiler rejects a new one until it is.
  const unhandled: never = part;
  throw new Error(`unhandled part ${JSON.stringify(unhandled)}`);
}

/** Several answers in one reply, each under its own title, in the order asked. */
function combine(replies: Reply[]): Reply {
  if (replies.length === 1) return replies[0]!;
  const citations = new Map<string, Citation>();
  for (const r of replies) for (const c of r.citations) citations.set(c.sourceId, c);
  const dates = replies.map((r) => r.asOf).filter((d): d is string => d !== null);
  return reply({
    command: replies[0]!.command,
    title: replies.map((r) => r.title).join(' · '),
    body: replies.map((r) => `${r.title}\n${r.body}`).join('\n\n'),
    items: replies.flatMap((r) => r.items),
    notes: [...new Set(replies.flatMap((r) => r.notes))],
    citations: [...citations.values()],
    facts: replies.flatMap((r) => r.facts),
    asOf: dates.length ? dates.sort().at(-1)! : null,
    answered: replies.some((r) => r.answered),
  });
}

/** "Yes." or "No." from the structured answer, when the facts decide it; otherwise nothing. */
function yesOrNo(u: Understanding, answer: Reply): 'Yes.' | 'No.' | null {
  if (!answer.answered) return null;
  if (u.lead) return u.lead;
  const troops = answer.facts.filter((f): f is Extract<Fact, { type: 'troops' }> => f.type === 'troops');
  // Over a period, any figure in force during it says whether there were troops: "were there still German
  // troops in summer 2024?" is yes (until August). Whether they had all left is said by the figure at its end:
  // "had France withdrawn all its troops by the end of 2023?".
  if (troops.length > 0) {
    const last = new Map(troops.map((f) => [f.country, f.count]));
    const present = u.asksAbsence ? [...last.values()].some((count) => count > 0) : troops.some((f) => f.count > 0);
    return present !== (u.asksAbsence ?? false) ? 'Yes.' : 'No.';
  }
  const offices = answer.facts.filter((f): f is Extract<Fact, { type: 'office' }> => f.type === 'office');
  // "Is Tiani still in charge?": the holder at the end of the period asked about.
  if (offices.length > 0 && u.subject) return offices.at(-1)!.holder === u.subject ? 'Yes.' : 'No.';
  const events = answer.facts.filter((f): f is Extract<Fact, { type: 'event' }> => f.type === 'event');
  // "Did the ambassador leave?" is yes when the event is on record, unless the record itself is a denial.
  if (answer.command === 'when' && events.length > 0) return /\b(not|no longer|never|rejects?|refuses?)\b/i.test(events[0]!.title) ? null : 'Yes.';
  return null;
}

/** "Did X happen before Y?" / "which came first?": both dates, and the answer they give. */
function compareReply(kb: KnowledgeBase, c: NonNullable<Understanding['compare']>): Reply {
  const [earlier, later] = c.first.date.start <= c.second.date.start ? [c.first, c.second] : [c.second, c.first];
  const same = c.first.date.start === c.second.date.start;
  const firstIsEarlier = earlier === c.first && !same;
  let lead = '';
  let answer: 'yes' | 'no' | null = null;
  if (!same && c.asked !== 'first') {
    const yes = c.asked === 'before' ? firstIsEarlier : !firstIsEarlier;
    lead = yes ? 'Yes. ' : 'No. ';
    answer = yes ? 'yes' : 'no';
  }
  const body = same
    ? `${lead}Both happened on ${eventDate(earlier)}: ${c.first.title}; ${c.second.title}.`
    : `${lead}${earlier.title} (${eventDate(earlier)}) came before ${lowerFirst(later.title)} (${eventDate(later)}).`;
  return reply({
    command: 'when',
    title: `${c.first.title} / ${c.second.title}`,
    body,
    items: [earlier, later].map((e) => `${eventDate(e)} — ${e.title}: ${e.summary}`),
    citations: kb.citations([...earlier.sources, ...later.sources]),
    facts: [
      ...[earlier, later].map((e) => ({ type: 'event' as const, event: e.id, title: e.title, date: e.date.text })),
      { type: 'comparison', earlier: earlier.id, later: later.id, answer },
    ],
    asOf: (later.endDate ?? later.date).text,
  });
}
