import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { reply, type Fact, type Reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import type { DateQuery } from '../src/knowledge/dates.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import { normalizeName } from '../src/knowledge/normalize.ts';
import type { Office, OfficeTerm, Person } from '../src/knowledge/schema.ts';
import { asOfFor, dateOption, describeDate, inPeriod, lowerFirst, resolveDate, today } from './_shared.ts';

/** "since 28 July 2023 (how it began), until … (how it ended)"; a term known from one report says so. */
export function describeTermSpan(term: OfficeTerm): string {
  if (!term.start) return `in office on ${describeDate(term.attested!)} according to the sources (no start or end date is recorded)`;
  const since = `since ${describeDate(term.start)}${term.began ? ` (${term.began})` : ''}`;
  return term.end ? `${since}, until ${describeDate(term.end)}${term.ended ? ` (${term.ended})` : ''}` : since;
}

export function officeFact(kb: KnowledgeBase, office: Office, term: OfficeTerm): Fact {
  return {
    type: 'office',
    office: office.id,
    holder: kb.termHolderName(term),
    title: term.title,
    since: term.start?.text ?? null,
    until: term.end?.text ?? null,
  };
}

/** Who held an office during a period, with each term's title, dates and sources. */
export function officeReply(kb: KnowledgeBase, office: Office, at: DateQuery, todayIso: string): Reply {
  const terms = kb.officeHoldersDuring(office.id, at);
  const when = at.now ? 'now' : at.label;
  const newest = office.terms.at(-1);
  if (terms.length === 0 && at.now && newest) {
    // "Now" is the newest sourced fact, with its date: here, the last holder any source names.
    return reply({
      command: 'office',
      title: `${office.name} — now`,
      body: `The newest sourced holder of the office of ${lowerFirst(office.name)} is ${kb.termHolderName(newest)}: ${newest.title}, ${describeTermSpan(newest)}.`,
      fields: [
        { name: 'Holder', value: kb.termHolderName(newest), inline: true },
        { name: 'Title', value: newest.title, inline: true },
      ],
      notes: [`No source in the knowledge base says who holds it now.`, ...(newest.note ? [newest.note] : [])],
      citations: kb.citations(newest.sources),
      facts: [officeFact(kb, office, newest)],
      asOf: (newest.end ?? newest.attested ?? newest.start)!.text,
    });
  }
  if (terms.length === 0) {
    return reply({
      command: 'office',
      title: `${office.name} — ${when}`,
      body: `I have no sourced holder of the office of ${lowerFirst(office.name)} for ${at.now ? 'the present' : at.label}. What I have:`,
      items: office.terms.map((t) => `${kb.termHolderName(t)} — ${t.title}, ${describeTermSpan(t)}`),
      citations: kb.citations(office.terms.flatMap((t) => t.sources)),
      answered: false,
    });
  }
  const last = terms[terms.length - 1]!;
  const notes: string[] = [];
  let body: string;
  if (terms.length === 1) {
    const verb = at.now ? 'is' : 'was';
    body = `${kb.termHolderName(last)} ${verb} ${lowerFirst(office.name)} ${at.now ? 'now' : inPeriod(at)}: ${last.title}, ${describeTermSpan(last)}.`;
    if (last.note) notes.push(last.note);
  } else {
    body = `The office changed hands ${at.start === at.end ? 'on' : 'during'} ${at.label}:`;
  }
  if (at.now) {
    const stale = kb.stalenessNote(last.sources, todayIso, lowerFirst(office.name));
    if (stale) notes.push(stale);
  }
  return reply({
    command: 'office',
    title: `${office.name} — ${when}`,
    body,
    fields: [
      { name: 'Holder', value: kb.termHolderName(last), inline: true },
      { name: 'Title', value: last.title, inline: true },
    ],
    items: terms.length > 1 ? terms.map((t) => `${kb.termHolderName(t)} — ${t.title}, ${describeTermSpan(t)}`) : [],
    notes,
    citations: kb.citations(terms.flatMap((t) => t.sources)),
    facts: terms.map((t) => officeFact(kb, office, t)),
    asOf: at.now ? kb.newestSourceDate(last.sources) : asOfFor(at),
  });
}

/** The offices a person held, newest first. */
export function officesOfReply(kb: KnowledgeBase, person: Person, officeId?: string): Reply {
  const all = kb.officesHeldBy(person.id);
  const inOffice = officeId ? all.filter((h) => h.office.id === officeId) : [];
  // "When did Tiani take power?": the first term in that office answers, the later ones follow.
  const first = inOffice.find((h) => h.term.start);
  if (first) {
    return reply({
      command: 'office',
      title: `${person.name} — ${first.office.name}`,
      body: `${person.name} took office as ${lowerFirst(first.office.name)} on ${describeDate(first.term.start!)}: ${first.term.title}${first.term.began ? ` (${first.term.began})` : ''}.`,
      items: inOffice.map((h) => `${h.term.title}, ${describeTermSpan(h.term)}`),
      citations: kb.citations(inOffice.flatMap((h) => h.term.sources)),
      facts: inOffice.map((h) => officeFact(kb, h.office, h.term)),
      asOf: first.term.start!.text,
    });
  }
  const held = all;
  if (held.length === 0) {
    return reply({
      command: 'office',
      title: person.name,
      body: `I have no sourced office for ${person.name}. ${person.role}.`,
      citations: kb.citations(person.sources),
      answered: false,
    });
  }
  const ordered = [...held].reverse();
  const current = ordered.find((h) => !h.term.end && h.term.start);
  const lead = current
    ? `${person.name} holds the office of ${lowerFirst(current.office.name)}: ${current.term.title}, ${describeTermSpan(current.term)}.`
    : `${person.name} held ${held.length === 1 ? 'this office' : 'these offices'}:`;
  return reply({
    command: 'office',
    title: `${person.name} — offices`,
    body: lead,
    items: ordered.map((h) => `${h.office.name}: ${h.term.title}, ${describeTermSpan(h.term)}`),
    citations: kb.citations(held.flatMap((h) => h.term.sources)),
    facts: ordered.map((h) => officeFact(kb, h.office, h.term)),
    asOf: kb.newestSourceDate(held.flatMap((h) => h.term.sources)),
  });
}

export function resolveOffice(kb: KnowledgeBase, text: string): Office | null {
  const key = normalizeName(text);
  if (!key) return null;
  const offices = kb.offices();
  return (
    offices.find((o) => o.id === text.trim() || normalizeName(o.name) === key) ??
    offices.find((o) => Object.values(o.names).flat().some((n) => normalizeName(n) === key)) ??
    offices.find((o) => normalizeName(o.name).includes(key) && key.length >= 4) ??
    null
  );
}

export default defineCommand({
  name: 'office',
  description: 'Who held an office (head of state, prime minister, ambassador…) at a date, or which offices a person held',
  options: z.object({
    office: z.string().max(100).optional().describe('The office, e.g. prime minister, head of state, French ambassador').meta({ kind: 'text' }),
    date: dateOption('When: a date, a month, "now" (default) or e.g. "after the coup"'),
    person: z.string().max(100).optional().describe('Or a person, to list the offices they held').meta({ kind: 'person' }),
  }),
  examples: ['office prime minister 2023-08', 'office office:French ambassador date:2023-09', 'office person:Tiani'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    if (input.person) {
      const person = kb.resolvePerson(input.person);
      if (!person) throw new UserError(`I know nobody called "${quote(input.person, 40)}".`, `People: ${kb.data.people.map((p) => p.name).join(', ')}.`);
      return officesOfReply(kb, person);
    }
    const office = resolveOffice(kb, input.office ?? 'head of state');
    if (!office) {
      throw new UserError(`I know no office "${quote(input.office ?? '', 40)}".`, `Offices: ${kb.offices().map((o) => o.name).join(', ')}.`);
    }
    return officeReply(kb, office, resolveDate(input.date, ctx), today(ctx));
  },
});
