import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatDay } from '../src/knowledge/dates.ts';
import { describeDate } from './_shared.ts';

const FILLER = /^(is|was|are|were|the|a|an|mr|mrs|ms|general|gen|president|colonel|col)\s+/i;

export default defineCommand({
  name: 'who',
  description: 'Who a person is: role, summary, terms in power and recent events',
  options: z.object({
    name: z.string().min(1).max(200).describe('A name, e.g. Tiani, Bazoum, Colonna').meta({ kind: 'person' }),
  }),
  examples: ['who Tiani', 'who name:Catherine Colonna'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    let name = input.name.replace(/[?!.]+$/, '').trim();
    while (FILLER.test(name)) name = name.replace(FILLER, '');
    const person = kb.resolvePerson(name);
    if (!person) {
      return reply({
        command: 'who',
        title: `Who is ${quote(input.name, 40)}?`,
        body: `I have no sourced information about "${quote(input.name, 40)}". People I know:`,
        items: kb.data.people.map((p) => `${p.name} — ${p.role}`),
        answered: false,
      });
    }
    const terms = kb.rulerTerms().filter((t) => t.person === person.id);
    const events = kb.timeline({ actor: person.id, order: 'newest' }).slice(0, 5);
    const statements = kb.data.statements.filter((s) => s.person === person.id);
    const items = [
      ...terms.map((t) => `${t.title}: ${formatDay(t.start.start)} – ${t.end ? formatDay(t.end.start) : 'in office'}`),
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
      asOf: kb.newestSourceDate(sources),
    });
  },
});
