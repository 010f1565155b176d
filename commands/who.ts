import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply, type Reply } from '../src/core/reply.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { Organisation } from '../src/knowledge/schema.ts';
import { eventDate } from './when.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatDay } from '../src/knowledge/dates.ts';
import { t } from '../src/core/i18n.ts';
import { describeDate, localizedTerm, quoted } from './_shared.ts';
import { officeEntries } from './office.ts';

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
    const { kb, lang } = ctx;
    let name = input.name.replace(/[?!.]+$/, '').trim();
    while (FILLER.test(name)) name = name.replace(FILLER, '');
    const person = kb.resolvePerson(name);
    const organisation = person ? null : kb.resolveOrganisation(name);
    if (organisation) return organisationReply(kb, organisation, lang);
    if (!person) {
      return reply({
        command: 'who',
        lang,
        title: ctx.t('who.unknown.title', { name: quote(input.name, 40) }),
        body: ctx.t('who.unknown', { name: quote(input.name, 40) }),
        items: [
          ...kb.data.people.map((p) => ctx.t('who.known', { name: p.name, role: kb.localized('people', p, lang).role })),
          ...kb.organisations().map((o) => {
            const local = kb.localized('organisations', o, lang);
            return ctx.t('who.known', { name: local.name, role: local.kind });
          }),
        ],
        answered: false,
      });
    }
    const local = kb.localized('people', person, lang);
    const held = kb.officesHeldBy(person.id).filter((h) => h.term.start);
    const terms = held.map((h) => h.term);
    const events = kb.timeline({ actor: person.id, order: 'newest' }).slice(0, 5);
    const statements = kb.data.statements.filter((s) => s.person === person.id);
    const items = [
      ...terms.map((t) =>
        ctx.t('who.term', {
          title: localizedTerm(kb, t, lang).title,
          start: formatDay(t.start!.start, lang),
          hasEnd: t.end ? 'yes' : 'no',
          end: t.end ? formatDay(t.end.start, lang) : '',
        }),
      ),
      ...statements.map((s) =>
        ctx.t('who.statement', { date: describeDate(s.date, lang), context: kb.localized('statements', s, lang).context, quote: quoted(kb, s, lang) }),
      ),
      ...events.map((e) => ctx.t('event.line', { date: describeDate(e.date, lang), title: kb.localized('events', e, lang).title })),
    ];
    const sources = [...person.sources, ...terms.flatMap((t) => t.sources), ...statements.flatMap((s) => s.sources), ...events.flatMap((e) => e.sources)];
    return reply({
      command: 'who',
      lang,
      title: person.name,
      body: ctx.t('who.person', { role: local.role, summary: local.summary }),
      fields: person.aliases.length ? [{ name: ctx.t('who.field.aliases'), value: person.aliases.join(', ') }] : [],
      items,
      citations: kb.citations(sources),
      facts: [{ type: 'person', person: person.id, name: person.name, role: person.role }],
      entries: [`people/${person.id}`, ...officeEntries(held), ...statements.map((s) => `statements/${s.id}`), ...events.map((e) => `events/${e.id}`)],
      asOf: kb.newestSourceDate(sources),
    });
  },
});

/** What an organisation is, from its sourced description, with the events it took part in. */
export function organisationReply(kb: KnowledgeBase, o: Organisation, lang = 'en'): Reply {
  const events = kb.eventsWithActor(o.id).slice(-5).reverse();
  const local = kb.localized('organisations', o, lang);
  const name = o.acronym && !local.name.includes(o.acronym) ? t(lang, 'who.organisation.name', { name: local.name, acronym: o.acronym }) : local.name;
  return reply({
    command: 'who',
    lang,
    title: name,
    body: t(lang, 'who.organisation', { name, kind: local.kind, description: local.description }),
    items: events.map((e) => t(lang, 'event.line', { date: eventDate(e, lang), title: kb.localized('events', e, lang).title })),
    citations: kb.citations([...o.sources, ...events.flatMap((e) => e.sources)]),
    facts: [{ type: 'organisation', organisation: o.id, name: o.name }],
    entries: [`organisations/${o.id}`, ...events.map((e) => `events/${e.id}`)],
    asOf: kb.newestSourceDate(o.sources),
  });
}
