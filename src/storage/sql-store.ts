import type { DisabledChannel, InstallationKey, InstallationRecord } from '../core/installations.ts';
import { applyMigrations, RevisionConflict, StorageError, type Dialect, type MigrationTx } from './migrations.ts';
import { checkProposal, newProposalId, ProposalError, type ProposalInput, type ProposalRow, type ProposalStatus } from './proposals.ts';
import type { TokenCipher } from './token-cipher.ts';
import type {
  Advance,
  ChannelKey,
  ClaimKey,
  ClaimOutcome,
  ClaimRow,
  ClaimStatus,
  DigestStore,
  LogEntry,
  LogStatus,
  NewClaim,
  NewRevision,
  PostStart,
  ResultRecord,
  RevisionHead,
  RevisionRow,
  SubscriptionInput,
  SubscriptionRow,
  FeedbackRow,
} from './types.ts';
import { KNOWLEDGE_CHANNEL, SEED_AUTHOR } from './types.ts';
import { contentHash } from './seed.ts';
import { SqlCorrectionStore, type CarriedPost } from './corrections.ts';

/**
 * The little a database driver must offer. SQL is written once with `?` placeholders; the
 * PostgreSQL driver numbers them. Both dialects support ON CONFLICT … DO NOTHING / DO UPDATE,
 * RETURNING and partial indexes, so every statement below is shared.
 */
export interface Statement {
  sql: string;
  params: unknown[];
}

export interface SqlDriver {
  readonly dialect: Dialect;
  readonly description: string;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs the statements in order in one transaction (one commit); the rows of each. */
  batch(statements: Statement[]): Promise<Record<string, unknown>[][]>;
  /** Runs `fn` in one transaction that holds the migration lock. */
  migrate(fn: (tx: MigrationTx) => Promise<void>): Promise<void>;
  /** LISTEN on a notification channel with a connection of its own (PostgreSQL); see RevisionStore.watchKnowledge. */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toSubscription(r: Record<string, unknown>): SubscriptionRow {
  return {
    platform: String(r.platform),
    channelId: String(r.channel_id),
    workspaceId: strOrNull(r.workspace_id),
    time: String(r.time_of_day),
    timeZone: String(r.time_zone),
    active: num(r.active) === 1,
    disabledReason: strOrNull(r.disabled_reason),
    nextDueAt: numOrNull(r.next_due_at),
    nextLocalDate: strOrNull(r.next_local_date),
    watermark: strOrNull(r.watermark),
    lang: r.lang === null || r.lang === undefined ? 'en' : String(r.lang),
    createdBy: String(r.created_by),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

function toClaim(r: Record<string, unknown>): ClaimRow {
  return {
    platform: String(r.platform),
    channelId: String(r.channel_id),
    localDate: String(r.local_date),
    dueAt: num(r.due_at),
    status: String(r.status) as ClaimStatus,
    owner: strOrNull(r.owner),
    leaseUntil: num(r.lease_until),
    attempts: num(r.attempts),
    nonce: String(r.nonce),
    postStartedAt: numOrNull(r.post_started_at),
    messageId: strOrNull(r.message_id),
    reason: strOrNull(r.reason),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

function toLog(r: Record<string, unknown>): LogEntry {
  return {
    platform: String(r.platform),
    channelId: String(r.channel_id),
    localDate: String(r.local_date),
    at: num(r.at),
    status: String(r.status) as LogStatus,
    reason: strOrNull(r.reason),
    messageId: strOrNull(r.message_id),
    instance: strOrNull(r.instance),
  };
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** `n` VALUES rows of typed parameters: T text, B bigint (typed so PostgreSQL can compare them). */
function rows(n: number, types: string): string {
  const row = `(${[...types].map((t) => `CAST(? AS ${t === 'B' ? 'BIGINT' : 'TEXT'})`).join(', ')})`;
  return Array.from({ length: n }, () => row).join(', ');
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function insertClaimsStatement(claims: NewClaim[], now: number): Statement {
  return {
    sql: `INSERT INTO digest_claims (${CLAIM_COLUMNS}) VALUES ${claims.map(() => `(${placeholders(14)})`).join(', ')}
          ON CONFLICT (platform, channel_id, local_date) DO NOTHING
          RETURNING ${CLAIM_COLUMNS}`,
    params: claims.flatMap((c) => [
      c.platform,
      c.channelId,
      c.localDate,
      c.dueAt,
      c.status,
      c.owner,
      c.leaseUntil,
      c.status === 'claimed' ? 1 : 0,
      c.nonce,
      null,
      null,
      c.reason,
      now,
      now,
    ]),
  };
}

/** Conditional schedule moves: each row only from the next_due_at it was read at. */
function advanceStatement(items: Advance[], now: number): Statement {
  return {
    sql: `WITH v(platform, channel_id, from_due, next_due, next_date) AS (VALUES ${rows(items.length, 'TTBBT')})
          UPDATE digest_subscriptions SET next_due_at = v.next_due, next_local_date = v.next_date, updated_at = ?
          FROM v WHERE digest_subscriptions.platform = v.platform AND digest_subscriptions.channel_id = v.channel_id
            AND digest_subscriptions.active = 1 AND digest_subscriptions.next_due_at = v.from_due
          RETURNING digest_subscriptions.platform`,
    params: [...items.flatMap((a) => [a.platform, a.channelId, a.fromDueAt, a.nextDueAt, a.nextLocalDate]), now],
  };
}

const SUB_COLUMNS =
  'platform, channel_id, workspace_id, time_of_day, time_zone, active, disabled_reason, next_due_at, next_local_date, watermark, created_by, created_at, updated_at, lang';
const CLAIM_COLUMNS =
  'platform, channel_id, local_date, due_at, status, owner, lease_until, attempts, nonce, post_started_at, message_id, reason, created_at, updated_at';
const CLAIM_KEY = 'platform = ? AND channel_id = ? AND local_date = ?';

const OPEN = `status IN ('claimed', 'retrying')`;

const INSTALL_COLUMNS =
  'install_key, team_id, enterprise_id, is_enterprise_install, app_id, bot_user_id, bot_id, scopes, installation, installed_at, updated_at';

/** The row key of an installation: an org-wide install by its enterprise, any other by its workspace. */
export function installKey(key: InstallationKey): string {
  if (key.isEnterpriseInstall) {
    if (!key.enterpriseId) throw new StorageError('An org-wide Slack installation needs its enterprise id.');
    return `enterprise:${key.enterpriseId}`;
  }
  if (!key.teamId) throw new StorageError('A Slack installation needs its team id.');
  return `team:${key.teamId}`;
}

function toInstallation(r: Record<string, unknown>, secret: string): InstallationRecord {
  return {
    teamId: strOrNull(r.team_id),
    enterpriseId: strOrNull(r.enterprise_id),
    isEnterpriseInstall: num(r.is_enterprise_install) === 1,
    appId: strOrNull(r.app_id),
    botUserId: strOrNull(r.bot_user_id),
    botId: strOrNull(r.bot_id),
    scopes: String(r.scopes ?? '')
      .split(',')
      .filter(Boolean),
    secret,
  };
}

const REVISION_COLUMNS = 'kind, entry_id, revision, entry, content_hash, valid_from, recorded_at, author, approver, sources, position, superseded_by';

function toRevision(r: Record<string, unknown>): RevisionRow {
  return {
    kind: String(r.kind),
    entryId: String(r.entry_id),
    revision: num(r.revision),
    entry: JSON.parse(String(r.entry)) as Record<string, unknown>,
    contentHash: String(r.content_hash),
    validFrom: strOrNull(r.valid_from),
    recordedAt: num(r.recorded_at),
    author: String(r.author),
    approver: strOrNull(r.approver),
    sources: JSON.parse(String(r.sources)) as string[],
    position: numOrNull(r.position),
    supersededBy: numOrNull(r.superseded_by),
  };
}

const PROPOSAL_COLUMNS =
  'id, kind, entry_id, proposed_id, entry, content_hash, source_url, source_publisher, source_title, source_published, author, created_at, status, decided_by, decided_at, reason, duplicate_of, revision';

function toProposal(r: Record<string, unknown>): ProposalRow {
  return {
    id: String(r.id),
    kind: String(r.kind),
    entryId: strOrNull(r.entry_id),
    proposedId: String(r.proposed_id),
    entry: JSON.parse(String(r.entry)) as Record<string, unknown>,
    contentHash: String(r.content_hash),
    source: { url: String(r.source_url), publisher: String(r.source_publisher), title: String(r.source_title), published: String(r.source_published) },
    author: String(r.author),
    createdAt: num(r.created_at),
    status: String(r.status) as ProposalStatus,
    decidedBy: strOrNull(r.decided_by),
    decidedAt: numOrNull(r.decided_at),
    reason: strOrNull(r.reason),
    duplicateOf: strOrNull(r.duplicate_of),
    revision: numOrNull(r.revision),
  };
}

// Defined beside StorageError so the seed import can name it without importing the store (no import cycle).
export { RevisionConflict };

/** A unique or primary-key violation, in either dialect. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Expired seen ids are deleted at most this often: often enough to keep the table small, rarely enough to cost nothing. */
const SEEN_PURGE_EVERY_MS = 10 * 60_000;

export class SqlDigestStore implements DigestStore {
  readonly dialect: Dialect;
  readonly description: string;

  private nextSeenPurgeAt = 0;

  constructor(
    private readonly db: SqlDriver,
    /** Seals installations' tokens (TOKEN_ENCRYPTION_KEY); without it installations can be neither written nor read. */
    private readonly cipher?: TokenCipher,
  ) {
    this.dialect = db.dialect;
    this.description = db.description;
  }

  /** Posts' entries and correction claims (migration 9). */
  readonly corrections = new SqlCorrectionStore(
    (sql, params) => this.db.query(sql, params),
    (statements) => this.db.batch(statements),
  );

  recordPost(post: CarriedPost): Promise<void> {
    return this.corrections.recordPost(post);
  }

  private sealer(): TokenCipher {
    if (!this.cipher) throw new StorageError('Slack installations are stored encrypted: set TOKEN_ENCRYPTION_KEY.');
    return this.cipher;
  }

  /** Applies pending migrations; returns the versions applied by this call. */
  async migrate(now = Date.now()): Promise<number[]> {
    let applied: number[] = [];
    await this.db.migrate(async (tx) => {
      applied = await applyMigrations(tx, this.dialect, now);
    });
    return applied;
  }

  async migrations(): Promise<number[]> {
    const rows = await this.db.query('SELECT version FROM schema_migrations ORDER BY version');
    return rows.map((r) => num(r.version));
  }

  async putSubscription(s: SubscriptionInput, now: number): Promise<{ row: SubscriptionRow; created: boolean }> {
    const before = await this.getSubscription(s);
    const rows = await this.db.query(
      `INSERT INTO digest_subscriptions (${SUB_COLUMNS}) VALUES (${placeholders(14)})
       ON CONFLICT (platform, channel_id) DO UPDATE SET
         workspace_id = excluded.workspace_id, time_of_day = excluded.time_of_day, time_zone = excluded.time_zone,
         active = 1, disabled_reason = NULL, next_due_at = excluded.next_due_at,
         next_local_date = excluded.next_local_date, created_by = excluded.created_by, updated_at = excluded.updated_at,
         lang = excluded.lang
       RETURNING ${SUB_COLUMNS}`,
      [s.platform, s.channelId, s.workspaceId, s.time, s.timeZone, 1, null, s.nextDueAt, s.nextLocalDate, null, s.createdBy, now, now, s.lang ?? 'en'],
    );
    return { row: toSubscription(rows[0]!), created: !before?.active };
  }

  async getSubscription(key: ChannelKey): Promise<SubscriptionRow | null> {
    const rows = await this.db.query(`SELECT ${SUB_COLUMNS} FROM digest_subscriptions WHERE platform = ? AND channel_id = ?`, [key.platform, key.channelId]);
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  async listWorkspaceSubscriptions(platform: string, workspaceId: string, limit: number): Promise<SubscriptionRow[]> {
    const rows = await this.db.query(
      `SELECT ${SUB_COLUMNS} FROM digest_subscriptions WHERE platform = ? AND workspace_id = ?
       ORDER BY active DESC, channel_id LIMIT ?`,
      [platform, workspaceId, limit],
    );
    return rows.map(toSubscription);
  }

  /** Several subscriptions in one query (the scheduler's re-checks right before sending are coalesced). */
  async getSubscriptions(keys: ChannelKey[]): Promise<SubscriptionRow[]> {
    if (keys.length === 0) return [];
    const cols = SUB_COLUMNS.split(', ')
      .map((c) => `s.${c}`)
      .join(', ');
    const out: SubscriptionRow[] = [];
    for (const part of chunks(keys, 400)) {
      const found = await this.db.query(
        `WITH v(platform, channel_id) AS (VALUES ${rows(part.length, 'TT')})
         SELECT ${cols} FROM digest_subscriptions s JOIN v ON s.platform = v.platform AND s.channel_id = v.channel_id`,
        part.flatMap((k) => [k.platform, k.channelId]),
      );
      out.push(...found.map(toSubscription));
    }
    return out;
  }

  async deactivateSubscription(key: ChannelKey, reason: string, now: number): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE digest_subscriptions SET active = 0, disabled_reason = ?, next_due_at = NULL, next_local_date = NULL, updated_at = ?
       WHERE platform = ? AND channel_id = ? AND active = 1 RETURNING platform`,
      [reason, now, key.platform, key.channelId],
    );
    return rows.length > 0;
  }

  async listDue(now: number, platforms: readonly string[], limit: number): Promise<SubscriptionRow[]> {
    if (platforms.length === 0) return [];
    const rows = await this.db.query(
      `SELECT ${SUB_COLUMNS} FROM digest_subscriptions
       WHERE active = 1 AND next_due_at <= ? AND platform IN (${placeholders(platforms.length)})
       ORDER BY next_due_at, platform, channel_id LIMIT ?`,
      [now, ...platforms, limit],
    );
    return rows.map(toSubscription);
  }

  async advanceSubscription(key: ChannelKey, fromDueAt: number, nextDueAt: number, nextLocalDate: string, now: number): Promise<boolean> {
    return (await this.advanceSubscriptions([{ ...key, fromDueAt, nextDueAt, nextLocalDate }], now)) === 1;
  }

  async advanceSubscriptions(items: Advance[], now: number): Promise<number> {
    if (items.length === 0) return 0;
    const results = await this.db.batch(chunks(items, 400).map((part) => advanceStatement(part, now)));
    return results.reduce((n, rows) => n + rows.length, 0);
  }

  /**
   * Claims and schedule moves of one batch in ONE transaction: the claims first (every instance in
   * the same key order, so a second instance waits for the first to commit, then finds the rows
   * taken), then the conditional schedule moves. Returns the claims this call created.
   */
  async claimBatch(claims: NewClaim[], advances: Advance[], now: number): Promise<ClaimRow[]> {
    const claimParts = chunks(claims, 500);
    const statements = [...claimParts.map((part) => insertClaimsStatement(part, now)), ...chunks(advances, 400).map((part) => advanceStatement(part, now))];
    if (statements.length === 0) return [];
    const results = await this.db.batch(statements);
    return results.slice(0, claimParts.length).flat().map(toClaim);
  }

  async raiseWatermark(key: ChannelKey, watermark: string, now: number): Promise<void> {
    await this.recordResults([{ watermark: { key, value: watermark } }], now);
  }

  async insertClaim(c: NewClaim, now: number): Promise<ClaimRow | null> {
    return (await this.insertClaims([c], now))[0] ?? null;
  }

  async insertClaims(claims: NewClaim[], now: number): Promise<ClaimRow[]> {
    return this.claimBatch(claims, [], now);
  }

  async getClaim(key: ClaimKey): Promise<ClaimRow | null> {
    const rows = await this.db.query(`SELECT ${CLAIM_COLUMNS} FROM digest_claims WHERE ${CLAIM_KEY}`, [key.platform, key.channelId, key.localDate]);
    return rows[0] ? toClaim(rows[0]) : null;
  }

  async listExpiredClaims(now: number, platforms: readonly string[], limit: number): Promise<ClaimRow[]> {
    if (platforms.length === 0) return [];
    const rows = await this.db.query(
      `SELECT ${CLAIM_COLUMNS} FROM digest_claims
       WHERE ${OPEN} AND lease_until <= ? AND platform IN (${placeholders(platforms.length)})
       ORDER BY lease_until LIMIT ?`,
      [now, ...platforms, limit],
    );
    return rows.map(toClaim);
  }

  async takeOverClaim(key: ClaimKey, owner: string, leaseUntil: number, now: number): Promise<ClaimRow | null> {
    const rows = await this.db.query(
      `UPDATE digest_claims SET status = 'claimed', owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
       WHERE ${CLAIM_KEY} AND ${OPEN} AND lease_until <= ?
       RETURNING ${CLAIM_COLUMNS}`,
      [owner, leaseUntil, now, key.platform, key.channelId, key.localDate, now],
    );
    return rows[0] ? toClaim(rows[0]) : null;
  }

  async startPosts(items: PostStart[], now: number): Promise<boolean[]> {
    if (items.length === 0) return [];
    const started = new Set<string>();
    for (const part of chunks(items, 400)) {
      const found = await this.db.query(
        `WITH v(platform, channel_id, local_date, owner, lease_until) AS (VALUES ${rows(part.length, 'TTTTB')})
         UPDATE digest_claims SET post_started_at = COALESCE(digest_claims.post_started_at, ?), lease_until = v.lease_until, updated_at = ?
         FROM v WHERE digest_claims.platform = v.platform AND digest_claims.channel_id = v.channel_id
           AND digest_claims.local_date = v.local_date AND digest_claims.status = 'claimed' AND digest_claims.owner = v.owner
         RETURNING digest_claims.platform, digest_claims.channel_id, digest_claims.local_date`,
        [...part.flatMap((i) => [i.key.platform, i.key.channelId, i.key.localDate, i.owner, i.leaseUntil]), now, now],
      );
      for (const r of found) started.add(`${String(r.platform)}\u0000${String(r.channel_id)}\u0000${String(r.local_date)}`);
    }
    return items.map((i) => started.has(`${i.key.platform}\u0000${i.key.channelId}\u0000${i.key.localDate}`));
  }

  async renewUnstartedLeases(owner: string, leaseUntil: number, now: number): Promise<number> {
    const found = await this.db.query(
      `UPDATE digest_claims SET lease_until = ?, updated_at = ?
       WHERE status = 'claimed' AND owner = ? AND post_started_at IS NULL AND lease_until > ? AND lease_until < ?
       RETURNING platform`,
      [leaseUntil, now, owner, now, leaseUntil],
    );
    return found.length;
  }

  async releaseUnstarted(owner: string, reason: string, now: number): Promise<ClaimKey[]> {
    const found = await this.db.query(
      `UPDATE digest_claims SET status = 'retrying', owner = NULL, lease_until = ?, attempts = attempts - 1, reason = ?, updated_at = ?
       WHERE status = 'claimed' AND owner = ? AND post_started_at IS NULL
       RETURNING platform, channel_id, local_date`,
      [now, reason, now, owner],
    );
    return found.map((r) => ({ platform: String(r.platform), channelId: String(r.channel_id), localDate: String(r.local_date) }));
  }

  async finishClaim(key: ClaimKey, owner: string, outcome: ClaimOutcome, now: number): Promise<boolean> {
    return (await this.recordResults([{ claim: { key, owner, outcome } }], now))[0]!;
  }

  async appendLog(e: LogEntry): Promise<void> {
    await this.recordResults([{ log: e }], e.at);
  }

  async recordResults(records: ResultRecord[], now: number): Promise<boolean[]> {
    const finishes = records.filter((r) => r.claim).map((r) => r.claim!);
    const watermarks = records.filter((r) => r.watermark).map((r) => r.watermark!);
    const logs = records.filter((r) => r.log).map((r) => r.log!);
    // Each part: an optional VALUES list (named by the caller) and a data-modifying statement over it.
    interface Part {
      columns?: string;
      values?: string;
      valueParams?: unknown[];
      body: (v: string) => string;
      bodyParams: unknown[];
    }
    const parts: Part[] = [];
    if (finishes.length) {
      parts.push({
        columns: 'platform, channel_id, local_date, status, new_owner, message_id, reason, lease_until, owner',
        values: rows(finishes.length, 'TTTTTTTBT'),
        valueParams: finishes.flatMap(({ key, owner, outcome: o }) => {
          const retrying = o.status === 'retrying';
          return [
            key.platform,
            key.channelId,
            key.localDate,
            o.status,
            retrying ? null : owner,
            o.messageId ?? null,
            o.reason ?? null,
            retrying ? (o.leaseUntil ?? now) : now,
            owner,
          ];
        }),
        body: (v) => `UPDATE digest_claims SET status = ${v}.status, owner = ${v}.new_owner,
            message_id = COALESCE(${v}.message_id, digest_claims.message_id), reason = ${v}.reason, lease_until = ${v}.lease_until, updated_at = ?
          FROM ${v} WHERE digest_claims.platform = ${v}.platform AND digest_claims.channel_id = ${v}.channel_id
            AND digest_claims.local_date = ${v}.local_date AND digest_claims.status = 'claimed' AND digest_claims.owner = ${v}.owner
          RETURNING digest_claims.platform, digest_claims.channel_id, digest_claims.local_date`,
        bodyParams: [now],
      });
    }
    if (watermarks.length) {
      parts.push({
        columns: 'platform, channel_id, watermark',
        values: rows(watermarks.length, 'TTT'),
        valueParams: watermarks.flatMap((w) => [w.key.platform, w.key.channelId, w.value]),
        body: (v) => `UPDATE digest_subscriptions SET watermark = ${v}.watermark, updated_at = ?
          FROM ${v} WHERE digest_subscriptions.platform = ${v}.platform AND digest_subscriptions.channel_id = ${v}.channel_id
            AND (digest_subscriptions.watermark IS NULL OR digest_subscriptions.watermark < ${v}.watermark)`,
        bodyParams: [now],
      });
    }
    if (logs.length) {
      parts.push({
        body: () =>
          `INSERT INTO digest_log (platform, channel_id, local_date, at, status, reason, message_id, instance) VALUES ${logs.map(() => `(${placeholders(8)})`).join(', ')}`,
        bodyParams: logs.flatMap((e) => [e.platform, e.channelId, e.localDate, e.at, e.status, e.reason, e.messageId, e.instance]),
      });
    }
    if (parts.length === 0) return records.map(() => true);
    let finished: Record<string, unknown>[];
    if (this.dialect === 'postgres') {
      // One statement, its data-modifying CTEs atomic together: one round trip, one commit.
      const ctes: string[] = [];
      const params: unknown[] = [];
      parts.forEach((p, i) => {
        if (p.values) {
          ctes.push(`v${i}(${p.columns}) AS (VALUES ${p.values})`);
          params.push(...p.valueParams!);
        }
        ctes.push(`m${i} AS (${p.body(`v${i}`)})`);
        params.push(...p.bodyParams);
      });
      finished = await this.db.query(`WITH ${ctes.join(', ')} ${finishes.length ? 'SELECT * FROM m0' : 'SELECT 1 AS done'}`, params);
    } else {
      // SQLite has no data-modifying CTEs: the statements run in one in-process transaction.
      const results = await this.db.batch(
        parts.map((p) => ({
          sql: p.values ? `WITH v(${p.columns}) AS (VALUES ${p.values}) ${p.body('v')}` : p.body('v'),
          params: [...(p.valueParams ?? []), ...p.bodyParams],
        })),
      );
      finished = results[0]!;
    }
    const done = new Set((finishes.length ? finished : []).map((r) => `${String(r.platform)}\u0000${String(r.channel_id)}\u0000${String(r.local_date)}`));
    return records.map((r) => !r.claim || done.has(`${r.claim.key.platform}\u0000${r.claim.key.channelId}\u0000${r.claim.key.localDate}`));
  }

  async recordSeen(id: string, now: number, ttlMs: number): Promise<boolean> {
    if (now >= this.nextSeenPurgeAt) {
      this.nextSeenPurgeAt = now + SEEN_PURGE_EVERY_MS;
      await this.db.query('DELETE FROM seen_ids WHERE expires_at <= ?', [now]);
    }
    // One statement decides: a new id is inserted, an expired one taken over, a live one left alone (no row back).
    const rows = await this.db.query(
      `INSERT INTO seen_ids (id, expires_at) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_ids.expires_at <= ?
       RETURNING id`,
      [id, now + ttlMs, now],
    );
    return rows.length > 0;
  }

  async putInstallation(r: InstallationRecord, now: number): Promise<void> {
    const key = installKey(r);
    const sealed = this.sealer().seal(r.secret, key);
    await this.db.query(
      `INSERT INTO slack_installations (${INSTALL_COLUMNS}) VALUES (${placeholders(11)})
       ON CONFLICT (install_key) DO UPDATE SET team_id = excluded.team_id, enterprise_id = excluded.enterprise_id,
         is_enterprise_install = excluded.is_enterprise_install, app_id = excluded.app_id, bot_user_id = excluded.bot_user_id,
         bot_id = excluded.bot_id, scopes = excluded.scopes, installation = excluded.installation, updated_at = excluded.updated_at`,
      [key, r.teamId, r.enterpriseId, r.isEnterpriseInstall ? 1 : 0, r.appId, r.botUserId, r.botId, r.scopes.join(','), sealed, now, now],
    );
  }

  async getInstallation(query: InstallationKey): Promise<InstallationRecord | null> {
    const key = installKey(query);
    const rows = await this.db.query(`SELECT ${INSTALL_COLUMNS} FROM slack_installations WHERE install_key = ?`, [key]);
    const row = rows[0];
    if (!row) return null;
    return toInstallation(row, this.sealer().open(String(row.installation), key));
  }

  async removeInstallation(query: InstallationKey, reason: string, now: number): Promise<{ removed: boolean; disabled: DisabledChannel[] }> {
    const key = installKey(query);
    const statements: Statement[] = [];
    // An org-wide uninstall names no one workspace: those digests go off when their posts are refused.
    const team = query.teamId;
    if (team) {
      // The delivery log says why, dated the delivery that will now not happen; then the same switch-off as
      // deactivateSubscription, for every channel of the workspace.
      statements.push(
        {
          sql: `INSERT INTO digest_log (platform, channel_id, local_date, at, status, reason, message_id, instance)
                SELECT platform, channel_id, COALESCE(next_local_date, CAST(? AS TEXT)), CAST(? AS BIGINT), 'disabled', CAST(? AS TEXT), NULL, NULL
                FROM digest_subscriptions WHERE platform = 'slack' AND workspace_id = ? AND active = 1`,
          params: [new Date(now).toISOString().slice(0, 10), now, reason, team],
        },
        {
          sql: `UPDATE digest_subscriptions SET active = 0, disabled_reason = ?, next_due_at = NULL, next_local_date = NULL, updated_at = ?
                WHERE platform = 'slack' AND workspace_id = ? AND active = 1 RETURNING platform, channel_id`,
          params: [reason, now, team],
        },
      );
    }
    statements.push({ sql: 'DELETE FROM slack_installations WHERE install_key = ? RETURNING install_key', params: [key] });
    const results = await this.db.batch(statements);
    const disabled = team ? results[1]!.map((r) => ({ platform: String(r.platform), channelId: String(r.channel_id) })) : [];
    return { removed: results.at(-1)!.length > 0, disabled };
  }

  async history(key: ChannelKey, limit: number): Promise<LogEntry[]> {
    const rows = await this.db.query(
      `SELECT platform, channel_id, local_date, at, status, reason, message_id, instance FROM digest_log
       WHERE platform = ? AND channel_id = ? ORDER BY id DESC LIMIT ?`,
      [key.platform, key.channelId, limit],
    );
    return rows.map(toLog);
  }

  async recordFeedback(f: FeedbackRow): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO answer_feedback (platform, user_id, question, command, lang, answer, helpful, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (platform, user_id, question) DO NOTHING RETURNING platform`,
      [f.platform, f.userId, f.question, f.command, f.lang, f.answer, f.helpful ? 1 : 0, f.createdAt],
    );
    return rows.length > 0;
  }

  async unhelpfulFeedback(limit: number): Promise<FeedbackRow[]> {
    const rows = await this.db.query(
      `SELECT platform, user_id, question, command, lang, answer, helpful, created_at FROM answer_feedback WHERE helpful = 0 ORDER BY created_at DESC, question LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      platform: String(r.platform),
      userId: String(r.user_id),
      question: String(r.question),
      command: String(r.command),
      lang: String(r.lang),
      answer: String(r.answer),
      helpful: num(r.helpful) === 1,
      createdAt: num(r.created_at),
    }));
  }

  async revisionsOf(kind: string, entryId: string): Promise<RevisionRow[]> {
    const rows = await this.db.query(`SELECT ${REVISION_COLUMNS} FROM knowledge_revisions WHERE kind = ? AND entry_id = ? ORDER BY revision`, [kind, entryId]);
    return rows.map(toRevision);
  }

  async revisionsById(entryId: string): Promise<RevisionRow[]> {
    const rows = await this.db.query(`SELECT ${REVISION_COLUMNS} FROM knowledge_revisions WHERE entry_id = ? ORDER BY kind, revision`, [entryId]);
    return rows.map(toRevision);
  }

  async currentRevisions(kind?: string): Promise<RevisionRow[]> {
    const rows = await this.db.query(
      `SELECT ${REVISION_COLUMNS} FROM knowledge_revisions WHERE superseded_by IS NULL${kind === undefined ? '' : ' AND kind = ?'}
       ORDER BY kind, position IS NULL, position, entry_id`,
      kind === undefined ? [] : [kind],
    );
    return rows.map(toRevision);
  }

  async revisionsKnownAt(at: number): Promise<RevisionRow[]> {
    // Transaction time only moves forward within an entry, so its newest revision recorded by `at` is the one that
    // was current then. The primary key (kind, entry_id, revision) serves the NOT EXISTS.
    const rows = await this.db.query(
      `SELECT ${REVISION_COLUMNS} FROM knowledge_revisions r WHERE recorded_at <= CAST(? AS BIGINT)
         AND NOT EXISTS (SELECT 1 FROM knowledge_revisions n WHERE n.kind = r.kind AND n.entry_id = r.entry_id
           AND n.revision > r.revision AND n.recorded_at <= CAST(? AS BIGINT))
       ORDER BY kind, position IS NULL, position, entry_id`,
      [at, at],
    );
    return rows.map(toRevision);
  }

  async knowledgeState(): Promise<{ version: string; current: number; edited: number }> {
    const rows = await this.db.query(
      `SELECT COUNT(*) AS n, MAX(recorded_at) AS newest,
         SUM(CASE WHEN superseded_by IS NULL THEN 1 ELSE 0 END) AS current,
         SUM(CASE WHEN superseded_by IS NULL AND author <> ? THEN 1 ELSE 0 END) AS edited
       FROM knowledge_revisions`,
      [SEED_AUTHOR],
    );
    const r = rows[0] ?? {};
    return { version: `${num(r.n ?? 0)}:${num(r.newest ?? 0)}`, current: num(r.current ?? 0), edited: num(r.edited ?? 0) };
  }

  async watchKnowledge(onChange: () => void): Promise<(() => Promise<void>) | null> {
    return this.db.listen ? this.db.listen(KNOWLEDGE_CHANNEL, onChange) : null;
  }

  /** On PostgreSQL, told to every listening instance when the transaction it is part of commits (and only then). */
  private notifyKnowledge(what: string): Statement[] {
    return this.dialect === 'postgres' ? [{ sql: 'SELECT pg_notify(?, ?)', params: [KNOWLEDGE_CHANNEL, what] }] : [];
  }

  async countCurrentRevisions(): Promise<number> {
    const rows = await this.db.query('SELECT COUNT(*) AS n FROM knowledge_revisions WHERE superseded_by IS NULL');
    return num(rows[0]?.n ?? 0);
  }

  async revisionHeads(): Promise<RevisionHead[]> {
    const current = await this.db.query(
      'SELECT kind, entry_id, revision, content_hash, recorded_at, author FROM knowledge_revisions WHERE superseded_by IS NULL',
    );
    const heads = current.map((r) => ({
      kind: String(r.kind),
      entryId: String(r.entry_id),
      revision: num(r.revision),
      contentHash: String(r.content_hash),
      recordedAt: num(r.recorded_at),
      // A current seed revision is the newest the seed wrote: a newer one would be current instead.
      seedHash: r.author === SEED_AUTHOR ? String(r.content_hash) : null,
    }));
    // Only entries revised elsewhere since (few) need the newest of their older seed revisions.
    if (heads.some((h) => h.seedHash === null)) {
      const older = await this.db.query(
        'SELECT kind, entry_id, revision, content_hash FROM knowledge_revisions WHERE superseded_by IS NOT NULL AND author = ? ORDER BY kind, entry_id, revision',
        [SEED_AUTHOR],
      );
      const newest = new Map(older.map((r) => [`${String(r.kind)}\u0000${String(r.entry_id)}`, String(r.content_hash)]));
      for (const h of heads) if (h.seedHash === null) h.seedHash = newest.get(`${h.kind}\u0000${h.entryId}`) ?? null;
    }
    return heads;
  }

  async appendRevisions(items: { revision: NewRevision; after: number }[]): Promise<void> {
    if (items.length === 0) return;
    const keys = new Set<string>();
    for (const { revision: r, after } of items) {
      const key = `${r.kind}\u0000${r.entryId}`;
      if (keys.has(key)) throw new StorageError(`One write may append one revision to ${r.kind}/${r.entryId}, not two.`);
      if (!Number.isInteger(after) || after < 0) throw new StorageError(`${r.kind}/${r.entryId}: the revision to follow must be 0 or more (got ${after}).`);
      keys.add(key);
    }
    // The current revisions are marked superseded first, so the unique index on current rows never sees two.
    const superseding = items.filter((i) => i.after > 0);
    // PostgreSQL joins a VALUES list by hash; SQLite would scan the table once per list, so it gets one indexed
    // update per entry (prepared once, run in the same transaction).
    const supersede: Statement[] =
      this.dialect === 'sqlite'
        ? superseding.map((i) => ({
            sql: `UPDATE knowledge_revisions SET superseded_by = ? WHERE kind = ? AND entry_id = ? AND revision = ? AND superseded_by IS NULL`,
            params: [i.after + 1, i.revision.kind, i.revision.entryId, i.after],
          }))
        : chunks(superseding, 400).map((part) => ({
            sql: `WITH v(kind, entry_id, revision) AS (VALUES ${rows(part.length, 'TTB')})
              UPDATE knowledge_revisions SET superseded_by = v.revision + 1
              FROM v WHERE knowledge_revisions.kind = v.kind AND knowledge_revisions.entry_id = v.entry_id
                AND knowledge_revisions.revision = v.revision AND knowledge_revisions.superseded_by IS NULL`,
            params: part.flatMap((i) => [i.revision.kind, i.revision.entryId, i.after]),
          }));
    const statements: Statement[] = [
      ...supersede,
      ...chunks(items, 500).map((part) => ({
        sql: `INSERT INTO knowledge_revisions (${REVISION_COLUMNS}) VALUES ${part.map(() => `(${placeholders(12)})`).join(', ')}`,
        params: part.flatMap(({ revision: r, after }) => [
          r.kind,
          r.entryId,
          after + 1,
          JSON.stringify(r.entry),
          r.contentHash,
          r.validFrom,
          r.recordedAt,
          r.author,
          r.approver,
          JSON.stringify(r.sources),
          r.position,
          null,
        ]),
      })),
      ...this.notifyKnowledge(`import:${items.length}`),
    ];
    try {
      await this.db.batch(statements);
    } catch (err) {
      // Revision `after + 1` already there, or a second current row: another writer appended first.
      if (isUniqueViolation(err)) throw new RevisionConflict(err);
      throw err;
    }
  }

  /**
   * Stores a pending proposal after checking it (checkProposal; for a correction, the entry must exist; for a new
   * entry, its id must be free). A pending proposal with the same kind, entry id and content links it (duplicateOf).
   * An invalid proposal stores nothing and throws a ProposalError naming the field.
   */
  async propose(input: ProposalInput, now = Date.now()): Promise<ProposalRow> {
    const checked = checkProposal(input, now);
    const current = await this.db.query(`SELECT revision FROM knowledge_revisions WHERE kind = ? AND entry_id = ? AND superseded_by IS NULL`, [
      input.kind,
      checked.id,
    ]);
    if (input.entryId !== null && current.length === 0) throw new ProposalError(`id: no ${input.kind} entry has the id ${input.entryId}.`, 'id');
    if (input.entryId === null && current.length > 0) throw new ProposalError(`id: ${checked.id} is taken; propose a correction of it instead.`, 'id');
    const same = await this.db.query(
      `SELECT id FROM knowledge_proposals WHERE status = 'pending' AND kind = ? AND proposed_id = ? AND content_hash = ? AND ${
        input.entryId === null ? 'entry_id IS NULL' : 'entry_id = ?'
      } ORDER BY created_at, id LIMIT 1`,
      input.entryId === null ? [input.kind, checked.id, checked.hash] : [input.kind, checked.id, checked.hash, input.entryId],
    );
    const duplicateOf = same.length ? String(same[0]!.id) : null;
    const { url, publisher, title, published } = input.source;
    for (let attempt = 0; ; attempt++) {
      const id = newProposalId();
      try {
        const rows = await this.db.query(
          `INSERT INTO knowledge_proposals (id, kind, entry_id, proposed_id, entry, content_hash, source_url, source_publisher, source_title,
             source_published, author, created_at, status, duplicate_of) VALUES (${placeholders(12)}, 'pending', ?) RETURNING ${PROPOSAL_COLUMNS}`,
          [
            id,
            input.kind,
            input.entryId,
            checked.id,
            JSON.stringify(input.entry),
            checked.hash,
            url,
            publisher,
            title,
            published,
            input.author,
            now,
            duplicateOf,
          ],
        );
        return toProposal(rows[0]!);
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 3) throw err;
      }
    }
  }

  async getProposal(id: string): Promise<ProposalRow | null> {
    const rows = await this.db.query(`SELECT ${PROPOSAL_COLUMNS} FROM knowledge_proposals WHERE id = ?`, [id]);
    return rows.length ? toProposal(rows[0]!) : null;
  }

  /** The pending proposals, oldest first. */
  async pendingProposals(limit = 50): Promise<ProposalRow[]> {
    const rows = await this.db.query(`SELECT ${PROPOSAL_COLUMNS} FROM knowledge_proposals WHERE status = 'pending' ORDER BY created_at, id LIMIT ?`, [limit]);
    return rows.map(toProposal);
  }

  private async pending(id: string): Promise<ProposalRow> {
    const p = await this.getProposal(id);
    if (!p) throw new ProposalError(`No proposal has the id ${id}.`, 'id');
    if (p.status !== 'pending') throw new ProposalError(`Proposal ${id} is already ${p.status}${p.decidedBy ? ` by ${p.decidedBy}` : ''}.`, 'id');
    return p;
  }

  /**
   * Approves a pending proposal: four eyes (the author cannot), and in ONE transaction the status change and the
   * new revision (author = proposer, approver = editor, recorded at `now`). Every write is guarded by the decision
   * just taken, so of two editors approving at once exactly one wins; the other gets a ProposalError.
   */
  async approveProposal(id: string, editor: string, now = Date.now()): Promise<ProposalRow> {
    const p = await this.pending(id);
    if (p.author === editor) throw new ProposalError(`Proposal ${id} is yours: another editor must approve it.`, 'editor');
    const checked = checkProposal({ kind: p.kind, entryId: p.entryId, entry: p.entry, source: p.source, author: p.author }, now);
    const heads = await this.revisionsOf(p.kind, p.proposedId);
    const head = heads.find((r) => r.supersededBy === null);
    if (p.entryId === null && head) throw new ProposalError(`id: ${p.proposedId} was taken since; propose a correction of it instead.`, 'id');
    if (p.entryId !== null && !head) throw new ProposalError(`id: no ${p.kind} entry has the id ${p.entryId} any more.`, 'id');
    // A correction holds the whole entry as it was when proposed: approved over a revision recorded since (another
    // correction, a new term of the same office), it would silently undo that one.
    if (p.entryId !== null && head && head.recordedAt > p.createdAt) {
      throw new ProposalError(
        `id: ${p.kind}/${p.entryId} was changed since this proposal was made (revision ${head.revision}): nothing was written; propose the change again on the current entry.`,
        'id',
      );
    }
    const after = head?.revision ?? 0;
    const recordedAt = Math.max(now, head?.recordedAt ?? 0);
    const guard = `EXISTS (SELECT 1 FROM knowledge_proposals WHERE id = ? AND status = 'approved' AND decided_by = ? AND decided_at = ?)`;
    const guardParams = [id, editor, now];
    // The source the proposal cites becomes an entry of its own, in the same transaction: an approved figure that
    // cites no known source would make data:export write files data:check refuses.
    const known = new Set<string>();
    for (const sid of checked.sources) if ((await this.revisionsOf('sources', sid)).length > 0) known.add(sid);
    const newSources = checked.sources.filter((sid) => !known.has(sid));
    const sourceEntry = (sid: string) => ({
      id: sid,
      publisher: p.source.publisher,
      title: p.source.title,
      published: p.source.published,
      ...(p.source.url ? { url: p.source.url } : {}),
      added: new Date(now).toISOString().slice(0, 10),
    });
    const sourceStatements: Statement[] = newSources.map((sid) => ({
      sql: `INSERT INTO knowledge_revisions (${REVISION_COLUMNS})
          SELECT 'sources', ?, 1, ?, ?, ?, CAST(? AS BIGINT), ?, ?, ?, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER)
          WHERE ${guard} AND NOT EXISTS (SELECT 1 FROM knowledge_revisions WHERE kind = 'sources' AND entry_id = ?)`,
      params: [
        sid,
        JSON.stringify(sourceEntry(sid)),
        contentHash(sourceEntry(sid)),
        p.source.published,
        recordedAt,
        p.author,
        editor,
        JSON.stringify([sid]),
        ...guardParams,
        sid,
      ],
    }));
    const statements: Statement[] = [
      {
        sql: `UPDATE knowledge_proposals SET status = 'approved', decided_by = ?, decided_at = ?, revision = ? WHERE id = ? AND status = 'pending' RETURNING id`,
        params: [editor, now, after + 1, id],
      },
      ...(after > 0
        ? [
            {
              sql: `UPDATE knowledge_revisions SET superseded_by = ? WHERE kind = ? AND entry_id = ? AND revision = ? AND superseded_by IS NULL AND ${guard}`,
              params: [after + 1, p.kind, p.proposedId, after, ...guardParams],
            },
          ]
        : []),
      ...sourceStatements,
      {
        sql: `INSERT INTO knowledge_revisions (${REVISION_COLUMNS})
          SELECT ?, ?, CAST(? AS INTEGER), ?, ?, ?, CAST(? AS BIGINT), ?, ?, ?, CAST(? AS INTEGER), CAST(NULL AS INTEGER) WHERE ${guard}`,
        params: [
          p.kind,
          p.proposedId,
          after + 1,
          JSON.stringify(p.entry),
          checked.hash,
          checked.validFrom,
          recordedAt,
          p.author,
          editor,
          JSON.stringify(checked.sources),
          head?.position ?? null,
          ...guardParams,
        ],
      },
      ...this.notifyKnowledge(`${p.kind}/${p.proposedId}`),
    ];
    let results: Record<string, unknown>[][];
    try {
      results = await this.db.batch(statements);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ProposalError(`${p.kind}/${p.proposedId} was changed by another approval first: nothing was written.`, 'id');
      throw err;
    }
    if (results[0]!.length === 0) await this.pending(id); // decided by someone else meanwhile: says by whom
    return (await this.getProposal(id))!;
  }

  /** Rejects a pending proposal with a reason (editors; an author withdraws instead). */
  async rejectProposal(id: string, editor: string, reason: string, now = Date.now()): Promise<ProposalRow> {
    return this.decide(id, 'rejected', editor, reason, now);
  }

  /** The author takes a pending proposal back. */
  async withdrawProposal(id: string, author: string, now = Date.now()): Promise<ProposalRow> {
    const p = await this.pending(id);
    if (p.author !== author) throw new ProposalError(`Only its author can withdraw proposal ${id}.`, 'author');
    return this.decide(id, 'withdrawn', author, null, now);
  }

  private async decide(id: string, status: ProposalStatus, who: string, reason: string | null, now: number): Promise<ProposalRow> {
    await this.pending(id);
    if (reason !== null && reason.length > 2000) throw new ProposalError(`reason: ${reason.length} characters, more than 2000.`, 'reason');
    const rows = await this.db.query(
      `UPDATE knowledge_proposals SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ? AND status = 'pending' RETURNING ${PROPOSAL_COLUMNS}`,
      [status, who, now, reason, id],
    );
    if (rows.length === 0) await this.pending(id);
    return toProposal(rows[0]!);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
