import { z } from 'zod';
import { defineCommand, defineGroup, type CommandContext } from '../src/core/command.ts';
import type { NewProposal, ProposalInfo } from '../src/core/proposals-port.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { proposals, refused, reviewPost, who } from './_proposals.ts';
import { resolveOffice } from './office.ts';
import { checkProposedOffice, dayOf, holderOf, inTermOrder, newTermId, oldestFirst, withNewTerm, type RawTerm } from './_terms.ts';

const text = (description: string) => z.string().min(1).max(2000).describe(description).meta({ kind: 'text' });
const sourceOptions = {
  source: text('The URL of the article or document, http(s)'),
  publisher: text('Who published it'),
  title: text('Its title'),
  published: text('The day it was published, YYYY-MM-DD'),
};

/** A source id for the proposal's source: publisher and day, as data/ names sources. */
function sourceId(publisher: string, published: string): string {
  const slug = publisher
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'source'}-${published}`;
}

function answer(p: ProposalInfo, before: Record<string, unknown> | null, ctx: CommandContext) {
  const proposed = reply({
    command: 'propose',
    kind: 'admin',
    lang: ctx.lang,
    title: ctx.t('propose.title', { id: p.id }),
    body: ctx.t('propose.body', { id: p.id, kind: p.kind, entry: p.proposedId }),
    notes: p.duplicateOf ? [ctx.t('propose.duplicate', { other: p.duplicateOf })] : [],
  });
  return { ...proposed, notify: { audience: 'editors' as const, reply: reviewPost(p, before, ctx) } };
}

async function submit(p: NewProposal, before: Record<string, unknown> | null, ctx: CommandContext) {
  const service = proposals(ctx);
  return answer(await refused(() => service.propose(p)), before, ctx);
}

/** Discord's modals hold five inputs: the source's publisher, title and day share one. */
const CITATION = { name: 'citation', label: 'form.field.citation', fields: ['publisher', 'title', 'published'], separator: '|' };
/** An event's form has ten fields: where five is all, its lists share one input and its whole source another. */
const ABOUT = { name: 'about', label: 'form.field.about', fields: ['tags', 'actors', 'places'], separator: '|' };
const CITED = { name: 'cited', label: 'form.field.cited', fields: ['source', 'publisher', 'title', 'published'], separator: '|' };

/** Lower-case words joined by dashes, as data/ ids are; cut at a dash so an id stays readable. */
function slugOf(text: string, max = 60): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max + 1);
  return cut.slice(0, cut.lastIndexOf('-') > 0 ? cut.lastIndexOf('-') : max);
}

/** A comma-separated option as its items, blanks left out. */
function listOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The ids a list option names, each an id or a name the knowledge base knows; the first it does not know is refused
 * naming the field (an approved entry citing an unknown id would break the live reload's cross checks).
 */
function idsOf(items: string[], field: string, resolve: (item: string) => string | null): string[] {
  const ids = items.map((item) => {
    const id = resolve(item);
    if (!id) throw new UserError({ key: 'proposals.unknownRef', params: { field, value: quote(item, 80) } }, undefined, field);
    return id;
  });
  return [...new Set(ids)];
}

/** A person or organisation, by id or name. */
const actorId = (kb: KnowledgeBase) => (a: string) => {
  const id = a.toLowerCase();
  if (kb.peopleById.has(id) || kb.organisationsById.has(id)) return id;
  return kb.resolveOrganisation(a)?.id ?? kb.resolvePerson(a)?.id ?? null;
};
const placeId = (kb: KnowledgeBase) => (p: string) => (kb.placesById.has(p.toLowerCase()) ? p.toLowerCase() : (kb.resolvePlace(p)?.id ?? null));
/** Topics as ids: lower-case words joined by dashes. */
const tagsOf = (text: string | undefined) =>
  listOf(text)
    .map((t) => slugOf(t, 40))
    .filter(Boolean);

function sourceOf(input: { source: string; publisher: string; title: string; published: string }) {
  return { url: input.source, publisher: input.publisher, title: input.title, published: input.published.trim() };
}

const troops = defineCommand({
  name: 'troops',
  description: 'Propose a new troop figure (an editor other than you approves it)',
  options: z.object({
    country: text('Whose forces, e.g. Italy'),
    count: z.coerce.number().int().min(0).describe('How many'),
    date: text('The day or month the figure holds for, e.g. 2026-11-20'),
    ...sourceOptions,
  }),
  form: { title: 'form.propose.troops', combine: [CITATION] },
  examples: ['propose troops country:Italy count:0 date:2026-11-20 source:https://example.org/a publisher:ANSA title:Withdrawal published:2026-11-21'],
  async handler(input, ctx) {
    const day = ctx.now().toISOString().slice(0, 10);
    const country = input.country.trim();
    const slug = country.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const entry = {
      id: `${slug}-${input.date.trim()}`,
      country,
      host: 'Niger',
      count: input.count,
      approximate: false,
      asOf: input.date.trim(),
      sources: [sourceId(input.publisher, input.published)],
      added: day,
    };
    const source = { url: input.source, publisher: input.publisher, title: input.title, published: input.published.trim() };
    return submit({ kind: 'deployments', entryId: null, entry, source, author: who(ctx) }, null, ctx);
  },
});

const correct = defineCommand({
  name: 'correct',
  description: 'Propose a corrected troop figure for an existing entry',
  options: z.object({
    id: text('The deployment id, e.g. france-2023-07'),
    count: z.coerce.number().int().min(0).describe('The corrected figure'),
    ...sourceOptions,
  }),
  form: { title: 'form.propose.correct', combine: [CITATION] },
  examples: ['propose correct id:france-2023-07 count:1400 source:https://example.org/a publisher:AFP title:Figures published:2026-11-21'],
  async handler(input, ctx) {
    const service = proposals(ctx);
    const id = input.id.trim().toLowerCase();
    const current = await service.currentEntry('deployments', id);
    if (!current) throw new UserError({ key: 'proposals.unknownEntry', params: { id: quote(input.id, 80) } });
    const cited = Array.isArray(current.sources) ? (current.sources as string[]) : [];
    const added = sourceId(input.publisher, input.published);
    const entry = { ...current, count: input.count, sources: cited.includes(added) ? cited : [...cited, added] };
    const source = { url: input.source, publisher: input.publisher, title: input.title, published: input.published.trim() };
    return submit({ kind: 'deployments', entryId: id, entry, source, author: who(ctx) }, current, ctx);
  },
});

const event = defineCommand({
  name: 'event',
  description: 'Propose a dated event',
  options: z.object({
    date: text('The day (or month) it happened, e.g. 2026-11-20'),
    headline: text('What happened, in a short title'),
    summary: text('One to three sentences built only from the source'),
    tags: text('Topics, comma-separated, e.g. italy, withdrawal (default: the topics the headline names)').optional(),
    actors: text('Who acts in it, comma-separated person or organisation ids or names').optional(),
    places: text('Where, comma-separated place ids or names').optional(),
    ...sourceOptions,
  }),
  form: { title: 'form.propose.event', multiline: ['summary'], combine: [ABOUT, CITED], formOnly: true },
  examples: [
    'propose event date:2026-11-20 headline:Italy withdraws its last troops summary:Italy withdrew its last soldiers from Niger. tags:italy, withdrawal places:niamey source:https://example.org/a publisher:ANSA title:Withdrawal published:2026-11-21',
  ],
  async handler(input, ctx) {
    const { kb } = ctx;
    const date = input.date.trim();
    const headline = input.headline.trim();
    const tags = input.tags
      ? tagsOf(input.tags)
      : [
          ...new Set(
            headline
              .split(/\s+/)
              .map((w) => kb.resolveTag(w))
              .filter((t): t is string => t !== null),
          ),
        ];
    if (tags.length === 0) throw new UserError({ key: 'proposals.event.noTags' }, undefined, 'tags');
    const actors = idsOf(listOf(input.actors), 'actors', actorId(kb));
    const places = idsOf(listOf(input.places), 'places', placeId(kb));
    const entry = {
      // The date slugged: a malformed one is then refused as the date, not as the id it is part of.
      id: `${slugOf(headline) || 'event'}-${slugOf(date)}`,
      date,
      title: headline,
      summary: input.summary.trim(),
      tags,
      ...(actors.length ? { actors } : {}),
      ...(places.length ? { places } : {}),
      sources: [sourceId(input.publisher, input.published)],
      added: ctx.now().toISOString().slice(0, 10),
    };
    return submit({ kind: 'events', entryId: null, entry, source: sourceOf(input), author: who(ctx) }, null, ctx);
  },
});

/** Correcting an event: its id and the fields that change; where five inputs is all, date and lists share one. */
const EVENT_FACTS = { name: 'facts', label: 'form.field.facts', fields: ['date', 'tags', 'actors', 'places'], separator: '|' };

const correctEvent = defineCommand({
  name: 'correct-event',
  description: 'Correct an event: only the fields that change',
  options: z.object({
    id: text('The event id, e.g. ouallam-camp-set-up-2022-07'),
    headline: text('The corrected title').optional(),
    summary: text('The corrected summary, from the source only').optional(),
    date: text('The corrected day (or month)').optional(),
    tags: text('The topics, comma-separated (replaces them)').optional(),
    actors: text('Who acts in it, comma-separated ids or names (replaces them)').optional(),
    places: text('Where, comma-separated ids or names (replaces them)').optional(),
    ...sourceOptions,
  }),
  form: { title: 'form.propose.correctEvent', multiline: ['summary'], combine: [CITED, EVENT_FACTS], formOnly: true },
  examples: [
    'propose correct-event id:ouallam-camp-set-up-2022-07 places:ouallam, niamey source:https://example.org/a publisher:AFP title:Camps published:2026-11-21',
  ],
  async handler(input, ctx) {
    const { kb } = ctx;
    const service = proposals(ctx);
    const id = input.id.trim().toLowerCase();
    const current = await service.currentEntry('events', id);
    if (!current) throw new UserError({ key: 'proposals.unknownEvent', params: { id: quote(input.id, 80) } }, undefined, 'id');
    const changes: Record<string, unknown> = {
      ...(input.date ? { date: input.date.trim() } : {}),
      ...(input.headline ? { title: input.headline.trim() } : {}),
      ...(input.summary ? { summary: input.summary.trim() } : {}),
      ...(input.tags ? { tags: tagsOf(input.tags) } : {}),
      ...(input.actors ? { actors: idsOf(listOf(input.actors), 'actors', actorId(kb)) } : {}),
      ...(input.places ? { places: idsOf(listOf(input.places), 'places', placeId(kb)) } : {}),
    };
    if (Object.keys(changes).length === 0) throw new UserError({ key: 'proposals.noChange' });
    const cited = Array.isArray(current.sources) ? (current.sources as string[]) : [];
    const added = sourceId(input.publisher, input.published);
    const entry = { ...current, ...changes, sources: cited.includes(added) ? cited : [...cited, added] };
    return submit({ kind: 'events', entryId: id, entry, source: sourceOf(input), author: who(ctx) }, current, ctx);
  },
});

const statement = defineCommand({
  name: 'statement',
  description: 'Propose a direct quote with its date',
  options: z.object({
    person: text('Who said it: a person id or name, e.g. Tiani'),
    date: text('The day (or month) it was said, e.g. 2026-11-20'),
    quote: text('The words, exactly as the source quotes them'),
    context: text('To whom, where and about what it was said, from the source'),
    ...sourceOptions,
  }),
  form: { title: 'form.propose.statement', multiline: ['quote', 'context'], combine: [CITED], formOnly: true },
  examples: [
    'propose statement person:Tiani date:2026-11-20 quote:Our soldiers will defend Niger. context:Tiani in a televised address on the withdrawal. source:https://example.org/a publisher:ORTN title:Address published:2026-11-21',
  ],
  async handler(input, ctx) {
    const { kb } = ctx;
    const [person] = idsOf([input.person.trim()], 'person', (p) => (kb.peopleById.has(p.toLowerCase()) ? p.toLowerCase() : (kb.resolvePerson(p)?.id ?? null)));
    const date = input.date.trim();
    const words = input.quote.trim();
    const entry = {
      id: `${person}-${slugOf(words, 40) || 'statement'}-${slugOf(date)}`,
      person: person!,
      date,
      quote: words,
      context: input.context.trim(),
      sources: [sourceId(input.publisher, input.published)],
      added: ctx.now().toISOString().slice(0, 10),
    };
    return submit({ kind: 'statements', entryId: null, entry, source: sourceOf(input), author: who(ctx) }, null, ctx);
  },
});

/** A place's country and kind share one input where five is all. */
const PLACE_WHAT = { name: 'what', label: 'form.field.what', fields: ['country', 'kind'], separator: '|' };

const place = defineCommand({
  name: 'place',
  description: 'Propose a place (a base, a town)',
  options: z.object({
    name: text('Its name, e.g. Agadez air base'),
    country: text('The country it is in, e.g. Niger'),
    kind: text('What it is, e.g. air base, town'),
    summary: text('One to three sentences built only from the source'),
    aliases: text('Other names, comma-separated').optional(),
    ...sourceOptions,
  }),
  form: { title: 'form.propose.place', multiline: ['summary'], combine: [CITED, PLACE_WHAT], formOnly: true },
  examples: [
    'propose place name:Dirkou air base country:Niger kind:air base summary:A military air base at Dirkou. source:https://example.org/a publisher:AFP title:Bases published:2026-11-21',
  ],
  async handler(input, ctx) {
    const name = input.name.trim();
    const country = ctx.kb.findCountry(input.country.trim());
    if (!country) throw new UserError({ key: 'proposals.unknownRef', params: { field: 'country', value: quote(input.country, 80) } }, undefined, 'country');
    const entry = {
      id: slugOf(name) || 'place',
      name,
      aliases: listOf(input.aliases),
      country: country.name,
      kind: input.kind.trim(),
      summary: input.summary.trim(),
      sources: [sourceId(input.publisher, input.published)],
      added: ctx.now().toISOString().slice(0, 10),
    };
    return submit({ kind: 'places', entryId: null, entry, source: sourceOf(input), author: who(ctx) }, null, ctx);
  },
});

/** Where five inputs is all, an organisation's name and acronym share one, and its French and German names another. */
const IDENTITY = { name: 'identity', label: 'form.field.identity', fields: ['name', 'acronym'], separator: '|' };
const ABROAD = { name: 'abroad', label: 'form.field.abroad', fields: ['french', 'german'], separator: '|' };

const organisation = defineCommand({
  name: 'organisation',
  description: 'Propose an organisation, force or mission',
  options: z.object({
    name: text('Its name in English, e.g. Economic Community of West African States'),
    acronym: text('Its acronym, e.g. ECOWAS').optional(),
    kind: text('What it is, e.g. regional bloc, military mission'),
    description: text('One to three sentences built only from the source'),
    french: text('Its names in French, comma-separated (default: the English name)').optional(),
    german: text('Its names in German, comma-separated (default: the English name)').optional(),
    ...sourceOptions,
  }),
  form: { title: 'form.propose.organisation', multiline: ['description'], combine: [CITED, ABROAD, IDENTITY], formOnly: true },
  examples: [
    'propose organisation name:Alliance of Sahel States acronym:AES kind:confederation description:A confederation of Mali, Burkina Faso and Niger. french:Alliance des États du Sahel source:https://example.org/a publisher:AFP title:AES published:2026-11-21',
  ],
  async handler(input, ctx) {
    const name = input.name.trim();
    const acronym = input.acronym?.trim();
    // What users type: the acronym and the name in every language; French and German as given, else the English.
    const namesIn = (given: string | undefined) => [...new Set([...(acronym ? [acronym] : []), ...(given ? listOf(given) : [name])])];
    const entry = {
      id: slugOf(acronym || name) || 'organisation',
      ...(acronym ? { acronym } : {}),
      name,
      names: { en: namesIn(undefined), fr: namesIn(input.french), de: namesIn(input.german) },
      kind: input.kind.trim(),
      description: input.description.trim(),
      sources: [sourceId(input.publisher, input.published)],
      added: ctx.now().toISOString().slice(0, 10),
    };
    return submit({ kind: 'organisations', entryId: null, entry, source: sourceOf(input), author: who(ctx) }, null, ctx);
  },
});

/** Where five inputs is all, a term's holder and title share one, its two days another, and how it began and ended a third. */
const HOLDER = { name: 'holding', label: 'form.field.holding', fields: ['holder', 'role'], separator: '|' };
const SPAN = { name: 'span', label: 'form.field.span', fields: ['start', 'end'], separator: '|' };
const HOW = { name: 'how', label: 'form.field.how', fields: ['began', 'ended'], separator: '|' };

/** The stored office (as data/ writes it) whose terms a proposal changes. */
async function storedOffice(ctx: CommandContext, officeId: string): Promise<{ current: Record<string, unknown>; terms: RawTerm[] }> {
  const current = await proposals(ctx).currentEntry('offices', officeId);
  if (!current || !Array.isArray(current.terms))
    throw new UserError({ key: 'proposals.unknownRef', params: { field: 'office', value: quote(officeId, 80) } }, undefined, 'office');
  return { current, terms: current.terms as RawTerm[] };
}

const term = defineCommand({
  name: 'term',
  description: 'Propose a new term of an office: who holds it from when',
  options: z.object({
    office: text('The office: an id or a name, e.g. prime minister'),
    holder: text('Who holds it: a person id or name, e.g. Zeine').meta({ kind: 'person' }),
    role: text('The holder’s title in office (default: the office’s name)').optional(),
    start: text('The day the term began, YYYY-MM-DD'),
    began: text('How it began, from the source'),
    end: text('The day it ended, YYYY-MM-DD, if it has').optional(),
    ended: text('How it ended, from the source').optional(),
    ...sourceOptions,
  }),
  form: { title: 'form.propose.term', combine: [CITED, HOLDER, SPAN, HOW] },
  examples: [
    'propose term office:prime minister holder:Zeine start:2026-11-20 began:Reappointed by decree source:https://example.org/a publisher:ORTN title:Decree published:2026-11-21',
  ],
  async handler(input, ctx) {
    const { kb } = ctx;
    const office = resolveOffice(kb, input.office);
    if (!office) throw new UserError({ key: 'proposals.unknownRef', params: { field: 'office', value: quote(input.office, 80) } }, undefined, 'office');
    const person = holderOf(kb, input.holder);
    const start = dayOf(input.start, 'start', ctx);
    const end = input.end ? dayOf(input.end, 'end', ctx) : undefined;
    const { current, terms } = await storedOffice(ctx, office.id);
    const cited = sourceId(input.publisher, input.published);
    const added: RawTerm = {
      id: newTermId(kb, office, person, start),
      person,
      title: input.role?.trim() || office.name,
      start,
      began: input.began.trim(),
      ...(end ? { end } : {}),
      ...(input.ended ? { ended: input.ended.trim() } : {}),
      sources: [cited],
      added: ctx.now().toISOString().slice(0, 10),
    };
    const entry = { ...current, terms: withNewTerm(terms, added, cited).map(inTermOrder) };
    checkProposedOffice(kb, entry, cited);
    return submit({ kind: 'offices', entryId: office.id, entry, source: sourceOf(input), author: who(ctx) }, current, ctx);
  },
});

const correctTerm = defineCommand({
  name: 'correct-term',
  description: 'Correct a term of an office: only the fields that change',
  options: z.object({
    id: text('The term id, e.g. ali-mahaman-lamine-zeine-prime-minister'),
    holder: text('The corrected holder: a person id or name').meta({ kind: 'person' }).optional(),
    role: text('The corrected title in office').optional(),
    start: text('The corrected start, YYYY-MM-DD').optional(),
    end: text('The day it ended, YYYY-MM-DD').optional(),
    began: text('How it began, from the source').optional(),
    ended: text('How it ended, from the source').optional(),
    ...sourceOptions,
  }),
  form: { title: 'form.propose.correctTerm', combine: [CITED, HOLDER, SPAN, HOW] },
  examples: [
    'propose correct-term id:ali-mahaman-lamine-zeine-prime-minister end:2026-11-20 ended:Dismissed by decree source:https://example.org/a publisher:ORTN title:Decree published:2026-11-21',
  ],
  async handler(input, ctx) {
    const { kb } = ctx;
    const id = input.id.trim().toLowerCase();
    const office = kb.offices().find((o) => o.terms.some((t) => t.id === id));
    if (!office) throw new UserError({ key: 'proposals.unknownTerm', params: { id: quote(input.id, 80) } }, undefined, 'id');
    const changes: Record<string, unknown> = {
      ...(input.holder ? { person: holderOf(kb, input.holder) } : {}),
      ...(input.role ? { title: input.role.trim() } : {}),
      ...(input.start ? { start: dayOf(input.start, 'start', ctx) } : {}),
      ...(input.end ? { end: dayOf(input.end, 'end', ctx) } : {}),
      ...(input.began ? { began: input.began.trim() } : {}),
      ...(input.ended ? { ended: input.ended.trim() } : {}),
    };
    if (Object.keys(changes).length === 0) throw new UserError({ key: 'proposals.term.noChange' });
    const { current, terms } = await storedOffice(ctx, office.id);
    const cited = sourceId(input.publisher, input.published);
    const corrected = terms.map((t): RawTerm => {
      if (t.id !== id) return t;
      const sources = t.sources ?? [];
      return { ...t, ...changes, sources: sources.includes(cited) ? sources : [...sources, cited] };
    });
    // A corrected start may move the term: data/ keeps them oldest first (answers read the last as the newest).
    const entry = { ...current, terms: (changes.start ? oldestFirst(corrected) : corrected).map(inTermOrder) };
    checkProposedOffice(kb, entry, cited);
    return submit({ kind: 'offices', entryId: office.id, entry, source: sourceOf(input), author: who(ctx) }, current, ctx);
  },
});

export default defineGroup({
  name: 'propose',
  description: 'Propose a change to the knowledge base, with its source, for an editor to approve',
  formChoice: 'form.propose.title',
  audience: 'editors',
  subcommands: [troops, correct, event, correctEvent, statement, place, organisation, term, correctTerm],
});
