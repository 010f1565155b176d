import { z } from 'zod';
import { defineCommand, type CommandContext } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import type { EntryRevisionInfo, RevisionService } from '../src/core/revisions-port.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatLocal } from '../src/knowledge/dates.ts';

const EXAMPLE = 'revisions france-2023-07';

function service(ctx: CommandContext): RevisionService {
  const revisions = ctx.services.revisions;
  if (!revisions) throw new UserError({ key: 'revisions.unavailable' }, { key: 'revisions.unavailable.hint' });
  return revisions;
}

function describe(r: EntryRevisionInfo, ctx: CommandContext): string {
  return ctx.t('revisions.item', {
    kind: r.kind,
    revision: r.revision,
    current: r.current ? 'yes' : 'no',
    // Recorded times are instants: shown in UTC, the same for every reader.
    recorded: formatLocal(r.recordedAt.getTime(), 'UTC', ctx.lang),
    author: r.author,
    hasApprover: r.approver ? 'yes' : 'no',
    approver: r.approver ?? '',
    hasSources: r.sources.length ? 'yes' : 'no',
    sources: r.sources.join(', '),
  });
}

export default defineCommand({
  name: 'revisions',
  description: 'Every revision of an entry: who wrote and approved it, when, and its sources',
  options: z.object({
    id: z.string().min(1).max(200).describe('The entry id, as data/ writes it, e.g. france-2023-07').meta({ kind: 'text' }),
  }),
  examples: [EXAMPLE, 'revisions id:coup-2023-07-26'],
  // Not cacheable: the history grows while the bot runs.
  async handler(input, ctx) {
    const revisions = service(ctx);
    const id = input.id.trim().toLowerCase();
    const wellFormed = /^[a-z0-9][a-z0-9-]*$/.test(id);
    let found = wellFormed ? await revisions.revisionsOf(id) : [];
    // An office term has no revisions of its own: it changes with its office, whose history is shown.
    const office = found.length === 0 && wellFormed ? await revisions.officeOfTerm(id) : null;
    if (office) found = await revisions.revisionsOf(office);
    if (found.length === 0) {
      throw new UserError({ key: 'revisions.unknown', params: { id: quote(input.id, 80) } }, { key: 'revisions.unknown.hint', params: { example: EXAMPLE } });
    }
    const kinds = [...new Set(found.map((r) => r.kind))];
    const citations = [...new Set(found.flatMap((r) => r.sources))].flatMap((s) => (ctx.kb.sourcesById.has(s) ? [ctx.kb.citation(s)] : []));
    return reply({
      command: 'revisions',
      kind: 'admin',
      lang: ctx.lang,
      title: ctx.t('revisions.title', { id: office ?? id }),
      body: ctx.t('revisions.body', { count: found.length, kinds: kinds.join(', ') }),
      items: found.map((r) => describe(r, ctx)),
      notes: office ? [ctx.t('revisions.termOf', { term: id, office })] : [],
      citations,
    });
  },
});
