import { z } from 'zod';
import { defineCommand, defineGroup, type CommandContext } from '../src/core/command.ts';
import type { NewProposal, ProposalInfo } from '../src/core/proposals-port.ts';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { proposals, refused, reviewPost, who } from './_proposals.ts';

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

export default defineGroup({
  name: 'propose',
  description: 'Propose a change to the knowledge base, with its source, for an editor to approve',
  formChoice: 'form.propose.title',
  subcommands: [troops, correct],
});
