import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { proposals, refused, who } from './_proposals.ts';

export default defineCommand({
  name: 'withdraw',
  description: 'Take back a pending proposal of yours',
  options: z.object({ id: z.string().min(1).max(40).describe('The proposal id, e.g. P-7KQ2MX').meta({ kind: 'text' }) }),
  examples: ['withdraw P-7KQ2MX'],
  audience: 'editors',
  async handler(input, ctx) {
    const service = proposals(ctx);
    const p = await refused(() => service.withdraw(input.id.trim().toUpperCase(), who(ctx)));
    return reply({
      command: 'withdraw',
      kind: 'admin',
      lang: ctx.lang,
      title: ctx.t('withdraw.title', { id: p.id }),
      body: ctx.t('withdraw.body', { id: p.id }),
    });
  },
});
