/**
 * Versioned migrations, applied in order at start and recorded in `schema_migrations`.
 * Same logical schema on SQLite and PostgreSQL; `sql` returns the dialect's text where the two differ.
 * Never edit a released migration: add the next number.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  name: string;
  sql: (dialect: Dialect) => string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'digest subscriptions, claims and delivery log',
    sql: (d) => [
      `CREATE TABLE digest_subscriptions (
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        workspace_id TEXT,
        time_of_day TEXT NOT NULL,
        time_zone TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        disabled_reason TEXT,
        next_due_at BIGINT,
        next_local_date TEXT,
        watermark TEXT,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (platform, channel_id)
      )`,
      `CREATE INDEX digest_subscriptions_due ON digest_subscriptions (next_due_at) WHERE active = 1`,
      `CREATE TABLE digest_claims (
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        local_date TEXT NOT NULL,
        due_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('claimed', 'retrying', 'sent', 'late', 'skipped', 'rejected', 'failed')),
        owner TEXT,
        lease_until BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        nonce TEXT NOT NULL,
        message_id TEXT,
        reason TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (platform, channel_id, local_date)
      )`,
      `CREATE INDEX digest_claims_open ON digest_claims (lease_until) WHERE status IN ('claimed', 'retrying')`,
      `CREATE TABLE digest_log (
        id ${d === 'postgres' ? 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'},
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        local_date TEXT NOT NULL,
        at BIGINT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        message_id TEXT,
        instance TEXT
      )`,
      `CREATE INDEX digest_log_channel ON digest_log (platform, channel_id, id)`,
    ],
  },
  {
    version: 2,
    name: 'when a claim first started posting',
    // NULL: no post was ever attempted for the claim, so whoever takes it over may post at once; set:
    // the platform may hold the message, so it is looked for before any new attempt.
    sql: () => [`ALTER TABLE digest_claims ADD COLUMN post_started_at BIGINT`],
  },
  {
    version: 3,
    name: 'seen ids (redelivered events, replayed requests), shared by instances',
    sql: () => [
      `CREATE TABLE seen_ids (
        id TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
      )`,
      `CREATE INDEX seen_ids_expiry ON seen_ids (expires_at)`,
    ],
  },
  {
    version: 4,
    name: 'the language a channel reads its digest in',
    // Every subscription made before languages existed got English digests: the default keeps them so.
    sql: () => [`ALTER TABLE digest_subscriptions ADD COLUMN lang TEXT NOT NULL DEFAULT 'en'`],
  },
  {
    version: 5,
    name: 'Slack installations (OAuth: one per workspace or Enterprise Grid org), tokens encrypted',
    // install_key is 'team:T…' for a workspace's own install and 'enterprise:E…' for an org-wide one: the two
    // ways Bolt asks for an installation. `installation` is the whole installation as Slack gave it, tokens
    // included, sealed with TOKEN_ENCRYPTION_KEY (AES-256-GCM); the other columns are what an operator may
    // read without the key. digest_subscriptions.workspace_id already holds the Slack team id of every Slack
    // subscription (the slash command's team_id), so a workspace's digests are found without a new column.
    sql: () => [
      `CREATE TABLE slack_installations (
        install_key TEXT PRIMARY KEY,
        team_id TEXT,
        enterprise_id TEXT,
        is_enterprise_install INTEGER NOT NULL DEFAULT 0,
        app_id TEXT,
        bot_user_id TEXT,
        bot_id TEXT,
        scopes TEXT NOT NULL DEFAULT '',
        installation TEXT NOT NULL,
        installed_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE INDEX digest_subscriptions_workspace ON digest_subscriptions (platform, workspace_id) WHERE active = 1`,
    ],
  },
  {
    version: 6,
    name: 'knowledge entries and their revisions (bitemporal)',
    // One row per revision of one entry, keyed by (kind, entry id, revision number). `entry` is the entry's JSON as
    // written in data/ (before zod's defaults and date parsing, so an export writes back what was read); `valid_from`
    // is the first day the fact holds for, where the kind has one (the entry's own dates stay inside the JSON);
    // `recorded_at` is the transaction time. `superseded_by` is the revision that replaced this one: the rows where
    // it is NULL are the current knowledge, one per entry (the unique index refuses a second).
    // `content_hash` is of the canonical JSON: the seed import compares hashes, never whole entries.
    // `position` is the entry's place in its data/ file, so an export keeps the files' order.
    sql: () => [
      `CREATE TABLE knowledge_revisions (
        kind TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        revision INTEGER NOT NULL CHECK (revision >= 1),
        entry TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        valid_from TEXT,
        recorded_at BIGINT NOT NULL,
        author TEXT NOT NULL,
        approver TEXT,
        sources TEXT NOT NULL,
        position INTEGER,
        superseded_by INTEGER,
        PRIMARY KEY (kind, entry_id, revision)
      )`,
      `CREATE UNIQUE INDEX knowledge_revisions_current ON knowledge_revisions (kind, entry_id) WHERE superseded_by IS NULL`,
      `CREATE INDEX knowledge_revisions_entry ON knowledge_revisions (entry_id)`,
    ],
  },
  {
    version: 7,
    name: 'knowledge proposals (four eyes)',
    // One row per proposed change to the knowledge base: a new entry (entry_id NULL) or a correction of one.
    // `entry` is the proposed entry's JSON as data/ would write it; the source fields say what backs it.
    // An approval changes status and appends the revision in ONE transaction; `revision` is the one it wrote.
    // `duplicate_of` links a proposal to an earlier pending one with the same kind, entry id and content.
    sql: () => [
      `CREATE TABLE knowledge_proposals (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        entry_id TEXT,
        proposed_id TEXT NOT NULL,
        entry TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        source_url TEXT NOT NULL,
        source_publisher TEXT NOT NULL,
        source_title TEXT NOT NULL,
        source_published TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
        decided_by TEXT,
        decided_at BIGINT,
        reason TEXT,
        duplicate_of TEXT,
        revision INTEGER
      )`,
      `CREATE INDEX knowledge_proposals_pending ON knowledge_proposals (kind, proposed_id) WHERE status = 'pending'`,
    ],
  },
  {
    version: 8,
    name: 'feedback on answers',
    // One row per person and question (Helpful / Not helpful under an answer, issue 14): the key makes a second
    // press by the same person change nothing. `question` is what was asked as the text syntax asks it again.
    sql: () => [
      `CREATE TABLE answer_feedback (
        platform TEXT NOT NULL,
        user_id TEXT NOT NULL,
        question TEXT NOT NULL,
        command TEXT NOT NULL,
        lang TEXT NOT NULL,
        answer TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (platform, user_id, question)
      )`,
      `CREATE INDEX answer_feedback_unhelpful ON answer_feedback (created_at) WHERE helpful = 0`,
    ],
  },
  {
    version: 9,
    name: 'the entries each post carried, and the correction replies under them',
    // post_entries: one row per (post, entry it carried); `entry_key` is "kind/entry id" (ids are unique within a
    // kind only); `thread_of` is the thread a post is in (a Slack answer under its question), where its correction
    // goes; NULL: under the post itself. A correction finds the posts of the last 30 days by entry and date, hence the index.
    // correction_claims: one row per (post, approved proposal) — the insert that wins is the only one, so two
    // instances seeing the same approval make one reply. A claim whose post started is never posted again.
    sql: () => [
      `CREATE TABLE post_entries (
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        thread_of TEXT,
        workspace_id TEXT,
        post_kind TEXT NOT NULL CHECK (post_kind IN ('digest', 'answer')),
        lang TEXT NOT NULL,
        posted_at BIGINT NOT NULL,
        PRIMARY KEY (platform, channel_id, message_id, entry_key)
      )`,
      `CREATE INDEX post_entries_entry ON post_entries (entry_key, posted_at)`,
      `CREATE TABLE correction_claims (
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        proposal_id TEXT NOT NULL,
        thread_of TEXT,
        workspace_id TEXT,
        lang TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'sent', 'failed')),
        owner TEXT,
        lease_until BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        post_started_at BIGINT,
        reply_id TEXT,
        reason TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (platform, channel_id, message_id, proposal_id)
      )`,
      `CREATE INDEX correction_claims_open ON correction_claims (lease_until) WHERE status IN ('pending', 'claimed')`,
    ],
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

/** Another writer appended to one of the same entries first: nothing of this write was kept; read again and retry. */
export class RevisionConflict extends StorageError {
  constructor(cause: unknown) {
    super(`Another writer changed the same knowledge entries first: nothing was written (${(cause as Error)?.message ?? cause}).`);
    this.name = 'RevisionConflict';
  }
}

/** What the migration runner needs from a connection that holds a transaction and a lock. */
export interface MigrationTx {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/**
 * Applies the missing migrations inside the caller's transaction (the caller also holds a lock so
 * two instances starting together do not both migrate). Returns the versions applied now.
 */
export async function applyMigrations(tx: MigrationTx, dialect: Dialect, now: number): Promise<number[]> {
  await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  const rows = await tx.query(`SELECT version FROM schema_migrations ORDER BY version`);
  const applied = new Set(rows.map((r) => Number(r.version)));
  const newest = Math.max(0, ...applied);
  if (newest > LATEST_VERSION) {
    throw new StorageError(
      `The database schema is at version ${newest}, newer than this code knows (${LATEST_VERSION}). Upgrade the bot before starting it on this database.`,
    );
  }
  const done: number[] = [];
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    for (const statement of m.sql(dialect)) await tx.query(statement);
    await tx.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, [m.version, m.name, now]);
    done.push(m.version);
  }
  return done;
}
