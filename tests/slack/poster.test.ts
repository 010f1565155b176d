import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySlackError, DELIVERY_EVENT_TYPE } from '../../src/adapters/slack/poster.ts';
import type { Bot } from '../../src/core/bot.ts';
import { DeliveryError } from '../../src/core/delivery.ts';
import { checkMessage, visibleText } from '../fakes/slack.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { BOT_TOKEN, startHarness, type Harness } from './harness.ts';

let bot: Bot;
let h: Harness;

beforeAll(async () => {
  bot = await testBot();
  h = await startHarness(bot, { app: { retryConfig: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 20 } } });
});
afterAll(async () => {
  await h?.close();
});

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('SlackPoster (digests: ChannelPoster over chat.postMessage)', () => {
  it('posts the rendered reply once, with the nonce as message metadata, and returns the message ts', async () => {
    const reply = await bot.handleText('timeline limit:50', TEST_CALLER);
    const result = await h.slack.poster.post('C0DIGEST', reply, 'delivery-42');
    const calls = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0DIGEST');
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(result.messageId).toBe((call.response as { ts: string }).ts);
    expect(call.token).toBe(BOT_TOKEN);
    expect(call.args.metadata).toEqual({ event_type: DELIVERY_EVENT_TYPE, event_payload: { nonce: 'delivery-42' } });
    expect(call.args).toMatchObject({ parse: 'none', link_names: 'false', unfurl_links: 'false', unfurl_media: 'false', mrkdwn: 'false' });
    expect(checkMessage(call.args)).toBeUndefined();
    expect(Object.keys(call.args).sort()).toEqual(['blocks', 'channel', 'link_names', 'metadata', 'mrkdwn', 'parse', 'text', 'unfurl_links', 'unfurl_media']);
    const seen = visibleText(call.args);
    expect(seen).toContain(reply.title);
    expect(seen).toMatch(/…\d+ more not shown/);
    expect(h.slack.poster.platform).toBe('slack');
  });

  it('hands a 429 back as rate_limited with its Retry-After, without retrying by itself', async () => {
    h.fake.failNext('chat.postMessage', { rateLimited: 1 });
    const err = await failure(h.slack.poster.post('C0BUSY', await bot.handleText('ruler', TEST_CALLER), 'n-2'));
    expect(err.failure).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(1000);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0BUSY')).toHaveLength(1);
  });

  it.each([
    ['channel_not_found', 'channel_gone'],
    ['not_in_channel', 'not_in_channel'],
    ['is_archived', 'channel_gone'],
    ['account_inactive', 'channel_gone'],
    ['invalid_blocks', 'rejected'],
    ['msg_too_long', 'rejected'],
    ['msg_blocks_too_long', 'rejected'],
    ['internal_error', 'transient'],
    ['invalid_auth', 'transient'],
    ['ratelimited', 'rate_limited'],
  ] as const)('maps ok:false "%s" to %s without retrying', async (error, expected) => {
    const channel = `C0${error.toUpperCase().replace(/_/g, '')}`;
    h.fake.failNext('chat.postMessage', { error });
    const err = await failure(h.slack.poster.post(channel, await bot.handleText('ruler', TEST_CALLER), 'n'));
    expect(err.failure).toBe(expected);
    expect(err.message).toContain(error);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel)).toHaveLength(1);
  });

  it('never retries a 5xx by itself (Slack may have posted the message): transient, one call', async () => {
    h.fake.failNext('chat.postMessage', { status: 503 });
    const err = await failure(h.slack.poster.post('C0FLAKY', await bot.handleText('ruler', TEST_CALLER), 'n'));
    expect(err.failure).toBe('transient');
    expect(
      h.fake
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === 'C0FLAKY')
        .map((c) => c.status),
    ).toEqual([503]);
  });

  it('finds a digest by its nonce in the channel history since the first attempt, and only that one', async () => {
    const since = Date.now();
    const reply = await bot.handleText('ruler', TEST_CALLER);
    const posted = await h.slack.poster.post('C0HIST', reply, 'nonce-a');
    await h.slack.poster.post('C0HIST', reply, 'nonce-b');
    expect(await h.slack.poster.findDelivery('C0HIST', 'nonce-a', since)).toEqual(posted);
    expect(await h.slack.poster.findDelivery('C0HIST', 'nonce-c', since)).toBeNull();
    expect(await h.slack.poster.findDelivery('C0EMPTY', 'nonce-a', since)).toBeNull();
    const lookup = h.fake.callsTo('conversations.history').at(-1)!;
    expect(lookup.args).toMatchObject({ channel: 'C0EMPTY', include_all_metadata: 'true' });
    expect(Number(lookup.args.oldest)).toBeLessThan(since / 1000);
  });

  it('a history it cannot read, or too long to read, is an error, never "not there"', async () => {
    h.fake.failNext('conversations.history', { error: 'missing_scope' });
    const err = await failure(h.slack.poster.findDelivery('C0NOSCOPE', 'n', Date.now()));
    expect(err.failure).toBe('transient');
    expect(err.message).toMatch(/conversations\.history failed: missing_scope/);
    const reply = await bot.handleText('ruler', TEST_CALLER);
    const since = Date.now();
    await Promise.all(Array.from({ length: 1001 }, (_, i) => h.slack.poster.post('C0BUSYCHAN', reply, `other-${i}`)));
    const long = await failure(h.slack.poster.findDelivery('C0BUSYCHAN', 'not-there', since));
    expect(long.message).toMatch(/more than 1000 messages since the first attempt/);
  });

  it('classifies client errors it may meet', () => {
    expect(classifySlackError({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 })).toMatchObject({ failure: 'rate_limited', retryAfterMs: 30_000 });
    expect(classifySlackError({ code: 'slack_webapi_request_error', message: 'ECONNREFUSED' }).failure).toBe('transient');
    expect(classifySlackError({ code: 'slack_webapi_http_error', statusCode: 400 }).failure).toBe('rejected');
    expect(classifySlackError({ code: 'slack_webapi_platform_error', data: { error: 'something_new' } }).failure).toBe('rejected');
    expect(classifySlackError(new Error('socket hang up')).failure).toBe('transient');
  });
});
