import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordNonce, DiscordPoster } from '../../src/adapters/discord/poster.ts';
import { discordRestOptions } from '../../src/adapters/discord/rest.ts';
import { DeliveryError } from '../../src/core/delivery.ts';
import { reply, type Reply } from '../../src/core/reply.ts';
import { visibleText, type InjectedFailure } from '../fakes/discord.ts';
import { captureLogger, testBot, TEST_CALLER } from '../helpers/bot.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let digest: Reply;
let channel = 1190000000000001000n;
/** A fresh channel per test, so recorded posts never mix. */
const nextChannel = () => String(++channel);

beforeAll(async () => {
  const bot = await testBot();
  h = await startHarness(bot);
  digest = await bot.handleText('troops France 2023-09', TEST_CALLER);
});

afterAll(async () => {
  await h?.close();
});

const postsTo = (channelId: string) => h.fake.requests.filter((r) => r.route === 'POST /channels/:id/messages' && r.path === `/channels/${channelId}/messages`);

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('DiscordPoster (channel messages for digests)', () => {
  it('posts the rendered reply with nonce, enforce_nonce and allowed_mentions {parse: []}', async () => {
    const id = nextChannel();
    const { messageId } = await h.adapter.poster.post(id, digest, 'digest-2023-09-05');
    const [req] = postsTo(id);
    expect(req!.body).toMatchObject({ nonce: 'digest-2023-09-05', enforce_nonce: true, allowed_mentions: { parse: [] } });
    expect(req!.headers.authorization).toMatch(/^Bot /);
    expect(h.fake.channelMessages(id).map((m) => m.id)).toEqual([messageId]);
    expect(visibleText(h.fake.channelMessages(id)[0])).toContain('1,500');
    expect(req!.body.flags).toBeUndefined();
  });

  it('a 429 with Retry-After is waited out and retried; the message arrives once', async () => {
    const id = nextChannel();
    h.fake.failNextChannelMessages(1, { kind: 'rate_limited', retryAfter: 0.3 });
    const { messageId } = await h.adapter.poster.post(id, digest, 'nonce-429');
    const posts = postsTo(id);
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(300);
    for (const p of posts) expect(p.body).toMatchObject({ nonce: 'nonce-429', enforce_nonce: true, allowed_mentions: { parse: [] } });
    expect(h.fake.channelMessages(id)).toHaveLength(1);
    expect(h.fake.channelMessages(id)[0].id).toBe(messageId);
  });

  it('a repeated delivery with the same nonce returns the first message instead of posting twice', async () => {
    const id = nextChannel();
    const first = await h.adapter.poster.post(id, digest, 'same-nonce');
    const second = await h.adapter.poster.post(id, digest, 'same-nonce');
    expect(second.messageId).toBe(first.messageId);
    expect(h.fake.channelMessages(id)).toHaveLength(1);
    expect(postsTo(id).map((r) => Boolean(r.deduplicated))).toEqual([false, true]);
  });

  it('a nonce longer than 25 characters is shortened to a stable one', async () => {
    const long = 'digest:1190000000000001234:2026-11-29';
    expect(discordNonce(long)).toHaveLength(25);
    expect(discordNonce(long)).toBe(discordNonce(long));
    expect(discordNonce(long)).not.toBe(discordNonce(`${long}x`));
    const id = nextChannel();
    await h.adapter.poster.post(id, digest, long);
    expect(postsTo(id)[0]!.body.nonce).toBe(discordNonce(long));
  });

  it.each<[string, InjectedFailure, DeliveryError['failure']]>([
    ['400 Invalid Form Body', { kind: 'invalid' }, 'rejected'],
    ['404 Unknown Channel', { kind: 'unknown_channel' }, 'channel_gone'],
    ['403 Missing Access', { kind: 'missing_access' }, 'channel_gone'],
    ['403 Missing Permissions', { kind: 'missing_permissions' }, 'channel_gone'],
  ])('%s → %s, without retrying', async (_name, injected, expected) => {
    const id = nextChannel();
    h.fake.failNextChannelMessages(1, injected);
    const err = await failure(h.adapter.poster.post(id, digest, 'n'));
    expect(err.failure).toBe(expected);
    expect(postsTo(id)).toHaveLength(1);
    expect(h.fake.channelMessages(id)).toHaveLength(0);
  });

  it('5xx is retried by discord.js (3 times) and then reported as transient', async () => {
    const id = nextChannel();
    h.fake.failNextChannelMessages(4, { kind: 'server_error', status: 503 });
    const err = await failure(h.adapter.poster.post(id, digest, 'n5xx'));
    expect(err.failure).toBe('transient');
    expect(postsTo(id).map((r) => r.status)).toEqual([503, 503, 503, 503]);
  });

  it('a 5xx followed by success posts once', async () => {
    const id = nextChannel();
    h.fake.failNextChannelMessages(1, { kind: 'server_error' });
    await h.adapter.poster.post(id, digest, 'n5xx-ok');
    expect(postsTo(id).map((r) => r.status)).toEqual([500, 200]);
    expect(h.fake.channelMessages(id)).toHaveLength(1);
  });

  it('a long Retry-After is not waited out: rate_limited with the wait, for the scheduler to retry later', async () => {
    const id = nextChannel();
    h.fake.failNextChannelMessages(1, { kind: 'rate_limited', retryAfter: 60 });
    const started = performance.now();
    const err = await failure(h.adapter.poster.post(id, digest, 'n-long'));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(err.failure).toBe('rate_limited');
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(59_000);
    expect(h.fake.channelMessages(id)).toHaveLength(0);
  });

  it('an unreachable API is transient', async () => {
    const rest = new REST(discordRestOptions({ apiUrl: 'http://127.0.0.1:1/api' }, { timeoutMs: 2000 })).setToken('x'.repeat(30));
    const poster = new DiscordPoster(rest, captureLogger('silent').log);
    const err = await failure(poster.post('1190000000000000200', digest, 'n'));
    expect(err.failure).toBe('transient');
  });

  it('a hostile digest fits the limits and pings nobody', async () => {
    const id = nextChannel();
    const hostile = reply({
      command: 'digest preview',
      title: '@everyone <@&123456789012345678> '.repeat(20),
      body: '@here <@123456789012345678> **x** '.repeat(400),
      items: Array.from({ length: 120 }, (_, i) => `${i} @everyone ${'long item '.repeat(40)}`),
      citations: digest.citations,
      asOf: '2026-11-29',
    });
    await h.adapter.poster.post(id, hostile, 'hostile');
    const [req] = postsTo(id);
    expect(req!.status).toBe(200); // the fake refuses anything over a limit with 400
    expect(req!.body.allowed_mentions).toEqual({ parse: [] });
    expect(req!.rawBody).not.toMatch(/@(everyone|here)/);
    expect(visibleText(req!.body)).toContain('more not shown');
  });
});
