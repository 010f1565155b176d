import type { CommandContext } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { ProposalRefused, type ProposalInfo, type ProposalService } from '../src/core/proposals-port.ts';
import { reply, type Reply, type ReplyField } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';

/** The proposals port, or the refusal a bot without a database gives. */
export function proposals(ctx: CommandContext): ProposalService {
  const service = ctx.services.proposals;
  if (!service) throw new UserError({ key: 'proposals.unavailable' }, { key: 'proposals.unavailable.hint' });
  return service;
}

/** Who the caller is in proposals: "platform:user". */
export function who(ctx: CommandContext): string {
  return `${ctx.caller.platform}:${ctx.caller.userId}`;
}

/** Runs a port call; a refusal becomes a user error quoting the store's message (it may hold what was typed). */
export async function refused<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProposalRefused) throw new UserError({ key: 'proposals.refused', params: { message: quote(err.message, 300) } }, undefined, err.field);
    throw err;
  }
}

/** Fields of an entry that say nothing to a reviewer (the day it was added is the store's). */
const QUIET_FIELDS = new Set(['added']);

function shown(value: unknown): string {
  if (value === undefined || value === null) return '–';
  return quote(typeof value === 'string' ? value : JSON.stringify(value), 200);
}

type Item = Record<string, unknown> & { id: string };

/** A list of entries with ids (an office's terms): compared item by item, not as one long value. */
function itemsById(value: unknown): Map<string, Item> | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  if (!value.every((v) => v !== null && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string')) return null;
  return new Map((value as Item[]).map((v) => [v.id, v]));
}

/**
 * Each field that differs, before → after. Lists of items with ids are gone into: an office correction shows
 * `terms.<term id>.end: – → 2026-11-20` for the one term it ends, and each field of a term it adds, rather than the
 * whole list of terms twice (cut at 200 characters, the change would not even show).
 */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>, prefix: string, ctx: CommandContext): string[] {
  const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])].filter((k) => !QUIET_FIELDS.has(k));
  return keys.flatMap((k) => {
    const field = `${prefix}${k}`;
    if (JSON.stringify(before[k]) === JSON.stringify(after[k])) return [];
    const was = itemsById(before[k]);
    const now = itemsById(after[k]);
    if (!was || !now) return [ctx.t('review.post.change', { field, before: shown(before[k]), after: shown(after[k]) })];
    return [...new Set([...now.keys(), ...was.keys()])].flatMap((id) => {
      const old = was.get(id);
      const item = now.get(id);
      if (old && item) return changedFields(old, item, `${field}.${id}.`, ctx);
      if (item) {
        return Object.keys(item)
          .filter((f) => !QUIET_FIELDS.has(f) && f !== 'id')
          .map((f) => ctx.t('review.post.change', { field: `${field}.${id}.${f}`, before: shown(undefined), after: shown(item[f]) }));
      }
      return [ctx.t('review.post.change', { field: `${field}.${id}`, before: shown(old), after: shown(undefined) })];
    });
  });
}

/**
 * What a reviewer must see of a proposal: each field it changes, before → after (a new entry: every field), and its
 * source. What the proposer typed is quoted (cleaned, cut); each adapter escapes it for its platform.
 */
export function proposalFields(p: ProposalInfo, before: Record<string, unknown> | null, ctx: CommandContext): ReplyField[] {
  const changes = before
    ? changedFields(before, p.entry, '', ctx)
    : Object.keys(p.entry)
        .filter((k) => !QUIET_FIELDS.has(k))
        .map((k) => ctx.t('review.post.value', { field: k, value: shown(p.entry[k]) }));
  return [
    { name: ctx.t(before ? 'review.post.changes' : 'review.post.entry'), value: changes.join('\n') || ctx.t('review.post.noChange') },
    {
      name: ctx.t('review.post.source'),
      value: ctx.t('review.post.sourceValue', {
        publisher: quote(p.source.publisher, 80),
        title: quote(p.source.title, 120),
        published: p.source.published,
        url: quote(p.source.url, 300),
      }),
    },
  ];
}

/** The post editors review a new proposal by, with Approve and Reject buttons (the presser must be another editor). */
export function reviewPost(p: ProposalInfo, before: Record<string, unknown> | null, ctx: CommandContext): Reply {
  return reply({
    command: 'propose',
    kind: 'admin',
    lang: ctx.lang,
    title: ctx.t('review.post.title', { id: p.id, isNew: p.entryId === null ? 'yes' : 'no', kind: p.kind, entry: p.proposedId }),
    body: ctx.t('review.post.body', { author: quote(p.author, 80) }),
    fields: proposalFields(p, before, ctx),
    notes: p.duplicateOf ? [ctx.t('propose.duplicate', { other: p.duplicateOf })] : [],
    actions: [
      { label: ctx.t('review.action.approve'), style: 'primary', command: 'approve', options: { id: p.id }, replaces: true },
      { label: ctx.t('review.action.reject'), style: 'danger', command: 'reject', options: { id: p.id }, form: true, replaces: true },
    ],
  });
}

/** The entry a pending proposal would change, as it is now (null for a new entry or an unknown proposal). */
export async function entryBefore(service: ProposalService, id: string): Promise<Record<string, unknown> | null> {
  const p = (await service.pending()).find((x) => x.id === id);
  return p?.entryId ? service.currentEntry(p.kind, p.entryId) : null;
}
