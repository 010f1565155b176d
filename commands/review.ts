import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { proposals } from './_proposals.ts';

export default defineCommand({
  name: 'review',
  description: 'Editors: the pending proposals, oldest first',
  options: z.object({}),
  preconditions: [{ name: 'editor', refusal: 'proposals.permission.review' }],
  examples: ['review'],
  async handler(_input, ctx) {
    const pending = await proposals(ctx).pending();
    return reply({
      command: 'review',
      kind: 'admin',
      lang: ctx.lang,
      title: ctx.t('review.title'),
      body: ctx.t('review.body', { count: pending.length }),
      items: pending.map((p) =>
        ctx.t('review.item', {
          id: p.id,
          kind: p.kind,
          entry: p.proposedId,
          isNew: p.entryId === null ? 'yes' : 'no',
          count: String(p.entry.count ?? ''),
          author: quote(p.author, 80),
          publisher: quote(p.source.publisher, 80),
          title: quote(p.source.title, 120),
          published: p.source.published,
          url: quote(p.source.url, 200),
          hasDuplicate: p.duplicateOf ? 'yes' : 'no',
          duplicate: p.duplicateOf ?? '',
        }),
      ),
    });
  },
});
