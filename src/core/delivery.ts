import type { Reply } from './reply.ts';

/**
 * How a platform adapter posts a message into a channel on its own initiative (digests), as
 * opposed to answering a command. Adapters implement it; the digest scheduler only sees this.
 */
export interface ChannelPoster {
  readonly platform: string;
  /**
   * Posts the reply, split or trimmed to the platform's limits. `nonce` is stable for one delivery:
   * platforms that support idempotency (Discord's enforce_nonce) use it so a retry cannot post twice.
   * `target` says whose channel it is: an app installed in several Slack workspaces posts with that
   * workspace's token.
   */
  post(channelId: string, reply: Reply, nonce: string, target?: DeliveryTarget): Promise<PostResult>;
  /**
   * Looks in the channel for a message posted with this nonce since `sinceMs` (an attempt whose
   * answer never came may have posted it). Platforms whose own idempotency covers a repeat
   * (Discord's enforce_nonce) need not implement it. Null when it is not there; throws a
   * DeliveryError when the platform cannot say.
   */
  findDelivery?(channelId: string, nonce: string, sinceMs: number, target?: DeliveryTarget): Promise<PostResult | null>;
  /**
   * Shows the reply's files (a digest's chart) right after its message `messageId` was posted and recorded. Called
   * at most once per delivery and never retried: the message already says everything the files show, so a failure
   * (thrown, or logged by the adapter) costs the picture only. Platforms that show no files need not implement it.
   */
  attach?(channelId: string, messageId: string, reply: Reply, target?: DeliveryTarget): Promise<void>;
}

/** The workspace (Slack team, Discord guild) a channel belongs to, as its subscription recorded it. */
export interface DeliveryTarget {
  workspaceId: string | null;
  /** The message to reply under (a correction under the digest it corrects): Slack thread_ts, Discord message reference. */
  threadOf?: string;
}

/** A message the bot posted (a digest, an answer in a channel) and the entries ("kind/entry id") it carried. */
export interface CarriedPost {
  platform: string;
  channelId: string;
  messageId: string;
  /** The thread the post is in (a Slack answer under its question): its correction goes there. */
  threadOf?: string | null;
  workspaceId: string | null;
  kind: 'digest' | 'answer';
  lang: string;
  postedAt: number;
  entryKeys: string[];
}

/** Where posts record what they carried, so that a later correction of an entry is threaded under them. */
export interface PostRecorder {
  recordPost(post: CarriedPost): Promise<void>;
}

export interface PostResult {
  /** The platform's id of the (first) message posted. */
  messageId: string;
}

export type DeliveryFailure =
  /** 429 that outlasted the adapter's own retries: try again later. */
  | 'rate_limited'
  /** 400: the content is wrong; retrying cannot help. */
  | 'rejected'
  /** The channel is gone or the bot was removed: stop delivering there. */
  | 'channel_gone'
  /**
   * The bot is not a member of the channel (Slack's not_in_channel: a private channel it was never invited to or
   * was removed from). Someone can invite it: the day's digest fails with that reason, the subscription stays on.
   */
  | 'not_in_channel'
  /** Network or 5xx: try again later. */
  | 'transient';

export class DeliveryError extends Error {
  constructor(
    readonly failure: DeliveryFailure,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
