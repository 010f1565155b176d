import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { proposals } from './_proposals.ts';

/** What a reviewer recognises an entry by in the list: a troop figure by its count (its own message), others by their words. */
function gist(entry: Record<string, unknown>): string {
  const words = [entry.title, entry.quote, entry.name].find((v): v is string => typeof v === 'string');
  return words ? quote(words, 120) : '–';
}

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
        ctx.t(p.kind === 'deployments' ? 'review.item' : 'review.item.entry', {
          id: p.id,
          kind: p.kind,
          entry: p.proposedId,
          isNew: p.entryId === null ? 'yes' : 'no',
          count: String(p.entry.count ?? ''),
          summary: gist(p.entry),
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
