import { reply, type Citation, type Reply } from '../../src/core/reply.ts';

/** A citation for renderer tests; a URL unless `url` is null. */
export function cite(publisher: string, title: string, published = '2024', url: string | null = `https://example.org/${publisher.length}`): Citation {
  return { sourceId: publisher, title, publisher, published, ...(url ? { url } : {}) };
}

/** A short troops answer carrying the given citations, as the renderers receive it. */
export function sourcedAnswer(citations: Citation[], asOf: string | null = null): Reply {
  return reply({ command: 'troops', title: 'French troops in Niger', body: 'About 1,500.', citations, asOf });
}
