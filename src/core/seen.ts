/**
 * "Have we handled this already?" for things a platform may deliver twice (an event redelivered after a
 * timeout or a reconnect) or an attacker may send twice (a replayed signed request). The answer must hold
 * across the bot's instances and restarts, so it lives in the shared store; a small in-process memory in
 * front of it answers the common case (a retry to the same process) without a round trip.
 */

/** The shared, expiring record (the digest store implements it). */
export interface SeenIds {
  /** True when this call is the first to record `id` (or its record has expired); exactly one caller wins. */
  recordSeen(id: string, now: number, ttlMs: number): Promise<boolean>;
}

export interface FirstSeenOptions {
  /** How long an id is remembered. */
  ttlMs: number;
  /** The shared record; without it only this process remembers. */
  shared?: SeenIds;
  /** Ids this process remembers itself (oldest forgotten first). */
  maxLocal?: number;
  /**
   * The shared record failed (database down): the id is treated as new. Answering a rare duplicate is
   * better than dropping every message while the database is away.
   */
  onError?: (err: unknown) => void;
  now?: () => number;
}

export class FirstSeen {
  private readonly local = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxLocal: number;
  private readonly now: () => number;

  constructor(private readonly options: FirstSeenOptions) {
    this.ttlMs = options.ttlMs;
    this.maxLocal = options.maxLocal ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** True the first time `id` is seen within the TTL, by any instance sharing the record. */
  async first(id: string): Promise<boolean> {
    const now = this.now();
    // Entries go in with the same TTL, so insertion order is expiry order: drop from the front.
    for (const [key, expiresAt] of this.local) {
      if (expiresAt > now && this.local.size < this.maxLocal) break;
      this.local.delete(key);
    }
    const known = this.local.get(id);
    if (known !== undefined && known > now) return false;
    // Set before awaiting, so a concurrent duplicate in this process is refused at once.
    this.local.set(id, now + this.ttlMs);
    if (!this.options.shared) return true;
    try {
      return await this.options.shared.recordSeen(id, now, this.ttlMs);
    } catch (err) {
      this.options.onError?.(err);
      return true;
    }
  }
}
