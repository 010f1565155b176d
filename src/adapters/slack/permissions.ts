import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logger.ts';

export interface AdminCheckOptions {
  /** User ids allowed to manage channel settings whatever their Slack role (SLACK_ADMIN_USER_IDS). */
  adminUserIds: string[];
  /** User ids who are editors of the knowledge base whatever their Slack role (SLACK_EDITOR_USER_IDS). */
  editorUserIds?: string[];
  /** How long a users.info answer is trusted. */
  ttlMs?: number;
  /** Most users remembered; the oldest are forgotten first. */
  maxEntries?: number;
  now?: () => number;
}

/** What the adapter needs to know of a user: may they manage channels, and which language they read. */
interface UserInfo {
  admin: boolean;
  /** users.info `locale` ("fr-FR", "de-DE", "en-US"), when Slack gives one. */
  locale: string | undefined;
}

/**
 * Who may change a channel's settings (digest subscriptions), and in which language a user reads answers,
 * from one users.info call (`include_locale`): Slack's slash commands and events carry neither. Admins are
 * workspace admins and owners (`is_admin` / `is_owner`) and the users listed in the configuration. The answer
 * is cached per user for a few minutes; a failed lookup denies (and answers in English) and is not cached.
 */
export class AdminCheck {
  private readonly allowed: Set<string>;
  private readonly editors: Set<string>;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { at: number; result: Promise<UserInfo>; settled?: UserInfo }>();

  /**
   * `client` asks users.info unless a call brings its own: installed in several workspaces, each request
   * carries a client with its workspace's token (Bolt's `client` argument).
   */
  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    options: AdminCheckOptions,
  ) {
    this.allowed = new Set(options.adminUserIds);
    this.editors = new Set(options.editorUserIds ?? []);
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  canManage(userId: string, teamId?: string, client?: webApi.WebClient): Promise<boolean> {
    if (this.allowed.has(userId)) return Promise.resolve(true);
    return this.info(userId, teamId, client).then(
      (u) => u.admin,
      (err: unknown) => {
        this.log.warn({ err, userId }, 'users.info failed; treating the user as not allowed to manage the channel');
        return false;
      },
    );
  }

  /**
   * May the user review, approve and reject proposals? The configured editors, and workspace admins and owners (the
   * same cached users.info answer as canManage); a failed lookup denies.
   */
  isEditor(userId: string, teamId?: string, client?: webApi.WebClient): Promise<boolean> {
    if (this.editors.has(userId)) return Promise.resolve(true);
    return this.info(userId, teamId, client).then(
      (u) => u.admin,
      (err: unknown) => {
        this.log.warn({ err, userId }, 'users.info failed; treating the user as no editor');
        return false;
      },
    );
  }

  /** The user's Slack locale; undefined (English) when users.info gives none or fails. */
  locale(userId: string, teamId?: string, client?: webApi.WebClient): Promise<string | undefined> {
    return this.info(userId, teamId, client).then(
      (u) => u.locale,
      (err: unknown) => {
        this.log.warn({ err, userId }, 'users.info failed; answering in English');
        return undefined;
      },
    );
  }

  /**
   * The locale when it is already known (cached), without waiting: `known` false when it would need a
   * users.info call. Lets the adapter answer a question it already knows the answer to in the ack.
   */
  knownLocale(userId: string, teamId?: string): { known: boolean; locale?: string } {
    const hit = this.cache.get(this.key(userId, teamId));
    if (!hit?.settled || this.now() - hit.at >= this.ttlMs) return { known: false };
    return { known: true, ...(hit.settled.locale ? { locale: hit.settled.locale } : {}) };
  }

  private key(userId: string, teamId?: string): string {
    return `${teamId ?? ''}:${userId}`;
  }

  private info(userId: string, teamId: string | undefined, client = this.client): Promise<UserInfo> {
    const key = this.key(userId, teamId);
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.result;
    const entry: { at: number; result: Promise<UserInfo>; settled?: UserInfo } = {
      at: this.now(),
      result: Promise.resolve({ admin: false, locale: undefined }),
    };
    entry.result = this.lookup(userId, client).then(
      (u) => {
        entry.settled = u;
        return u;
      },
      (err: unknown) => {
        if (this.cache.get(key) === entry) this.cache.delete(key);
        throw err;
      },
    );
    // Nobody may be waiting on it yet; its callers handle the failure.
    entry.result.catch(() => undefined);
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return entry.result;
  }

  private async lookup(userId: string, client: webApi.WebClient): Promise<UserInfo> {
    const res = await client.users.info({ user: userId, include_locale: true });
    const user = res.user;
    return {
      admin: Boolean(user && !user.deleted && (user.is_admin || user.is_owner || user.is_primary_owner)),
      locale: typeof user?.locale === 'string' && user.locale ? user.locale : undefined,
    };
  }
}
