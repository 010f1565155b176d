import type { InstallationRecords } from '../core/installations.ts';
import type { CarriedPost } from './corrections.ts';

/**
 * The storage interface digests use. One interface, two implementations (SQLite by default,
 * PostgreSQL for several instances) over the same logical schema; see migrations.ts.
 * Instants are UTC milliseconds since the epoch; local dates are ISO "YYYY-MM-DD" strings.
 */

export interface ChannelKey {
  platform: string;
  channelId: string;
}

/** The key of one delivery: exactly one per (platform, channel, local date). */
export interface ClaimKey extends ChannelKey {
  localDate: string;
}

export interface SubscriptionRow extends ChannelKey {
  workspaceId: string | null;
  /** "HH:MM" local wall-clock time. */
  time: string;
  timeZone: string;
  active: boolean;
  disabledReason: string | null;
  nextDueAt: number | null;
  nextLocalDate: string | null;
  /** Newest knowledge-base `added` date covered by the last delivered digest (null: none yet). */
  watermark: string | null;
  /** The catalog language the digest is written in ("en", "fr", …). */
  lang: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface SubscriptionInput extends ChannelKey {
  workspaceId: string | null;
  time: string;
  timeZone: string;
  nextDueAt: number;
  nextLocalDate: string;
  createdBy: string;
  /** The digest's language; default English. */
  lang?: string;
}

/**
 * claimed: an instance holds the lease (before its post starts, a short lease the instance keeps
 * renewing; once `postStartedAt` is set, a lease long enough for the post); retrying: waiting for
 * lease_until to try again (429, network, handed back at shutdown). The rest are final.
 */
export type ClaimStatus = 'claimed' | 'retrying' | 'sent' | 'late' | 'skipped' | 'rejected' | 'failed';

export const OPEN_CLAIM_STATUSES: readonly ClaimStatus[] = ['claimed', 'retrying'];

export interface ClaimRow extends ClaimKey {
  dueAt: number;
  status: ClaimStatus;
  /** The instance holding the lease (null while waiting to retry or when final). */
  owner: string | null;
  leaseUntil: number;
  /** Post attempts made so far. */
  attempts: number;
  /** Deterministic idempotency key passed to the platform (Discord enforce_nonce, Slack message metadata). */
  nonce: string;
  /** When the first post attempt started (null: none yet, so nothing can be on the platform). */
  postStartedAt: number | null;
  messageId: string | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewClaim extends ClaimKey {
  dueAt: number;
  /** 'claimed' starts the first attempt (attempts = 1); 'skipped' is final at once. */
  status: 'claimed' | 'skipped';
  owner: string;
  leaseUntil: number;
  nonce: string;
  reason: string | null;
}

export interface PostStart {
  key: ClaimKey;
  owner: string;
  leaseUntil: number;
}

export interface Advance extends ChannelKey {
  fromDueAt: number;
  nextDueAt: number;
  nextLocalDate: string;
}

export interface ClaimOutcome {
  status: ClaimStatus;
  messageId?: string | null;
  reason?: string | null;
  /** For 'retrying': when the next attempt may start. */
  leaseUntil?: number;
}

export type LogStatus = 'sent' | 'late' | 'skipped' | 'rejected' | 'retried' | 'failed' | 'disabled' | 'corrected';

/**
 * What happened to one delivery, written in one transaction with others (group commit): the
 * claim's outcome (only if `owner` still holds it), the channel's new watermark, a log line.
 */
export interface ResultRecord {
  claim?: { key: ClaimKey; owner: string; outcome: ClaimOutcome };
  watermark?: { key: ChannelKey; value: string };
  log?: LogEntry;
}

export interface LogEntry extends ClaimKey {
  at: number;
  status: LogStatus;
  reason: string | null;
  messageId: string | null;
  instance: string | null;
}

/** Who wrote a revision imported from the reviewed seed files. */
export const SEED_AUTHOR = 'data/';

/** One revision of one knowledge entry (see migration 6). */
export interface RevisionRow {
  /** The data/ collection: "deployments", "events", … */
  kind: string;
  entryId: string;
  /** 1, 2, … per (kind, entry id). */
  revision: number;
  /** The entry as written in data/ (validated by the collection's zod schema). */
  entry: Record<string, unknown>;
  contentHash: string;
  /** First day (ISO) the fact holds for, where the kind has one. */
  validFrom: string | null;
  /** Transaction time: when the knowledge base took this revision in (UTC ms). */
  recordedAt: number;
  author: string;
  approver: string | null;
  /** The source ids the entry cites. */
  sources: string[];
  /** Place in its data/ file (null for an entry data/ never had). */
  position: number | null;
  /** The revision that replaced this one; null: this one is current. */
  supersededBy: number | null;
}

export type NewRevision = Omit<RevisionRow, 'revision' | 'supersededBy'>;

/** An entry's current revision and the newest one the seed wrote, as the seed import compares them. */
export interface RevisionHead {
  kind: string;
  entryId: string;
  revision: number;
  contentHash: string;
  /** When the current revision was recorded: a new one is never recorded before it. */
  recordedAt: number;
  /** Hash of the newest revision authored by data/ (null: data/ never wrote this entry). */
  seedHash: string | null;
}

export interface RevisionStore {
  /** Every revision of one entry, oldest first (empty for an unknown one). */
  revisionsOf(kind: string, entryId: string): Promise<RevisionRow[]>;
  /** Every revision of every entry with this id, whatever its kind (ids are unique within a kind only), by kind then revision. */
  revisionsById(entryId: string): Promise<RevisionRow[]>;
  /** The current revision of every entry (of one kind, if given), in data/ order. */
  currentRevisions(kind?: string): Promise<RevisionRow[]>;
  countCurrentRevisions(): Promise<number>;
  revisionHeads(): Promise<RevisionHead[]>;
  /**
   * Appends one revision to each entry in ONE transaction: each becomes revision `after + 1` and supersedes
   * revision `after` (0: a new entry). When another writer got there first (revision `after + 1` exists or
   * `after` is no longer current), nothing is written and a RevisionConflict is thrown.
   */
  appendRevisions(items: { revision: NewRevision; after: number }[]): Promise<void>;
  /**
   * The revision of each entry the knowledge base held at `at` (UTC ms): the newest recorded by then. Entries
   * recorded later are absent. In data/ order, as currentRevisions.
   */
  revisionsKnownAt(at: number): Promise<RevisionRow[]>;
  /**
   * A cheap summary of the revisions: `version` changes with every revision written (count and newest recorded
   * time), `edited` counts current revisions not authored by data/ (0: the store holds what data/ holds, or less).
   */
  knowledgeState(): Promise<{ version: string; current: number; edited: number }>;
  /**
   * Calls `onChange` when any instance on the same database may have written revisions (PostgreSQL LISTEN on
   * KNOWLEDGE_CHANNEL; also after a reconnection, when a notification may have been missed). Null where the
   * database has no notifications (SQLite: one instance writes). The function returned stops listening.
   */
  watchKnowledge(onChange: () => void): Promise<(() => Promise<void>) | null>;
}

/** The PostgreSQL notification channel every write of revisions notifies, in its transaction. */
export const KNOWLEDGE_CHANNEL = 'knowledge_changed';

/** Also the Slack installations (OAuth), whose removal turns their workspace's digests off in the same transaction. */
/** Proposals of knowledge changes (migration 7). */
export type ProposalStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn';

/** What backs a proposal: the article or document it comes from. */
export interface ProposalSource {
  url: string;
  publisher: string;
  title: string;
  /** ISO day YYYY-MM-DD. */
  published: string;
}

export interface ProposalInput {
  /** The data/ collection; for now "deployments". */
  kind: string;
  /** The entry corrected, or null for a new entry. */
  entryId: string | null;
  /** The proposed entry as data/ would write it. */
  entry: Record<string, unknown>;
  source: ProposalSource;
  /** "platform:user". */
  author: string;
}

export interface ProposalRow {
  id: string;
  kind: string;
  entryId: string | null;
  /** The id of the entry proposed (the corrected entry's, or the new one's). */
  proposedId: string;
  entry: Record<string, unknown>;
  contentHash: string;
  source: ProposalSource;
  author: string;
  createdAt: number;
  status: ProposalStatus;
  decidedBy: string | null;
  decidedAt: number | null;
  reason: string | null;
  duplicateOf: string | null;
  /** The revision an approval wrote. */
  revision: number | null;
}

/** What stores proposals (migration 7); see src/storage/proposals.ts and SqlDigestStore for the rules. */
export interface ProposalStore {
  propose(input: ProposalInput, now?: number): Promise<ProposalRow>;
  getProposal(id: string): Promise<ProposalRow | null>;
  pendingProposals(limit?: number): Promise<ProposalRow[]>;
  approveProposal(id: string, editor: string, now?: number): Promise<ProposalRow>;
  rejectProposal(id: string, editor: string, reason: string, now?: number): Promise<ProposalRow>;
  withdrawProposal(id: string, author: string, now?: number): Promise<ProposalRow>;
}

/** One person's verdict on one answer (migration 8). */
export interface FeedbackRow {
  platform: string;
  userId: string;
  question: string;
  command: string;
  /** The language of the answer (a catalog language). */
  lang: string;
  answer: string;
  helpful: boolean;
  createdAt: number;
}

/** Feedback on answers; one row per person and question. */
export interface FeedbackStore {
  /** True when this call stored it; false (nothing changed) when the person gave feedback on the question already. */
  recordFeedback(row: FeedbackRow): Promise<boolean>;
  /** The "not helpful" rows, newest first. */
  unhelpfulFeedback(limit: number): Promise<FeedbackRow[]>;
}

export interface DigestStore extends InstallationRecords, RevisionStore, ProposalStore, FeedbackStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** A description safe to log (never the password). */
  readonly description: string;

  /** Creates or replaces the channel's schedule and (re)activates it; the watermark is kept. */
  putSubscription(input: SubscriptionInput, now: number): Promise<{ row: SubscriptionRow; created: boolean }>;
  getSubscription(key: ChannelKey): Promise<SubscriptionRow | null>;
  /** Several at once (absent ones are simply missing from the result). */
  getSubscriptions(keys: ChannelKey[]): Promise<SubscriptionRow[]>;
  /** A workspace's subscriptions, active or not (the Slack App Home lists them), active first, at most `limit`. */
  listWorkspaceSubscriptions(platform: string, workspaceId: string, limit: number): Promise<SubscriptionRow[]>;
  /** Deactivates; true when it was active. */
  deactivateSubscription(key: ChannelKey, reason: string, now: number): Promise<boolean>;
  /** Active subscriptions of these platforms due at or before `now`, oldest due first. */
  listDue(now: number, platforms: readonly string[], limit: number): Promise<SubscriptionRow[]>;
  /** Moves next_due_at forward only if it still equals `fromDueAt` (several instances may try). */
  advanceSubscription(key: ChannelKey, fromDueAt: number, nextDueAt: number, nextLocalDate: string, now: number): Promise<boolean>;
  /** Raises the watermark (never lowers it). */
  raiseWatermark(key: ChannelKey, watermark: string, now: number): Promise<void>;

  /** Moves several subscriptions forward in one transaction (each only from the value it was read at). */
  advanceSubscriptions(items: Advance[], now: number): Promise<number>;

  /** INSERT … ON CONFLICT DO NOTHING RETURNING: the row when this call created it, else null. */
  insertClaim(claim: NewClaim, now: number): Promise<ClaimRow | null>;
  /** Many claims in one statement; returns the rows this call created (the claims it won). */
  insertClaims(claims: NewClaim[], now: number): Promise<ClaimRow[]>;
  /** Claims, then schedule moves, in one transaction; returns the claims this call won. */
  claimBatch(claims: NewClaim[], advances: Advance[], now: number): Promise<ClaimRow[]>;
  getClaim(key: ClaimKey): Promise<ClaimRow | null>;
  /** Open claims (claimed or retrying) whose lease ended at or before `now`. */
  listExpiredClaims(now: number, platforms: readonly string[], limit: number): Promise<ClaimRow[]>;
  /** Atomically takes an open claim whose lease ended and counts a new attempt; null when another instance got it first. */
  takeOverClaim(key: ClaimKey, owner: string, leaseUntil: number, now: number): Promise<ClaimRow | null>;
  /**
   * Marks posts as starting (keeping the first start time) and gives each the sending lease, only
   * where `owner` still holds the claim; per item, whether it may post. Written before the post.
   */
  startPosts(items: PostStart[], now: number): Promise<boolean[]>;
  /** Renews the leases of `owner`'s claims that have not started posting and whose lease still runs. */
  renewUnstartedLeases(owner: string, leaseUntil: number, now: number): Promise<number>;
  /**
   * Hands back `owner`'s claims that never started posting (shutdown): they become retrying, due at
   * once, with that attempt uncounted. Returns their keys.
   */
  releaseUnstarted(owner: string, reason: string, now: number): Promise<ClaimKey[]>;
  /** Records the outcome, only if `owner` still holds the claim. */
  finishClaim(key: ClaimKey, owner: string, outcome: ClaimOutcome, now: number): Promise<boolean>;
  /** Outcomes, watermarks and log lines of several deliveries in one transaction; per record, whether its claim was still ours. */
  recordResults(records: ResultRecord[], now: number): Promise<boolean[]>;

  /** Records which entries a posted digest carried (corrections find it by them); optional for stores without migration 9. */
  recordPost?(post: CarriedPost): Promise<void>;

  appendLog(entry: LogEntry): Promise<void>;
  /** Newest first. */
  history(key: ChannelKey, limit: number): Promise<LogEntry[]>;

  /**
   * Remembers an opaque id (a redelivered event, a replayed request) until `now + ttlMs`. True when this
   * call is the first to record it, or its earlier record has expired; atomic across the instances sharing
   * the database, so exactly one of them gets true. Expired records are purged from time to time.
   */
  recordSeen(id: string, now: number, ttlMs: number): Promise<boolean>;

  /** Applied migration versions, ascending. */
  migrations(): Promise<number[]>;
  close(): Promise<void>;
}
