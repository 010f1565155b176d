import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { proposalFields, proposals, refused, who } from './_proposals.ts';

export default defineCommand({
  name: 'reject',
  description: 'Editors: reject a pending proposal, saying why',
  options: z.object({
    id: z.string().min(1).max(40).describe('The proposal id, e.g. P-7KQ2MX').meta({ kind: 'text' }),
    reason: z.string().min(1).max(2000).describe('Why it is rejected').meta({ kind: 'text' }),
  }),
  preconditions: [{ name: 'editor', refusal: 'proposals.permission.reject' }],
  audience: 'editors',
  form: { title: 'form.reject', multiline: ['reason'] },
  examples: ['reject P-7KQ2MX reason:the article gives no figure'],
  async handler(input, ctx) {
    const service = proposals(ctx);
    const p = await refused(() => service.reject(input.id.trim().toUpperCase(), who(ctx), input.reason));
    return reply({
      command: 'reject',
      kind: 'admin',
      lang: ctx.lang,
      title: ctx.t('reject.title', { id: p.id }),
      body: ctx.t('reject.body', { id: p.id, reason: quote(p.reason ?? '', 300) }),
      fields: proposalFields(p, p.entryId ? await service.currentEntry(p.kind, p.entryId) : null, ctx),
    });
  },
});
