import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply, type Reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { Statement } from '../src/knowledge/schema.ts';
import { describeDate } from './_shared.ts';

/** What someone said: speaker, date, the words (as the source quotes them) and their context. */
export function statementsReply(kb: KnowledgeBase, statements: Statement[]): Reply {
  const first = statements[0]!;
  const speaker = kb.peopleById.get(first.person)!.name;
  const lines = statements.map((s) => `On ${describeDate(s.date)}, ${kb.peopleById.get(s.person)!.name} said: “${s.quote}”`);
  return reply({
    command: 'said',
    title: `What ${speaker} said`,
    body: `${lines[0]}\n\n${first.context}`,
    items: lines.slice(1),
    citations: kb.citations(statements.flatMap((s) => s.sources)),
    facts: statements.map((s) => ({
      type: 'statement' as const,
      statement: s.id,
      speaker: kb.peopleById.get(s.person)!.name,
      date: s.date.text,
      quote: s.quote,
    })),
    asOf: statements.map((s) => s.date.text).sort().at(-1)!,
  });
}

export default defineCommand({
  name: 'said',
  description: 'What someone said, quoted with the date and source',
  options: z.object({
    person: z.string().min(1).max(100).describe('Who, e.g. Colonna').meta({ kind: 'person' }),
  }),
  examples: ['said Colonna'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    const person = kb.resolvePerson(input.person);
    const statements = person ? kb.data.statements.filter((s) => s.person === person.id) : [];
    if (statements.length === 0) {
      const speakers = [...new Set(kb.data.statements.map((s) => kb.peopleById.get(s.person)!.name))];
      return reply({
        command: 'said',
        title: `What ${quote(input.person, 40)} said`,
        body: `I have no sourced quote from “${quote(input.person, 40)}”. I have quotes from: ${speakers.join(', ')}.`,
        answered: false,
      });
    }
    return statementsReply(kb, statements);
  },
});
