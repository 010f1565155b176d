import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply, type Reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { Statement } from '../src/knowledge/schema.ts';
import { t } from '../src/core/i18n.ts';
import { describeDate, quoted } from './_shared.ts';

/** What someone said: speaker, date, the words (as the source quotes them, a translation beside them) and their context. */
export function statementsReply(kb: KnowledgeBase, statements: Statement[], lang = 'en'): Reply {
  const first = statements[0]!;
  const speaker = kb.peopleById.get(first.person)!.name;
  const lines = statements.map((s) =>
    t(lang, 'said.line', { date: describeDate(s.date, lang), name: kb.peopleById.get(s.person)!.name, quote: quoted(kb, s, lang) }),
  );
  return reply({
    command: 'said',
    lang,
    title: t(lang, 'said.title', { name: speaker }),
    body: `${lines[0]}\n\n${kb.localized('statements', first, lang).context}`,
    items: lines.slice(1),
    citations: kb.citations(statements.flatMap((s) => s.sources)),
    facts: statements.map((s) => ({
      type: 'statement' as const,
      statement: s.id,
      speaker: kb.peopleById.get(s.person)!.name,
      date: s.date.text,
      quote: s.quote,
    })),
    entries: statements.map((s) => `statements/${s.id}`),
    asOf: statements
      .map((s) => s.date.text)
      .sort()
      .at(-1)!,
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
        lang: ctx.lang,
        title: ctx.t('said.title', { name: quote(input.person, 40) }),
        body: ctx.t('said.none', { name: quote(input.person, 40), speakers: speakers.join(', ') }),
        answered: false,
      });
    }
    return statementsReply(kb, statements, ctx.lang);
  },
});
