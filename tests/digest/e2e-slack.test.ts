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
import { PNG } from 'pngjs';
import { chartService } from '../../src/charts/service.ts';
import type { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { captureLogger } from '../helpers/bot.ts';
import { makeScheduler, withApproved } from './helpers.ts';

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

  it('removed from a private channel: not_in_channel fails the day with what to do, the digest stays on, and arrives once invited back', async () => {
    h.fake.setChannel({ id: CHANNEL, is_private: true, is_member: true });
    await slash('digest subscribe', ADMIN);
    h.fake.setChannel({ id: CHANNEL, is_private: true, is_member: false });
    const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: bot.kb });
    await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
    await scheduler.tick(new Date('2026-11-30T07:30:00Z'));
    expect(posts()).toHaveLength(1);
    expect(delivered()).toHaveLength(0);
    expect(await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL })).toMatchObject({ active: true });
    const history = visibleText((await slash('digest history', MEMBER)).message as { blocks?: unknown });
    expect(history).toMatch(/30 November 2026: failed/);
    expect(history).toMatch(/not a member of the channel.*invite it/);
    h.fake.setChannel({ id: CHANNEL, is_private: true, is_member: true });
    await scheduler.tick(new Date('2026-12-01T07:00:00Z'));
    expect(delivered()).toHaveLength(1);
  });

  it('Slack 429 with Retry-After: retried later and recorded as retried; channel_not_found turns the digest off', async () => {
    await slash('digest subscribe', ADMIN);
    const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: bot.kb });
    // The posting client does not retry by itself: a 429 goes back to the scheduler with its Retry-After (1 s).
    h.fake.failNext('chat.postMessage', { rateLimited: 1 });
    await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
    expect(posts().map((c) => c.status)).toEqual([429]);
    await scheduler.tick(new Date('2026-11-30T07:00:10Z'));
    expect(delivered()).toHaveLength(1);
    const entries = await db.store.history({ platform: 'slack', channelId: CHANNEL }, 5);
    expect(entries.map((e) => e.status)).toEqual(['sent', 'retried']);
    expect(entries[1]!.reason).toMatch(/rate limited by the platform \(429\); next attempt in 1 s/);

    h.fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await scheduler.tick(new Date('2026-12-01T07:00:00Z'));
    await scheduler.tick(new Date('2026-12-02T07:00:00Z'));
    expect(posts()).toHaveLength(3); // the 429, the digest, the refused one; nothing on 2 December
    expect(delivered()).toHaveLength(1);
    const status = visibleText((await slash('digest status', MEMBER)).message as { blocks?: unknown });
    expect(status).toMatch(/off: channel gone or bot removed on 2026-12-01/);
  });

  describe('a post whose answer is lost is never repeated blind', () => {
    const messages = () => h.fake.messagesIn(CHANNEL);
    const claim = () => db.store.getClaim({ platform: 'slack', channelId: CHANNEL, localDate: '2026-11-30' });
    const statuses = async () => (await db.store.history({ platform: 'slack', channelId: CHANNEL }, 10)).map((e) => e.status);

    it('Slack posts the message, then answers 500: one message, recorded as sent with its ts', async () => {
      await slash('digest subscribe', ADMIN);
      h.fake.failNext('chat.postMessage', { statusAfterPosting: 500 });
      await makeScheduler(db.store, [h.slack.poster], { kb: bot.kb }).tick(new Date('2026-11-30T07:00:00Z'));
      expect(posts()).toHaveLength(1);
      expect(messages()).toHaveLength(1);
      expect(h.fake.callsTo('conversations.history').map((c) => c.args.include_all_metadata)).toEqual(['true']);
      expect(await claim()).toMatchObject({ status: 'sent', messageId: messages()[0]!.ts });
      expect((await db.store.history({ platform: 'slack', channelId: CHANNEL }, 1))[0]!.reason).toMatch(/did not confirm it.*found in the channel/);
    });

    it('Slack answers after the client gave up (timeout): one message, recorded as sent', async () => {
      await h.close();
      h = await startHarness(bot, { adminUserIds: [ADMIN], logLevel: 'warn', app: { timeoutMs: 300 } });
      await slash('digest subscribe', ADMIN);
      h.fake.failNext('chat.postMessage', { delayMs: 1500 });
      await makeScheduler(db.store, [h.slack.poster], { kb: bot.kb }).tick(new Date('2026-11-30T07:00:00Z'));
      expect(posts()).toHaveLength(1);
      expect(messages()).toHaveLength(1);
      expect(await claim()).toMatchObject({ status: 'sent', messageId: messages()[0]!.ts });
    });

    it('a 500 before anything was posted: not found in the history, retried later, one message', async () => {
      await slash('digest subscribe', ADMIN);
      h.fake.failNext('chat.postMessage', { status: 500 });
      const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: bot.kb });
      await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
      expect(messages()).toHaveLength(0);
      expect(await claim()).toMatchObject({ status: 'retrying' });
      await scheduler.tick(new Date('2026-11-30T07:01:00Z'));
      expect(messages()).toHaveLength(1);
      expect(posts()).toHaveLength(2);
      // Looked for right after the 500, and again before the second post.
      expect(h.fake.callsTo('conversations.history')).toHaveLength(2);
      expect(await statuses()).toEqual(['sent', 'retried']);
    });

    it('the history cannot be read (missing_scope): no second post until it can; then it is found', async () => {
      await slash('digest subscribe', ADMIN);
      h.fake.failNext('chat.postMessage', { statusAfterPosting: 502 });
      h.fake.failNext('conversations.history', { error: 'missing_scope' }, 2);
      const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: bot.kb });
      await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
      await scheduler.tick(new Date('2026-11-30T07:01:00Z'));
      expect(posts()).toHaveLength(1);
      expect((await claim())?.reason).toMatch(/could not check whether an earlier attempt had posted it.*missing_scope/);
      await scheduler.tick(new Date('2026-11-30T07:03:00Z'));
      expect(posts()).toHaveLength(1);
      expect(messages()).toHaveLength(1);
      expect(await claim()).toMatchObject({ status: 'sent', messageId: messages()[0]!.ts });
    });
  });

  describe('the chart after a digest whose troop figures changed', () => {
    // Day 1: the first digest (nothing changed, no chart). Then an editor approves the Italian figure of 6 August
    // 2023, and day 2's digest lists it and is followed by the Italian troop chart.
    const twoDays = async (log = captureLogger('silent').log) => {
      await slash('digest subscribe', ADMIN);
      let kb: KnowledgeBase = bot.kb;
      const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: () => kb, charts: chartService(), log });
      await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
      expect(h.fake.uploads).toHaveLength(0);
      kb = withApproved(bot.kb, 'italy-2023-08-06', '2026-11-30T12:00:00Z');
      await scheduler.tick(new Date('2026-12-01T07:00:00Z'));
      return scheduler;
    };

    it('the digest arrives once, then its chart: a PNG shared in the channel with alt text and sources', async () => {
      await twoDays();
      expect(delivered()).toHaveLength(2);
      expect(visibleText(delivered()[1]!.args as { blocks?: unknown })).toMatch(/New figure, approved 30 November 2026: Italian troops/);
      expect(h.fake.uploads).toHaveLength(1);
      const [upload] = h.fake.uploads;
      expect(upload!.filename).toBe('digest-troops-italy.png');
      expect(upload!.completed).toMatchObject({ channel: CHANNEL });
      expect(upload!.altTxt).toMatch(/Italy/);
      expect(upload!.completed!.initialComment).toMatch(/Sources: /);
      const png = PNG.sync.read(upload!.bytes!);
      expect(png.width).toBeGreaterThan(300);
      expect(png.height).toBeGreaterThan(150);
      // Not blank: more than one colour in the picture.
      const colours = new Set<number>();
      for (let i = 0; i < png.data.length; i += 4 * 97) colours.add(png.data.readUInt32BE(i));
      expect(colours.size).toBeGreaterThan(2);
      const claim = await db.store.getClaim({ platform: 'slack', channelId: CHANNEL, localDate: '2026-12-01' });
      expect(claim).toMatchObject({ status: 'sent', messageId: (delivered()[1]!.response as { ts?: string }).ts });
    });

    it('Slack posts the changed digest, then answers 500: found in the history, recorded once, its chart shared once', async () => {
      await slash('digest subscribe', ADMIN);
      let kb: KnowledgeBase = bot.kb;
      const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: () => kb, charts: chartService() });
      await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
      kb = withApproved(bot.kb, 'italy-2023-08-06', '2026-11-30T12:00:00Z');
      h.fake.failNext('chat.postMessage', { statusAfterPosting: 500 });
      await scheduler.tick(new Date('2026-12-01T07:00:00Z'));
      await scheduler.tick(new Date('2026-12-01T07:30:00Z'));
      expect(h.fake.messagesIn(CHANNEL).filter((m) => m.metadata)).toHaveLength(2);
      expect(posts()).toHaveLength(2);
      expect(h.fake.uploads).toHaveLength(1);
      expect(h.fake.uploads[0]!.completed).toMatchObject({ channel: CHANNEL });
      expect(await db.store.getClaim({ platform: 'slack', channelId: CHANNEL, localDate: '2026-12-01' })).toMatchObject({ status: 'sent', attempts: 1 });
    });

    it('a chart upload that fails: one digest, recorded as sent, a warning, and no retry', async () => {
      h.fake.failNext('files.getUploadURLExternal', { status: 500 });
      const scheduler = await twoDays();
      await scheduler.tick(new Date('2026-12-01T07:30:00Z'));
      await scheduler.tick(new Date('2026-12-01T09:00:00Z'));
      expect(delivered()).toHaveLength(2);
      expect(h.fake.callsTo('files.getUploadURLExternal')).toHaveLength(1);
      expect(h.fake.callsTo('files.completeUploadExternal')).toHaveLength(0);
      expect(await db.store.getClaim({ platform: 'slack', channelId: CHANNEL, localDate: '2026-12-01' })).toMatchObject({ status: 'sent', attempts: 1 });
      expect(h.logLines().join('\n')).toMatch(/could not upload the chart/);
    });
  });
});
