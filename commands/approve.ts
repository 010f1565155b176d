import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { entryBefore, proposalFields, proposals, refused, who } from './_proposals.ts';

export default defineCommand({
  name: 'approve',
  description: 'Editors: approve a pending proposal of someone else; it is recorded as a new revision',
  options: z.object({ id: z.string().min(1).max(40).describe('The proposal id, e.g. P-7KQ2MX').meta({ kind: 'text' }) }),
  preconditions: [{ name: 'editor', refusal: 'proposals.permission.approve' }],
  audience: 'editors',
  examples: ['approve P-7KQ2MX'],
  async handler(input, ctx) {
    const service = proposals(ctx);
    const id = input.id.trim().toUpperCase();
    const before = await entryBefore(service, id);
    const p = await refused(() => service.approve(id, who(ctx)));
    return reply({
      command: 'approve',
      kind: 'admin',
      lang: ctx.lang,
      title: ctx.t('approve.title', { id: p.id }),
      body: ctx.t('approve.body', { revision: p.revision ?? 0, kind: p.kind, entry: p.proposedId, author: p.author, editor: p.decidedBy ?? '' }),
      fields: proposalFields(p, before, ctx),
      notes: [ctx.t('approve.dataNote')],
    });
  },
});
