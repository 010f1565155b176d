import type { TroopChartRequest } from './charts-port.ts';
import type { Reply } from './reply.ts';

/**
 * The port through which commands reach daily digests. The implementation lives in src/digest/
 * (it needs storage and a scheduler); the core only knows this interface, so it never imports it.
 */

/** A channel on a platform: the unit that subscribes. */
export interface DigestChannel {
  platform: string;
  channelId: string;
  /** Slack team or Discord guild (used for pacing and shown in logs). */
  workspaceId?: string;
}

/** When a channel's digest goes out: a local wall-clock time in an IANA time zone. */
export interface DigestSchedule {
  /** "HH:MM", 24-hour. */
  time: string;
  /** IANA zone, e.g. "Africa/Niamey". */
  timeZone: string;
}

export interface DigestSubscriptionInfo extends DigestSchedule {
  /** The catalog language the digest is written in. */
  lang: string;
  active: boolean;
  /** Why the subscription stopped (unsubscribed, channel gone …), when it is not active. */
  disabledReason: string | null;
  /** The next delivery instant (UTC), null when not active. */
  nextDueAt: Date | null;
  /** The channel-local date of the next delivery. */
  nextLocalDate: string | null;
  createdBy: string;
  updatedAt: Date;
}

export type DigestLogStatus = 'sent' | 'late' | 'skipped' | 'rejected' | 'retried' | 'failed' | 'disabled' | 'corrected';

/** One line of a channel's delivery log: what happened to a digest, and why. */
export interface DigestLogEntry {
  at: Date;
  /** The channel-local date the digest was for. */
  localDate: string;
  status: DigestLogStatus;
  reason: string | null;
  messageId: string | null;
}

export interface DigestPreview {
  /** Exactly what the next digest will post (built by the same function as the delivery). */
  reply: Reply;
  localDate: string;
  dueAt: Date;
  subscribed: boolean;
  /** The troop chart that will follow the digest (its figures changed); absent or null: none. */
  chart?: DigestChartSpec | null;
}

/** What a digest's chart draws, and its words in the digest's language. */
export interface DigestChartSpec {
  /** The file name: `digest-troops-italy.png`. */
  name: string;
  request: TroopChartRequest;
  alt: string;
  caption: string;
}

export interface DigestService {
  /** Shown in help and replies: 08:00 Africa/Niamey. */
  readonly defaults: DigestSchedule;
  /** Creates or changes the channel's subscription (schedule already validated). */
  subscribe(
    channel: DigestChannel,
    /** With the digest's language (default English). */
    schedule: DigestSchedule & { lang?: string },
    by: string,
    now: Date,
  ): Promise<{ subscription: DigestSubscriptionInfo; created: boolean }>;
  /** Stops the channel's digest; false when there was no active subscription. */
  unsubscribe(channel: DigestChannel, by: string, now: Date): Promise<boolean>;
  subscription(channel: DigestChannel): Promise<DigestSubscriptionInfo | null>;
  /** The subscriptions of a workspace (Slack team, Discord guild), active or not, active first; at most `limit`. */
  workspaceSubscriptions(platform: string, workspaceId: string, limit: number): Promise<(DigestSubscriptionInfo & { channel: DigestChannel })[]>;
  /** In the subscription's language; `lang` for a channel without one (what subscribing would give). */
  preview(channel: DigestChannel, now: Date, lang?: string): Promise<DigestPreview>;
  /** The delivery log, newest first. */
  history(channel: DigestChannel, limit: number): Promise<DigestLogEntry[]>;
}
