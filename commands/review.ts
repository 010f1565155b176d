import { z } from 'zod';
import type { CommandContext } from '../src/core/command.ts';
import { defineCommand } from '../src/core/command.ts';
import type { FeedbackEntry } from '../src/core/feedback-port.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { formatDay } from '../src/knowledge/dates.ts';
import { proposals } from './_proposals.ts';

/** The newest "Not helpful" verdicts shown under the proposals: enough to act on, not the eval's whole list. */
export const REVIEW_FEEDBACK = 10;

/** What a reviewer recognises an entry by in the list: a troop figure by its count (its own message), others by their words. */
function gist(entry: Record<string, unknown>): string {
  const words = [entry.title, entry.quote, entry.name].find((v): v is string => typeof v === 'string');
  return words ? quote(words, 120) : '–';
}

export default defineCommand({
  name: 'review',
  description: 'Editors: pending proposals, then recent “Not helpful” feedback',
  options: z.object({}),
  preconditions: [{ name: 'editor', refusal: 'proposals.permission.review' }],
  audience: 'editors',
  examples: ['review'],
  async handler(_input, ctx) {
    const pending = await proposals(ctx).pending();
    const feedback = await notHelpful(ctx);
    const body = ctx.t('review.body', { count: pending.length });
    return reply({
      command: 'review',
      kind: 'admin',
      lang: ctx.lang,
      title: ctx.t('review.title'),
      body: feedback && feedback.length > 0 ? `${body}\n\n${ctx.t('review.feedback.body', { count: feedback.length })}` : body,
      items: [
        ...pending.map((p) =>
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
        ...(feedback ?? []).map((f) =>
          ctx.t('review.feedback.item', {
            question: quote(f.question, 160),
            answer: quote(firstLine(f.answer), 160),
            command: quote(f.command, 40),
            who: quote(`${f.platform}:${f.userId}`, 80),
            date: formatDay(f.at.toISOString().slice(0, 10), ctx.lang),
          }),
        ),
      ],
      notes: feedback === null ? [ctx.t('review.feedback.unavailable')] : [],
    });
  },
});

/**
 * The newest "Not helpful" presses (none without a feedback store). Null when the store could not be read: the
 * proposals are still shown, and the reply says the feedback is missing rather than that there is none.
 */
async function notHelpful(ctx: CommandContext): Promise<FeedbackEntry[] | null> {
  if (!ctx.services.feedback) return [];
  try {
    return await ctx.services.feedback.notHelpful(REVIEW_FEEDBACK);
  } catch (err) {
    ctx.log.warn({ err }, 'could not read the answers’ feedback for review');
    return null;
  }
}

/** The first line of what the answer said: its text as shown starts with its title, which mostly echoes the question. */
function firstLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines[1] ?? lines[0] ?? '';
}
