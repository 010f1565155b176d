import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { reply, type Fact, type Reply, type ReplyField } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { daysBetween, formatDay, type DateQuery } from '../src/knowledge/dates.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import { normalizeName } from '../src/knowledge/normalize.ts';
import type { Office, OfficeTerm, Person } from '../src/knowledge/schema.ts';
import { t } from '../src/core/i18n.ts';
import {
  asOfFor,
  dateLabel,
  dateOption,
  describeDate,
  inPeriod,
  localizedTerm,
  lowerFirst,
  NEARBY_DAYS,
  resolveDate,
  stalenessNote,
  today,
  unknownPerson,
  whenLabel,
  relativeKey,
} from './_shared.ts';

/** "since 28 July 2023 (how it began), until … (how it ended)"; a term known from one report says so. */
export function describeTermSpan(term: OfficeTerm, lang = 'en'): string {
  if (!term.start) return t(lang, 'office.span.attested', { date: describeDate(term.attested!, lang) });
  return t(lang, 'office.span', {
    start: describeDate(term.start, lang),
    hasBegan: term.began ? 'yes' : 'no',
    began: term.began ?? '',
    hasEnd: term.end ? 'yes' : 'no',
    end: term.end ? describeDate(term.end, lang) : '',
    hasEnded: term.ended ? 'yes' : 'no',
    ended: term.ended ?? '',
  });
}

/** The facts of a term, in the knowledge base's own words (scripts read them; they do not change with the language). */
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

/** An office's name in `lang`. */
function officeName(kb: KnowledgeBase, office: Office, lang: string): string {
  return kb.localized('offices', office, lang).name;
}

/** Who held an office during a period, with each term's title, dates and sources. */
/** "He has held the office without a break since 28 July 2023 (…)": when the term continues the holder's earlier ones. */
export function unbrokenLine(kb: KnowledgeBase, officeId: string, termId: string, now: boolean, lang: string): string | undefined {
  const first = kb.unbrokenSince(officeId, termId);
  if (!first?.start) return undefined;
  const term = localizedTerm(kb, first, lang);
  return t(lang, 'office.unbroken', {
    tense: now ? 'now' : 'past',
    holder: kb.termHolderName(term),
    since: formatDay(first.start.start, lang),
    title: term.title,
  });
}

export function officeReply(kb: KnowledgeBase, office: Office, at: DateQuery, todayIso: string, lang = 'en'): Reply {
  const name = officeName(kb, office, lang);
  const terms = kb.officeHoldersDuring(office.id, at);
  const title = t(lang, 'office.title', { office: name, when: whenLabel(at, lang) });
  const newestTerm = office.terms.at(-1);
  const termLine = (term: OfficeTerm) => {
    const local = localizedTerm(kb, term, lang);
    return t(lang, 'office.term', { holder: kb.termHolderName(term), title: local.title, span: describeTermSpan(local, lang) });
  };
  if (terms.length === 0 && at.now && newestTerm) {
    // "Now" is the newest sourced fact, with its date: here, the last holder any source names.
    const newest = localizedTerm(kb, newestTerm, lang);
    return reply({
      command: 'office',
      lang,
      title,
      body: t(lang, 'office.newest', {
        office: lowerFirst(name, lang),
        holder: kb.termHolderName(newest),
        title: newest.title,
        span: describeTermSpan(newest, lang),
      }),
      fields: holderFields(kb, newest, lang),
      notes: [t(lang, 'office.newest.note'), ...(newest.note ? [newest.note] : [])],
      citations: kb.citations(newest.sources),
      facts: [officeFact(kb, office, newestTerm)],
      entries: [`offices/${office.id}`],
      asOf: (newest.end ?? newest.attested ?? newest.start)!.text,
    });
  }
  // No term covers the day asked, but a source shows a holder within days of it ("the army chief at the coup",
  // 26 July 2023: shown in office on the 27th): that holder, with the day the source gives and how far it is.
  const near = terms.length === 0 && !at.now ? nearestAttested(office, at) : undefined;
  if (near) {
    const local = localizedTerm(kb, near.term, lang);
    return reply({
      command: 'office',
      lang,
      title,
      body: t(lang, 'office.nearby', {
        office: lowerFirst(name, lang),
        when: dateLabel(at, lang),
        holder: kb.termHolderName(local),
        title: local.title,
        day: formatDay(near.term.attested!.start, lang),
        days: near.days,
        side: near.side,
      }),
      fields: holderFields(kb, local, lang),
      notes: local.note ? [local.note] : [],
      citations: kb.citations(near.term.sources),
      facts: [officeFact(kb, office, near.term)],
      asOf: near.term.attested!.text,
    });
  }
  if (terms.length === 0) {
    return reply({
      command: 'office',
      lang,
      title,
      body: t(lang, 'office.none', { office: lowerFirst(name, lang), now: at.now ? 'yes' : 'no', when: dateLabel(at, lang) }),
      items: office.terms.map(termLine),
      citations: kb.citations(office.terms.flatMap((t) => t.sources)),
      answered: false,
    });
  }
  const last = localizedTerm(kb, terms[terms.length - 1]!, lang);
  const notes: string[] = [];
  let body: string;
  if (terms.length === 1) {
    body = t(lang, 'office.held', {
      tense: at.now ? 'now' : 'past',
      holder: kb.termHolderName(last),
      office: lowerFirst(name, lang),
      period: at.now ? '' : inPeriod(at, lang),
      title: last.title,
      span: describeTermSpan(last, lang),
    });
    const unbroken = unbrokenLine(kb, office.id, last.id, at.now, lang);
    if (unbroken) body += ` ${unbroken}`;
    if (last.note) notes.push(last.note);
  } else {
    body = t(lang, 'office.changed', { oneDay: at.start === at.end ? 'yes' : 'no', relative: relativeKey(at), when: dateLabel(at, lang) });
  }
  if (at.now) {
    const stale = stalenessNote(kb, last.sources, todayIso, lowerFirst(name, lang), lang);
    if (stale) notes.push(stale);
  }
  return reply({
    command: 'office',
    lang,
    title,
    body,
    fields: holderFields(kb, last, lang),
    items: terms.length > 1 ? terms.map(termLine) : [],
    notes,
    citations: kb.citations(terms.flatMap((t) => t.sources)),
    facts: terms.map((t) => officeFact(kb, office, t)),
    // Only the holder now can be overtaken by a new term: an answer about a past date stays true (as for troops).
    ...(at.now ? { entries: [`offices/${office.id}`] } : {}),
    asOf: at.now ? kb.newestSourceDate(last.sources) : asOfFor(at),
  });
}

/** The holder and title fields of an office answer. */
function holderFields(kb: KnowledgeBase, term: OfficeTerm, lang: string): ReplyField[] {
  return [
    { name: t(lang, 'office.field.holder'), value: kb.termHolderName(term), inline: true },
    { name: t(lang, 'office.field.title'), value: term.title, inline: true },
  ];
}

/** How far a source's day may be from the day asked for its holder to answer it, said with the distance. */

/** The term a source shows in office closest to the period asked, within NEARBY_DAYS of it; none when no term is. */
function nearestAttested(office: Office, at: DateQuery): { term: OfficeTerm; days: number; side: 'after' | 'before' } | undefined {
  let best: { term: OfficeTerm; days: number; side: 'after' | 'before' } | undefined;
  for (const term of office.terms) {
    const day = term.attested?.start;
    if (!day || term.start || term.end) continue;
    const after = day > at.end ? daysBetween(at.end, day) : undefined;
    const before = day < at.start ? daysBetween(day, at.start) : undefined;
    const days = after ?? before;
    if (days === undefined || days > NEARBY_DAYS || (best && best.days <= days)) continue;
    best = { term, days, side: after !== undefined ? 'after' : 'before' };
  }
  return best;
}

/** The office entries ("offices/<id>") terms belong to, each once: a correction of an office follows its answers. */
export function officeEntries(held: readonly { office: Office }[]): string[] {
  return [...new Set(held.map((h) => `offices/${h.office.id}`))];
}

/** The offices a person held, newest first. */
export function officesOfReply(kb: KnowledgeBase, person: Person, officeId?: string, lang = 'en'): Reply {
  const all = kb.officesHeldBy(person.id);
  const inOffice = officeId ? all.filter((h) => h.office.id === officeId) : [];
  const span = (term: OfficeTerm) => describeTermSpan(localizedTerm(kb, term, lang), lang);
  // "When did Tiani take power?": the first term in that office answers, the later ones follow.
  const first = inOffice.find((h) => h.term.start);
  if (first) {
    const term = localizedTerm(kb, first.term, lang);
    const name = officeName(kb, first.office, lang);
    return reply({
      command: 'office',
      lang,
      title: t(lang, 'office.person.title', { person: person.name, office: name }),
      body: t(lang, 'office.person.tookOffice', {
        person: person.name,
        office: lowerFirst(name, lang),
        date: describeDate(term.start!, lang),
        title: term.title,
        hasBegan: term.began ? 'yes' : 'no',
        began: term.began ?? '',
      }),
      items: inOffice.map((h) => t(lang, 'office.person.term', { title: localizedTerm(kb, h.term, lang).title, span: span(h.term) })),
      citations: kb.citations(inOffice.flatMap((h) => h.term.sources)),
      facts: inOffice.map((h) => officeFact(kb, h.office, h.term)),
      entries: officeEntries(inOffice),
      asOf: term.start!.text,
    });
  }
  const held = all;
  if (held.length === 0) {
    return reply({
      command: 'office',
      lang,
      title: person.name,
      body: t(lang, 'office.person.none', { person: person.name, role: kb.localized('people', person, lang).role }),
      citations: kb.citations(person.sources),
      answered: false,
    });
  }
  const ordered = [...held].reverse();
  const current = ordered.find((h) => !h.term.end && h.term.start);
  const lead = current
    ? t(lang, 'office.person.holds', {
        person: person.name,
        office: lowerFirst(officeName(kb, current.office, lang), lang),
        title: localizedTerm(kb, current.term, lang).title,
        span: span(current.term),
      })
    : t(lang, 'office.person.held', { person: person.name, count: held.length });
  return reply({
    command: 'office',
    lang,
    title: t(lang, 'office.person.offices', { person: person.name }),
    body: lead,
    items: ordered.map((h) =>
      t(lang, 'office.person.office', { office: officeName(kb, h.office, lang), title: localizedTerm(kb, h.term, lang).title, span: span(h.term) }),
    ),
    citations: kb.citations(held.flatMap((h) => h.term.sources)),
    facts: ordered.map((h) => officeFact(kb, h.office, h.term)),
    entries: officeEntries(held),
    asOf: kb.newestSourceDate(held.flatMap((h) => h.term.sources)),
  });
}

export function resolveOffice(kb: KnowledgeBase, text: string): Office | null {
  const key = normalizeName(text);
  if (!key) return null;
  const offices = kb.offices();
  return (
    offices.find((o) => o.id === text.trim() || normalizeName(o.name) === key) ??
    offices.find((o) =>
      Object.values(o.names)
        .flat()
        .some((n) => normalizeName(n) === key),
    ) ??
    offices.find((o) => normalizeName(o.name).includes(key) && key.length >= 4) ??
    null
  );
}

export default defineCommand({
  name: 'office',
  description: 'Who held an office at a date (head of state, prime minister, ambassador…), or a person’s offices',
  options: z.object({
    office: z.string().max(100).optional().describe('The office, e.g. prime minister, head of state, French ambassador').meta({ kind: 'text' }),
    date: dateOption('When: a date, a month, "now" (default) or e.g. "after the coup"'),
    person: z.string().max(100).optional().describe('Or a person, to list the offices they held').meta({ kind: 'person' }),
    show: z.enum(['holder', 'history']).default('holder').describe('"history": every holder'),
  }),
  examples: ['office prime minister 2023-08', 'office office:French ambassador date:2023-09', 'office person:Tiani'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    if (input.person) {
      const person = kb.resolvePerson(input.person);
      if (!person) throw unknownPerson(ctx, input.person);
      return officesOfReply(kb, person, undefined, ctx.lang);
    }
    const office = resolveOffice(kb, input.office ?? 'head of state');
    if (!office) {
      throw new UserError(
        { key: 'office.error.unknown', params: { office: quote(input.office ?? '', 40) } },
        {
          key: 'office.error.known',
          params: {
            offices: kb
              .offices()
              .map((o) => officeName(kb, o, ctx.lang))
              .join(', '),
          },
        },
      );
    }
    if (input.show === 'history') return officeHistoryReply(kb, office, ctx.lang);
    return officeReply(kb, office, resolveDate(input.date, ctx), today(ctx), ctx.lang);
  },
});

/** Every term of an office on record, oldest first (`office show:history`, the History button under an office answer). */
function officeHistoryReply(kb: KnowledgeBase, office: Office, lang: string): Reply {
  const name = officeName(kb, office, lang);
  const terms = office.terms.map((term) => ({ term, local: localizedTerm(kb, term, lang) }));
  return reply({
    command: 'office',
    lang,
    title: t(lang, 'office.history.title', { office: name }),
    body: t(lang, 'office.history', { count: terms.length, office: lowerFirst(name, lang) }),
    items: terms.map(({ term, local }) => t(lang, 'office.term', { holder: kb.termHolderName(term), title: local.title, span: describeTermSpan(local, lang) })),
    citations: kb.citations(office.terms.flatMap((term) => term.sources)),
    facts: office.terms.map((term) => officeFact(kb, office, term)),
    asOf: kb.newestSourceDate(office.terms.flatMap((term) => term.sources)),
  });
}
