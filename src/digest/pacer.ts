/**
 * Spaces posts out so the platforms' limits are never hit: Slack allows about one message per
 * second per channel (plus a workspace limit), Discord 50 requests per second for the whole bot.
 * Each post reserves a slot on every key it touches (channel, workspace, global); a 429 blocks
 * its key until Retry-After has passed.
 */
export interface PlatformPacing {
  /** Minimum gap between two posts into one channel. */
  perChannelMs?: number;
  /** Minimum gap between two posts into one workspace (Slack team, Discord guild). */
  perWorkspaceMs?: number;
  /** Minimum gap between two posts of this platform from this instance. */
  globalMs?: number;
}

/**
 * Defaults per platform. Slack: 1 post/s per channel, 5/s per workspace ("several hundred per
 * minute"). Discord: 12.5/s per instance, so two instances together stay at 25/s, half of
 * Discord's global 50 requests/s (discord.js also honours the global limit itself).
 */
export const DEFAULT_PACING: Readonly<Record<string, PlatformPacing>> = {
  slack: { perChannelMs: 1000, perWorkspaceMs: 200 },
  discord: { perChannelMs: 1000, globalMs: 80 },
};

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface Slot {
  key: string;
  intervalMs: number;
}

export class Pacer {
  private readonly nextFree = new Map<string, number>();
  private acquisitions = 0;

  constructor(private readonly clock: PacerClock = REAL_CLOCK) {}

  /** Waits until every key is free, reserving the next slot on each. */
  async acquire(slots: Slot[]): Promise<number> {
    const now = this.clock.now();
    let at = now;
    for (const s of slots) at = Math.max(at, this.nextFree.get(s.key) ?? 0);
    for (const s of slots) if (s.intervalMs > 0 || this.nextFree.has(s.key)) this.nextFree.set(s.key, at + s.intervalMs);
    if (++this.acquisitions % 1000 === 0) this.prune(now);
    if (at > now) await this.clock.sleep(at - now);
    return at;
  }

  /** Nothing may use `key` before `until` (a 429's Retry-After). */
  block(key: string, until: number): void {
    this.nextFree.set(key, Math.max(this.nextFree.get(key) ?? 0, until));
  }

  /** Keys whose slot has passed carry no information: dropping them keeps memory flat. */
  private prune(now: number): void {
    for (const [key, at] of this.nextFree) if (at <= now) this.nextFree.delete(key);
  }

  get size(): number {
    return this.nextFree.size;
  }
}

export function slotsFor(pacing: PlatformPacing | undefined, platform: string, channelId: string, workspaceId: string | null): Slot[] {
  if (!pacing) return [];
  const slots: Slot[] = [{ key: `${platform}:channel:${channelId}`, intervalMs: pacing.perChannelMs ?? 0 }];
  if (pacing.perWorkspaceMs && workspaceId) slots.push({ key: `${platform}:workspace:${workspaceId}`, intervalMs: pacing.perWorkspaceMs });
  if (pacing.globalMs) slots.push({ key: `${platform}:global`, intervalMs: pacing.globalMs });
  return slots;
}
