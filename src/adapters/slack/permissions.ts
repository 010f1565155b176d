import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logger.ts';

export interface AdminCheckOptions {
  /** User ids allowed to manage channel settings whatever their Slack role (SLACK_ADMIN_USER_IDS). */
  adminUserIds: string[];
  /** How long a users.info answer is trusted. */
  ttlMs?: number;
  /** Most users remembered; the oldest are forgotten first. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Who may change a channel's settings (digest subscriptions): workspace admins and owners (users.info
 * `is_admin` / `is_owner`) and the users listed in the configuration. users.info is called only when a
 * command asks, and its answer is cached per user for a few minutes; a failed lookup denies and is not cached.
 */
export class AdminCheck {
  private readonly allowed: Set<string>;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { at: number; result: Promise<boolean> }>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    options: AdminCheckOptions,
  ) {
    this.allowed = new Set(options.adminUserIds);
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  canManage(userId: string, teamId?: string): Promise<boolean> {
    if (this.allowed.has(userId)) return Promise.resolve(true);
    const key = `${teamId ?? ''}:${userId}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.result;
    const result = this.lookup(userId).catch((err: unknown) => {
      this.cache.delete(key);
      this.log.warn({ err, userId }, 'users.info failed; treating the user as not allowed to manage the channel');
      return false;
    });
    this.cache.delete(key);
    this.cache.set(key, { at: this.now(), result });
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return result;
  }

  private async lookup(userId: string): Promise<boolean> {
    const res = await this.client.users.info({ user: userId });
    const user = res.user;
    return Boolean(user && !user.deleted && (user.is_admin || user.is_owner || user.is_primary_owner));
  }
}
