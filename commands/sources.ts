import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { formatCitation } from '../src/core/render-text.ts';

export default defineCommand({
  name: 'sources',
  description: 'The sources the knowledge base cites, newest first, optionally filtered',
  options: z.object({
    search: z.string().max(100).optional().describe('Words in the publisher or title, e.g. AFP or Reuters').meta({ kind: 'text' }),
    limit: z.coerce.number().int().min(1).max(100).default(15).describe('How many (1–100, default 15)'),
  }),
  examples: ['sources', 'sources Reuters', 'sources search:AFP limit:5'],
  cacheable: true,
  handler(input, ctx) {
    const { kb } = ctx;
    const key = input.search?.trim() ?? '';
    const all = kb.searchSources(key);
    const shown = all.slice(0, input.limit);
    return reply({
      command: 'sources',
      lang: ctx.lang,
      title: key ? ctx.t('sources.title.search', { search: input.search! }) : ctx.t('sources.title'),
      body: all.length
        ? ctx.t('sources.some', { shown: shown.length, count: all.length })
        : ctx.t('sources.none', { search: input.search ?? '', count: kb.data.sources.length }),
      items: shown.map((s) => formatCitation(kb.citation(s.id))),
      answered: all.length > 0,
      asOf: null,
    });
  },
});
