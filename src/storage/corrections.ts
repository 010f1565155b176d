/**
 * What corrections need from the store (migration 9): the entries each post carried, and one claim row per
 * (post, approved proposal) so the threaded correction under that post goes out once across instances.
 */

/** As the store's drivers take them (kept here so this file imports nothing of the store's). */
interface Statement {
  sql: string;
  params: unknown[];
}

import type { CarriedPost } from '../core/delivery.ts';

export type { CarriedPost };

export type PostRef = Omit<CarriedPost, 'entryKeys' | 'kind' | 'threadOf'> & { threadOf: string | null };

/** One correction: the post it goes under and the approval it reports. */
export interface CorrectionKey {
  platform: string;
  channelId: string;
  messageId: string;
  proposalId: string;
}

export type CorrectionStatus = 'pending' | 'claimed' | 'sent' | 'failed';

export interface CorrectionClaim extends CorrectionKey {
  /** Where the reply goes: the post's thread, else (null) under the post. */
  threadOf: string | null;
  workspaceId: string | null;
  lang: string;
  status: CorrectionStatus;
  owner: string | null;
  leaseUntil: number;
  attempts: number;
  /** Set once a post was attempted: from then on the claim is never posted again (the platform may hold it). */
  postStartedAt: number | null;
  replyId: string | null;
  reason: string | null;
}

/** An approved proposal, as far as a correction needs it. */
export interface ApprovedChange {
  id: string;
  kind: string;
  /** The entry corrected; null for a new entry (which may supersede older ones, as a newer troop figure does). */
  entryId: string | null;
  proposedId: string;
  entry: Record<string, unknown>;
  /** The revision the approval superseded (what the corrected entry said before), or null for a new entry. */
  previous: Record<string, unknown> | null;
  source: { url: string; publisher: string; title: string; published: string };
  decidedAt: number;
}

export type CorrectionOutcome =
  | { status: 'sent'; replyId: string; reason: string | null }
  | { status: 'failed'; reason: string }
  /** Known not posted (refused, rate limited): due again at `retryAt`, for any instance. */
  | { status: 'pending'; reason: string; retryAt: number };

export interface CorrectionStore {
  recordPost(post: CarriedPost): Promise<void>;
  approvedSince(since: number): Promise<ApprovedChange[]>;
  /** Posts carrying any of the entries, posted within [from, until]. */
  postsCarrying(entryKeys: string[], from: number, until: number): Promise<PostRef[]>;
  /** Inserts the claims not there yet; returns how many were new. */
  enqueueCorrections(items: { post: PostRef; proposalId: string }[], now: number): Promise<number>;
  /** Claims due now: pending ones whose time came, and claimed ones whose holder's lease ran out. */
  dueCorrections(now: number, platforms: readonly string[], limit: number): Promise<CorrectionClaim[]>;
  /** Takes a due claim whose post never started; null when another instance took it first. */
  takeCorrection(key: CorrectionKey, owner: string, leaseUntil: number, now: number): Promise<CorrectionClaim | null>;
  /** A claim whose post started under a holder that vanished: failed, never posted again. True when this call ended it. */
  abandonCorrection(key: CorrectionKey, reason: string, now: number): Promise<boolean>;
  /** Marks the post as starting, while `owner` holds the claim; false: it was lost, do not post. */
  startCorrection(key: CorrectionKey, owner: string, leaseUntil: number, now: number): Promise<boolean>;
  /** The outcome and its delivery-log line in one transaction, only while `owner` holds the claim. */
  finishCorrection(key: CorrectionKey, owner: string, outcome: CorrectionOutcome, now: number): Promise<boolean>;
}

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
type Batch = (statements: Statement[]) => Promise<Record<string, unknown>[][]>;

const CLAIM_COLUMNS =
  'platform, channel_id, message_id, proposal_id, thread_of, workspace_id, lang, status, owner, lease_until, attempts, post_started_at, reply_id, reason';
const KEY_MATCH = 'platform = ? AND channel_id = ? AND message_id = ? AND proposal_id = ?';
const keyParams = (k: CorrectionKey) => [k.platform, k.channelId, k.messageId, k.proposalId];
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toClaim(r: Record<string, unknown>): CorrectionClaim {
  return {
    platform: String(r.platform),
    channelId: String(r.channel_id),
    messageId: String(r.message_id),
    proposalId: String(r.proposal_id),
    threadOf: strOrNull(r.thread_of),
    workspaceId: strOrNull(r.workspace_id),
    lang: String(r.lang),
    status: String(r.status) as CorrectionStatus,
    owner: strOrNull(r.owner),
    leaseUntil: Number(r.lease_until),
    attempts: Number(r.attempts),
    postStartedAt: r.post_started_at === null || r.post_started_at === undefined ? null : Number(r.post_started_at),
    replyId: strOrNull(r.reply_id),
    reason: strOrNull(r.reason),
  };
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The day a correction is logged under in digest_log (whose rows are keyed by a local date). */
const logDay = (now: number) => new Date(now).toISOString().slice(0, 10);

export class SqlCorrectionStore implements CorrectionStore {
  constructor(
    private readonly query: Query,
    private readonly batch: Batch,
  ) {}

  async recordPost(p: CarriedPost): Promise<void> {
    const keys = [...new Set(p.entryKeys)];
    if (keys.length === 0) return;
    await this.batch(
      keys.map((key) => ({
        sql: `INSERT INTO post_entries (platform, channel_id, message_id, entry_key, thread_of, workspace_id, post_kind, lang, posted_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        params: [p.platform, p.channelId, p.messageId, key, p.threadOf ?? null, p.workspaceId, p.kind, p.lang, p.postedAt],
      })),
    );
  }

  async approvedSince(since: number): Promise<ApprovedChange[]> {
    // The revision before the one the approval recorded: a correction says what changed.
    const rows = await this.query(
      `SELECT p.id, p.kind, p.entry_id, p.proposed_id, p.entry, prev.entry AS previous, p.source_url, p.source_publisher, p.source_title,
              p.source_published, p.decided_at
       FROM knowledge_proposals p
       LEFT JOIN knowledge_revisions prev ON prev.kind = p.kind AND prev.entry_id = p.proposed_id AND prev.revision = p.revision - 1
       WHERE p.status = 'approved' AND p.decided_at >= ? ORDER BY p.decided_at, p.id`,
      [since],
    );
    return rows.map((r) => ({
      id: String(r.id),
      kind: String(r.kind),
      entryId: strOrNull(r.entry_id),
      proposedId: String(r.proposed_id),
      entry: JSON.parse(String(r.entry)) as Record<string, unknown>,
      previous: r.previous === null || r.previous === undefined ? null : (JSON.parse(String(r.previous)) as Record<string, unknown>),
      source: { url: String(r.source_url), publisher: String(r.source_publisher), title: String(r.source_title), published: String(r.source_published) },
      decidedAt: Number(r.decided_at),
    }));
  }

  async postsCarrying(entryKeys: string[], from: number, until: number): Promise<PostRef[]> {
    if (entryKeys.length === 0) return [];
    const rows = await this.query(
      `SELECT platform, channel_id, message_id, MIN(thread_of) AS thread_of, MIN(workspace_id) AS workspace_id, MIN(lang) AS lang, MIN(posted_at) AS posted_at
       FROM post_entries WHERE entry_key IN (${marks(entryKeys.length)}) AND posted_at >= ? AND posted_at <= ?
       GROUP BY platform, channel_id, message_id ORDER BY platform, channel_id, message_id`,
      [...entryKeys, from, until],
    );
    return rows.map((r) => ({
      platform: String(r.platform),
      channelId: String(r.channel_id),
      messageId: String(r.message_id),
      threadOf: strOrNull(r.thread_of),
      workspaceId: strOrNull(r.workspace_id),
      lang: String(r.lang),
      postedAt: Number(r.posted_at),
    }));
  }

  async enqueueCorrections(items: { post: PostRef; proposalId: string }[], now: number): Promise<number> {
    if (items.length === 0) return 0;
    const results = await this.batch(
      items.map(({ post, proposalId }) => ({
        sql: `INSERT INTO correction_claims (platform, channel_id, message_id, proposal_id, thread_of, workspace_id, lang, status, lease_until, created_at, updated_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT DO NOTHING RETURNING proposal_id`,
        params: [post.platform, post.channelId, post.messageId, proposalId, post.threadOf, post.workspaceId, post.lang, now, now, now],
      })),
    );
    return results.reduce((n, rows) => n + rows.length, 0);
  }

  async dueCorrections(now: number, platforms: readonly string[], limit: number): Promise<CorrectionClaim[]> {
    if (platforms.length === 0) return [];
    const rows = await this.query(
      `SELECT ${CLAIM_COLUMNS} FROM correction_claims
       WHERE status IN ('pending', 'claimed') AND lease_until <= ? AND platform IN (${marks(platforms.length)})
       ORDER BY lease_until LIMIT ?`,
      [now, ...platforms, limit],
    );
    return rows.map(toClaim);
  }

  async takeCorrection(key: CorrectionKey, owner: string, leaseUntil: number, now: number): Promise<CorrectionClaim | null> {
    // Conditional on the row still being free: of two instances, the second's update finds it claimed and changes nothing.
    const rows = await this.query(
      `UPDATE correction_claims SET status = 'claimed', owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
       WHERE ${KEY_MATCH} AND status IN ('pending', 'claimed') AND lease_until <= ? AND post_started_at IS NULL
       RETURNING ${CLAIM_COLUMNS}`,
      [owner, leaseUntil, now, ...keyParams(key), now],
    );
    return rows.length ? toClaim(rows[0]!) : null;
  }

  async abandonCorrection(key: CorrectionKey, reason: string, now: number): Promise<boolean> {
    const [rows] = await this.batch([
      {
        sql: `UPDATE correction_claims SET status = 'failed', owner = NULL, reason = ?, updated_at = ?
              WHERE ${KEY_MATCH} AND status = 'claimed' AND lease_until <= ? AND post_started_at IS NOT NULL RETURNING proposal_id`,
        params: [reason, now, ...keyParams(key), now],
      },
      this.logLine(key, 'failed', reason, null, null, now, true),
    ]);
    return rows!.length > 0;
  }

  async startCorrection(key: CorrectionKey, owner: string, leaseUntil: number, now: number): Promise<boolean> {
    const rows = await this.query(
      `UPDATE correction_claims SET post_started_at = ?, lease_until = ?, updated_at = ?
       WHERE ${KEY_MATCH} AND status = 'claimed' AND owner = ? AND post_started_at IS NULL RETURNING proposal_id`,
      [now, leaseUntil, now, ...keyParams(key), owner],
    );
    return rows.length > 0;
  }

  async finishCorrection(key: CorrectionKey, owner: string, outcome: CorrectionOutcome, now: number): Promise<boolean> {
    const update: Statement =
      outcome.status === 'pending'
        ? {
            sql: `UPDATE correction_claims SET status = 'pending', owner = NULL, post_started_at = NULL, lease_until = ?, reason = ?, updated_at = ?
                  WHERE ${KEY_MATCH} AND status = 'claimed' AND owner = ? RETURNING proposal_id`,
            params: [outcome.retryAt, outcome.reason, now, ...keyParams(key), owner],
          }
        : {
            sql: `UPDATE correction_claims SET status = ?, owner = NULL, reply_id = ?, reason = ?, updated_at = ?
                  WHERE ${KEY_MATCH} AND status = 'claimed' AND owner = ? RETURNING proposal_id`,
            params: [outcome.status, outcome.status === 'sent' ? outcome.replyId : null, outcome.reason, now, ...keyParams(key), owner],
          };
    const status = outcome.status === 'sent' ? 'corrected' : outcome.status === 'failed' ? 'failed' : 'retried';
    const replyId = outcome.status === 'sent' ? outcome.replyId : null;
    const [rows] = await this.batch([update, this.logLine(key, status, outcome.reason, replyId, owner, now, false)]);
    return rows!.length > 0;
  }

  /**
   * The delivery-log line of a correction, written only if the claim's update in the same transaction changed it
   * (so a lost claim logs nothing). `abandoned`: the update made the claim failed with no owner.
   */
  private logLine(
    key: CorrectionKey,
    status: string,
    reason: string | null,
    replyId: string | null,
    owner: string | null,
    now: number,
    abandoned: boolean,
  ): Statement {
    const what = `correction of proposal ${key.proposalId} under message ${key.messageId}`;
    const fullReason = reason ? `${what}: ${reason}` : what;
    return {
      sql: `INSERT INTO digest_log (platform, channel_id, local_date, at, status, reason, message_id, instance)
            SELECT ?, ?, ?, CAST(? AS BIGINT), ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM correction_claims WHERE ${KEY_MATCH} AND updated_at = ? AND ${
              abandoned ? "status = 'failed' AND owner IS NULL" : 'owner IS NULL'
            })`,
      params: [key.platform, key.channelId, logDay(now), now, status, fullReason, replyId, owner, ...keyParams(key), now],
    };
  }
}
