import { createHash } from 'node:crypto';
import { DiscordAPIError, HTTPError, RateLimitError, Routes, type APIMessage, type REST } from 'discord.js';
import { DeliveryError, type ChannelPoster, type DeliveryTarget, type PostResult } from '../../core/delivery.ts';
import type { Reply } from '../../core/reply.ts';
import type { Logger } from '../../logger.ts';
import { escapeText, fitText, renderReply, withAttachments, type DiscordMessage } from './render.ts';
import { describeDiscordError } from './rest.ts';

/** Discord's limit for a message nonce. */
export const MAX_NONCE = 25;

/** Discord error codes meaning the channel cannot be posted to any more (bot removed, channel deleted, no access). */
const GONE_CODES = new Set([10003 /* Unknown Channel */, 50001 /* Missing Access */, 50013 /* Missing Permissions */, 10004 /* Unknown Guild */]);

/** A stable nonce within Discord's 25 characters: the caller's when it fits, else a hash of it. */
export function discordNonce(nonce: string): string {
  if (nonce.length > 0 && nonce.length <= MAX_NONCE) return nonce;
  return createHash('sha256').update(nonce).digest('base64url').slice(0, MAX_NONCE);
}

/** Maps an error from discord.js REST to the delivery failure the digest scheduler understands. */
export function classifyDiscordError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof RateLimitError) {
    return new DeliveryError(
      'rate_limited',
      `Discord rate limit on ${err.route}: retry after ${Math.ceil(err.retryAfter)} ms`,
      Math.ceil(Math.max(err.retryAfter, err.timeToReset)),
    );
  }
  if (err instanceof DiscordAPIError) {
    const message = `Discord refused the message: ${err.status} ${typeof err.code === 'number' ? `code ${err.code} ` : ''}${err.message}`;
    if (err.status === 429) return new DeliveryError('rate_limited', message);
    if (err.status === 404 || (typeof err.code === 'number' && GONE_CODES.has(err.code)) || err.status === 403) {
      return new DeliveryError('channel_gone', message);
    }
    // A refused token can be fixed by configuration: deliveries should resume then.
    if (err.status === 401) return new DeliveryError('transient', message);
    return new DeliveryError('rejected', message);
  }
  if (err instanceof HTTPError) return new DeliveryError('transient', `Discord server error ${err.status}: ${err.message}`);
  const message = err instanceof Error ? err.message : String(err);
  return new DeliveryError('transient', `Could not reach Discord: ${message}`);
}

/**
 * Posts digests (and any message the bot sends on its own) into a channel: `POST /channels/{id}/messages`
 * with the reply rendered exactly like an answer, `allowed_mentions: {parse: []}`, and the delivery's nonce
 * with `enforce_nonce`, so a retry after a lost response returns the first message instead of posting twice.
 * A 429 is waited out and retried by discord.js (up to the REST client's maximum wait, then `rate_limited`).
 */
export class DiscordPoster implements ChannelPoster {
  readonly platform = 'discord';

  constructor(
    private readonly rest: REST,
    private readonly log: Logger,
  ) {}

  async post(channelId: string, reply: Reply, nonce: string, target?: DeliveryTarget): Promise<PostResult> {
    const { message } = renderReply(reply);
    const body = {
      embeds: message.embeds,
      allowed_mentions: { parse: [] },
      nonce: discordNonce(nonce),
      enforce_nonce: true,
      // A reply to a message that was deleted is posted in the channel all the same.
      ...(target?.threadOf ? { message_reference: { message_id: target.threadOf, fail_if_not_exists: false } } : {}),
    };
    try {
      const res = (await this.rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
      if (!res?.id) throw new DeliveryError('transient', 'Discord returned no message id');
      return { messageId: res.id };
    } catch (err) {
      const failure = classifyDiscordError(err);
      this.log.warn({ err: describeDiscordError(err), channelId, failure: failure.failure }, 'Discord post failed');
      throw failure;
    }
  }

  /**
   * The digest's chart as a reply to it, right after it: the PNG uploaded (multipart, `files[0]`) with its alt text
   * and shown in an embed captioned with its sources. A message of its own, so a refused upload (no Attach Files, a
   * file too large) never touches the digest; its own nonce keeps a repeat from showing it twice.
   */
  async attach(channelId: string, messageId: string, reply: Reply): Promise<void> {
    const caption = reply.attachments?.[0]?.caption;
    const base: DiscordMessage = { embeds: [caption ? { description: fitText(escapeText(caption), 4096) } : {}], allowed_mentions: { parse: [] } };
    const { message, files } = withAttachments(base, reply);
    if (files.length === 0) return;
    const body = {
      ...message,
      message_reference: { message_id: messageId, fail_if_not_exists: false },
      nonce: discordNonce(`${messageId}:chart`),
      enforce_nonce: true,
    };
    try {
      await this.rest.post(Routes.channelMessages(channelId), { body, files: files.map(({ name, data, contentType }) => ({ name, data, contentType })) });
    } catch (err) {
      throw classifyDiscordError(err);
    }
  }
}
