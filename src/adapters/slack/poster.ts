import type { webApi } from '@slack/bolt';
import { DeliveryError, type ChannelPoster, type DeliveryFailure, type DeliveryTarget, type PostResult } from '../../core/delivery.ts';
import type { Reply } from '../../core/reply.ts';
import type { Logger } from '../../logger.ts';
import { shareAttachments } from './files.ts';
import { renderMessage } from './render.ts';

/** Options on every message the adapter posts: no link or mention parsing, no previews. */
export const SAFE_MESSAGE_OPTIONS = {
  parse: 'none',
  link_names: false,
  unfurl_links: false,
  unfurl_media: false,
  mrkdwn: false,
} as const;

/** The `metadata.event_type` of posted digests; `event_payload.nonce` identifies one delivery. */
export const DELIVERY_EVENT_TYPE = 'niger_watch_delivery';

/** Slack `error` codes (ok:false) by what the caller should do about them. */
const GONE = new Set([
  'channel_not_found',
  'is_archived',
  'channel_is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'team_access_not_granted',
  'access_denied',
  'account_inactive',
  'token_revoked',
  'ekm_access_denied',
]);
const REJECTED = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_arguments',
  'invalid_arg_name',
  'invalid_array_arg',
  'invalid_charset',
  'invalid_form_data',
  'invalid_post_type',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'duplicate_message_not_found',
]);
const TRANSIENT = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
  // Configuration problems: deliveries can succeed again once the token is fixed, so they are retried
  // later rather than treated as a gone channel.
  'invalid_auth',
  'not_authed',
  'not_allowed_token_type',
  'missing_scope',
]);

/** Maps an error from @slack/web-api to the delivery failure the digest scheduler understands. */
export function classifySlackError(err: unknown, method = 'chat.postMessage'): DeliveryError {
  const e = err as { code?: string; message?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number };
  const message = `Slack ${method} failed: ${e?.data?.error ?? e?.message ?? String(err)}`;
  const fail = (failure: DeliveryFailure, retryAfterMs?: number) => new DeliveryError(failure, message, retryAfterMs);
  // The client retries a 429 under its retryConfig; when the retries run out it throws a request error
  // "A request error occurred: A rate limit was exceeded (url: …, retry-after: N)".
  const rateLimited = /rate limit was exceeded.*retry-after: (\d+)/i.exec(e?.message ?? '');
  if (rateLimited) return fail('rate_limited', Number(rateLimited[1]) * 1000);
  switch (e?.code) {
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? '';
      if (code === 'ratelimited' || code === 'rate_limited' || code === 'message_limit_exceeded') return fail('rate_limited');
      // With chat:write.public the bot posts in public channels it has not joined: this is a private one it is not in.
      if (code === 'not_in_channel') return fail('not_in_channel');
      if (GONE.has(code)) return fail('channel_gone');
      if (REJECTED.has(code)) return fail('rejected');
      if (TRANSIENT.has(code)) return fail('transient');
      // An unknown refusal: the content or the call is wrong, and retrying the same call cannot help.
      return fail('rejected');
    }
    case 'slack_webapi_rate_limited_error':
      return fail('rate_limited', typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : undefined);
    case 'slack_webapi_http_error':
      return fail(e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500 ? 'rejected' : 'transient');
    case 'slack_webapi_request_error':
      return fail('transient');
    default:
      return fail('transient');
  }
}

/**
 * The clients that post into a workspace's channels and read their history. `post` must not retry on its own
 * (see SlackPoster); `read` may.
 */
export interface SlackClients {
  post: webApi.WebClient;
  read: webApi.WebClient;
}

/**
 * The clients for the workspace a digest goes to: always the same pair with one bot token; installed in
 * several workspaces, a pair with that workspace's token. Throws a DeliveryError when there is none to post
 * with (`channel_gone` when the workspace has no installation, `transient` when the store cannot say).
 */
export type ClientsFor = (target: DeliveryTarget | undefined) => SlackClients | Promise<SlackClients>;

/** How far back, before the first attempt started, a delivery is looked for (clock skew with Slack). */
const HISTORY_SKEW_MS = 60_000;
/** Pages of conversations.history read when looking for a delivery (200 messages each). */
const HISTORY_PAGES = 5;

/**
 * Posts digests (and any message the bot sends on its own) into a channel with chat.postMessage. The reply
 * is rendered exactly like an answer — one message, trimmed to Slack's limits. Slack has no idempotency
 * key: the nonce is attached as message metadata, and `findDelivery` looks for it in the channel's
 * history, so a post whose answer was lost is recognised instead of sent again.
 *
 * The posting client must not retry on its own (retries: 0, rejectRateLimitedCalls): a 5xx or a timeout may
 * come after Slack posted the message, and the web client's automatic retry would post it twice. The
 * scheduler decides what happens next; the reading client (history) may retry as it likes. Both are those
 * of the channel's workspace (`clientsFor`).
 */
export class SlackPoster implements ChannelPoster {
  readonly platform = 'slack';

  constructor(
    private readonly clientsFor: ClientsFor,
    private readonly log: Logger,
  ) {}

  async findDelivery(channelId: string, nonce: string, sinceMs: number, target?: DeliveryTarget): Promise<PostResult | null> {
    const { read } = await this.clientsFor(target);
    let cursor: string | undefined;
    try {
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const res = await read.conversations.history({
          channel: channelId,
          oldest: ((sinceMs - HISTORY_SKEW_MS) / 1000).toFixed(6),
          include_all_metadata: true,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const m of res.messages ?? []) {
          const meta = m.metadata as { event_type?: string; event_payload?: { nonce?: unknown } } | undefined;
          if (meta?.event_type === DELIVERY_EVENT_TYPE && meta.event_payload?.nonce === nonce && m.ts) return { messageId: m.ts };
        }
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!res.has_more || !cursor) return null;
      }
    } catch (err) {
      const failure = classifySlackError(err, 'conversations.history');
      this.log.warn({ err, channelId, failure: failure.failure }, 'could not look for a digest in the channel history');
      // Whatever Slack said, the question stays open: never "not there" on a failed lookup.
      throw new DeliveryError(failure.failure === 'rate_limited' ? 'rate_limited' : 'transient', failure.message, failure.retryAfterMs);
    }
    // More messages since the attempt than we read: we cannot say it is not there.
    throw new DeliveryError(
      'transient',
      `Slack conversations.history: more than ${HISTORY_PAGES * 200} messages since the first attempt; not posting again blind`,
    );
  }

  async post(channelId: string, reply: Reply, nonce: string, target?: DeliveryTarget): Promise<PostResult> {
    const message = renderMessage(reply);
    const { post } = await this.clientsFor(target);
    try {
      const res = await post.chat.postMessage({
        channel: channelId,
        ...message,
        ...SAFE_MESSAGE_OPTIONS,
        ...(target?.threadOf ? { thread_ts: target.threadOf } : {}),
        metadata: { event_type: DELIVERY_EVENT_TYPE, event_payload: { nonce } },
      });
      if (!res.ts) throw new DeliveryError('transient', 'Slack chat.postMessage returned no message ts');
      return { messageId: res.ts };
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const failure = classifySlackError(err);
      this.log.warn({ err, channelId, failure: failure.failure }, 'Slack post failed');
      throw failure;
    }
  }

  /**
   * The digest's chart, shared in the channel right after it (the same upload flow as answers' charts). The posting
   * client never retries, so a failed upload is not repeated; shareAttachments logs it and the digest stands.
   */
  async attach(channelId: string, _messageId: string, reply: Reply, target?: DeliveryTarget): Promise<void> {
    const { post } = await this.clientsFor(target);
    await shareAttachments(post, reply, { channel: channelId }, this.log);
  }
}
