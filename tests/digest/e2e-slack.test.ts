// End to end through the real Slack adapter (Bolt) and the fake Slack: subscribe with a signed
// slash command, advance the clock, the digest arrives in the channel through chat.postMessage.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { nonceFor } from '../../src/digest/scheduler.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import { visibleText } from '../fakes/slack.ts';
import { testBot } from '../helpers/bot.ts';
import { slashOverHttp, startHarness, type Harness } from '../slack/harness.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { makeScheduler } from './helpers.ts';

const ADMIN = 'U0ADMIN001';
const MEMBER = 'U0MEMBER01';
const CHANNEL = 'C0DIGEST01';

describe('digests end to end through Slack (Bolt + fake Slack)', () => {
  let db: TestDb;
  let bot: Bot;
  let h: Harness;
  beforeEach(async () => {
    db = await sqliteBackend.open();
    const services = { digest: new StoreDigestService(db.store, () => bot.kb) };
    bot = await testBot({ services });
    h = await startHarness(bot, { adminUserIds: [ADMIN], logLevel: 'warn' });
  });
  afterEach(async () => {
    await h?.close();
    await db?.cleanup();
  });

  const slash = (text: string, user: string) => slashOverHttp(h, text, { user_id: user, channel_id: CHANNEL });
  const posts = () => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL);
  const delivered = () => posts().filter((c) => (c.response as { ok?: boolean }).ok === true);

  it('subscribe by slash command; at 08:00 Niamey the digest is in the channel (Tiani, no French troops since 22 December 2023)', async () => {
    const refused = await slash('digest subscribe', MEMBER);
    expect(refused.message.response_type).toBe('ephemeral');
    expect(visibleText(refused.message as { blocks?: unknown })).toMatch(/Only people who can manage this channel/);
    expect(await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL })).toBeNull();

    const ok = await slash('digest subscribe time:08:00 timezone:Africa/Niamey', ADMIN);
    expect(ok.message.response_type).toBe('ephemeral');
    expect(visibleText(ok.message as { blocks?: unknown })).toContain('Monday 30 November 2026, 08:00 Africa/Niamey');
    expect(await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL })).toMatchObject({ workspaceId: h.fake.teamId, time: '08:00' });

    const preview = await slash('digest preview', MEMBER);
    const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: bot.kb });
    await scheduler.tick(new Date('2026-11-30T06:59:00Z'));
    expect(posts()).toHaveLength(0);
    await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
    await scheduler.tick(new Date('2026-11-30T07:01:00Z'));
    expect(posts()).toHaveLength(1);
    const [call] = posts();
    const text = visibleText(call!.args as { blocks?: unknown });
    expect(text).toContain('Niger Watch daily digest — 30 November 2026');
    expect(text).toContain('Abdourahamane Tiani');
    expect(text).toMatch(/French troops[\s\S]{0,20}none — as of 22 December 2023/);
    expect(call!.args.metadata).toMatchObject({ event_payload: { nonce: nonceFor({ platform: 'slack', channelId: CHANNEL, localDate: '2026-11-30' }) } });
    // The preview showed the same digest.
    expect(visibleText(preview.message as { blocks?: unknown })).toBe(text);

    const status = visibleText((await slash('digest status', MEMBER)).message as { blocks?: unknown });
    expect(status).toContain('Next delivery: Tuesday 1 December 2026, 08:00 Africa/Niamey');
    const history = visibleText((await slash('digest history', MEMBER)).message as { blocks?: unknown });
    expect(history).toMatch(/30 November 2026: sent/);
    expect(history).toContain(String((call!.response as { ts?: string }).ts));
  });

  it('Slack 429 with Retry-After: retried later and recorded as retried; channel_not_found turns the digest off', async () => {
    await slash('digest subscribe', ADMIN);
    const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: bot.kb });
    // More 429s than the Web API client retries: the adapter gives up with rate_limited (Retry-After 1 s).
    h.fake.failNext('chat.postMessage', { rateLimited: 1 }, 3);
    await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
    expect(posts().map((c) => c.status)).toEqual([429, 429, 429]);
    // (the client's own retries waited out Retry-After twice during that tick)
    await scheduler.tick(new Date('2026-11-30T07:00:10Z'));
    expect(delivered()).toHaveLength(1);
    const entries = await db.store.history({ platform: 'slack', channelId: CHANNEL }, 5);
    expect(entries.map((e) => e.status)).toEqual(['sent', 'retried']);
    expect(entries[1]!.reason).toMatch(/rate limited by the platform \(429\); next attempt in 1 s/);

    h.fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await scheduler.tick(new Date('2026-12-01T07:00:00Z'));
    await scheduler.tick(new Date('2026-12-02T07:00:00Z'));
    expect(posts()).toHaveLength(5); // 3 × 429, the digest, the refused one; nothing on 2 December
    expect(delivered()).toHaveLength(1);
    const status = visibleText((await slash('digest status', MEMBER)).message as { blocks?: unknown });
    expect(status).toMatch(/off: channel gone or bot removed on 2026-12-01/);
  });
});
