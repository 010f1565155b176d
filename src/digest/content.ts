import { adjective, describeFigure, describeSpan } from '../../commands/_shared.ts';
import { describeEvent } from '../../commands/timeline.ts';
import { reply, type Reply, type ReplyField } from '../core/reply.ts';
import { formatDay } from '../knowledge/dates.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';

/** On a channel's first digest: this many of the newest events. */
export const FIRST_DIGEST_EVENTS = 5;
/** At most this many new events are listed; the rest are counted. */
export const MAX_DIGEST_EVENTS = 15;

export interface DigestInput {
  /** The channel-local date the digest is for (its title and the date staleness is measured on). */
  localDate: string;
  /** The watermark of the channel's previous digest (newest `added` it covered); null: first digest. */
  since: string | null;
}

export interface DigestContent {
  reply: Reply;
  /** The watermark to store once this digest is delivered. */
  watermark: string | null;
  /** How many events are new since the previous digest (first digest: how many are shown). */
  newEvents: number;
}

/**
 * Builds a channel's digest. The ONE function behind both `digest preview` and the delivery, so
 * a preview is exactly what will be posted. Deterministic: same knowledge base, same input, same Reply.
 */
export function buildDigest(kb: KnowledgeBase, input: DigestInput): DigestContent {
  const sourceName = (id: string) => kb.sourcesById.get(id)?.publisher ?? id;
  const sources: string[] = [];
  const fields: ReplyField[] = [];

  const current = kb.rulerTerms()[kb.rulerTerms().length - 1];
  if (current) {
    fields.push({
      name: 'Ruler of Niger',
      value: `${kb.rulerName(current)} — ${current.title}, since ${formatDay(current.start.start)}`,
    });
    sources.push(...current.sources);
  }
  for (const country of kb.countries()) {
    const history = kb.troopHistory(country);
    const newest = history[history.length - 1];
    if (!newest) continue;
    fields.push({
      name: `${adjective(kb, country)} troops`,
      value: `${describeFigure(newest, sourceName)} — as of ${describeSpan(newest.asOf, newest.until)}`,
      inline: true,
    });
    sources.push(...newest.sources, ...newest.alternatives.flatMap((a) => a.sources));
  }

  const first = input.since === null;
  const fresh = first ? kb.timeline({ order: 'newest', limit: FIRST_DIGEST_EVENTS }) : [...kb.eventsAddedSince(input.since!)].reverse();
  const shown = fresh.slice(0, MAX_DIGEST_EVENTS);
  for (const e of shown) sources.push(...e.sources);

  let body: string;
  const notes: string[] = [];
  if (first) {
    body = `Your first Niger Watch digest: the newest key figures and the ${shown.length} most recent events in the knowledge base. From tomorrow on, it lists what was added since the previous digest.`;
  } else if (fresh.length === 0) {
    body = 'The newest key figures.';
    notes.push(`Nothing new since the previous digest: no event was added after ${formatDay(input.since!)}.`);
  } else {
    body =
      `The newest key figures, and ${fresh.length} event(s) added to the knowledge base since the previous digest` +
      (fresh.length > shown.length ? ` (the ${shown.length} newest shown; use \`timeline\` for the rest).` : '.');
  }
  const stale = kb.stalenessNote(sources, input.localDate, 'these figures');
  if (stale) notes.push(stale);

  const watermark = kb.data.events.reduce<string | null>((max, e) => (max === null || e.added.start > max ? e.added.start : max), null);
  return {
    reply: reply({
      command: 'digest',
      title: `Niger Watch daily digest — ${formatDay(input.localDate)}`,
      body,
      fields,
      items: shown.map(describeEvent),
      notes,
      citations: kb.citations(sources),
      asOf: kb.newestFactDate(),
    }),
    watermark: watermark ?? input.since,
    newEvents: fresh.length,
  };
}
