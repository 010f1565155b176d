import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply, type Reply } from '../src/core/reply.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { Organisation } from '../src/knowledge/schema.ts';
import { eventDate } from './when.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatDay } from '../src/knowledge/dates.ts';
import { describeDate } from './_shared.ts';

const FILLER = /^(is|was|are|were|the|a|an|mr|mrs|ms|general|gen|president|colonel|col)\s+/i;

export default defineCommand({
  name: 'who',
  description: 'Who a person is, or what an organisation is: role, summary, offices and recent events',
  options: z.object({
    name: z.string().min(1).max(200).describe('A name, e.g. Tiani, Bazoum, Colonna, ECOWAS, CNSP').meta({ kind: 'person' }),
  }),
  examples: ['who Tiani', 'who name:Catherine Colonna', 'who ECOWAS'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    let name = input.name.replace(/[?!.]+$/, '').trim();
    while (FILLER.test(name)) name = name.replace(FILLER, '');
    const person = kb.resolvePerson(name);
    const organisation = person ? null : kb.resolveOrganisation(name);
    if (organisation) return organisationReply(kb, organisation);
    if (!person) {
      return reply({
        command: 'who',
        title: `Who is ${quote(input.name, 40)}?`,
        body: `I have no sourced information about "${quote(input.name, 40)}". People I know:`,
        items: [...kb.data.people.map((p) => `${p.name} — ${p.role}`), ...kb.organisations().map((o) => `${o.name} — ${o.kind}`)],
        answered: false,
      });
    }
    const terms = kb.officesHeldBy(person.id).map((h) => h.term).filter((t) => t.start);
    const events = kb.timeline({ actor: person.id, order: 'newest' }).slice(0, 5);
    const statements = kb.data.statements.filter((s) => s.person === person.id);
    const items = [
      ...terms.map((t) => `${t.title}: ${formatDay(t.start!.start)} – ${t.end ? formatDay(t.end.start) : 'in office'}`),
      ...statements.map((s) => `${describeDate(s.date)}, ${s.context}: “${s.quote}”`),
      ...events.map((e) => `${describeDate(e.date)} — ${e.title}`),
    ];
    const sources = [...person.sources, ...terms.flatMap((t) => t.sources), ...statements.flatMap((s) => s.sources), ...events.flatMap((e) => e.sources)];
    return reply({
      command: 'who',
      title: person.name,
      body: `${person.role}. ${person.summary}`,
      fields: person.aliases.length ? [{ name: 'Also written', value: person.aliases.join(', ') }] : [],
      items,
      citations: kb.citations(sources),
      facts: [{ type: 'person', person: person.id, name: person.name, role: person.role }],
      asOf: kb.newestSourceDate(sources),
    });
  },
});

/** What an organisation is, from its sourced description, with the events it took part in. */
export function organisationReply(kb: KnowledgeBase, o: Organisation): Reply {
  const events = kb.eventsWithActor(o.id).slice(-5).reverse();
  const name = o.acronym && !o.name.includes(o.acronym) ? `${o.name} (${o.acronym})` : o.name;
  return reply({
    command: 'who',
    title: name,
    body: `${name}: ${o.kind}. ${o.description}`,
    items: events.map((e) => `${eventDate(e)} — ${e.title}`),
    citations: kb.citations([...o.sources, ...events.flatMap((e) => e.sources)]),
    facts: [{ type: 'organisation', organisation: o.id, name: o.name }],
    asOf: kb.newestSourceDate(o.sources),
  });
}
