// End to end through the real Discord adapter (discord.js) and the fake Discord: subscribe with an
// INTERACTION_CREATE, advance the clock, the digest arrives as a channel message carrying the
// delivery's nonce with enforce_nonce — so even a sender that dies after posting cannot post twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import type { ChannelPoster } from '../../src/core/delivery.ts';
import { nonceFor } from '../../src/digest/scheduler.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import { MANAGE_CHANNELS, visibleText } from '../fakes/discord.ts';
import { testBot } from '../helpers/bot.ts';
import { GUILD_ID, startHarness, type Harness } from '../discord/harness.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { PNG } from 'pngjs';
import { chartService } from '../../src/charts/service.ts';
import type { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { captureLogger } from '../helpers/bot.ts';
import { makeScheduler, withApproved } from './helpers.ts';

const CHANNEL = '1190000000000777001';
const MANAGER = '1190000000000888001';
const MEMBER = '1190000000000888002';

describe('digests end to end through Discord (discord.js + fake Discord)', () => {
  let db: TestDb;
  let bot: Bot;
  let h: Harness;
  beforeEach(async () => {
    db = await sqliteBackend.open();
    bot = await testBot({ services: { digest: new StoreDigestService(db.store, () => bot.kb) } });
    h = await startHarness(bot);
  });
  afterEach(async () => {
    await h?.close();
    await db?.cleanup();
  });

  const command = async (path: string, options: Record<string, string>, userId: string, manager: boolean) => {
    const sent = h.fake.dispatchInteraction({
      path,
      options,
      guildId: GUILD_ID,
      channelId: CHANNEL,
      userId,
      ...(manager ? { permissions: MANAGE_CHANNELS } : {}),
    });
    return sent.result();
  };
  const channelPosts = () => h.fake.requests.filter((r) => r.route === 'POST /channels/:id/messages' && r.path === `/channels/${CHANNEL}/messages`);

  it('/niger-digest subscribe and unsubscribe run the digest commands, with the run-time permission check kept', async () => {
    const admin = (sub: string, options: Record<string, string>, userId: string, manager: boolean) =>
      h.fake
        .dispatchInteraction({
          command: 'niger-digest',
          path: sub,
          options,
          guildId: GUILD_ID,
          channelId: CHANNEL,
          userId,
          ...(manager ? { permissions: MANAGE_CHANNELS } : {}),
        })
        .result();
    // Discord shows /niger-digest to Manage Channels by default, but a server may grant it to anyone: the core refuses.
    const refused = await admin('subscribe', { time: '09:15' }, MEMBER, false);
    expect(refused.ephemeral).toBe(true);
    expect(visibleText(refused.message)).toMatch(/Only people who can manage this channel/);
    expect(await db.store.getSubscription({ platform: 'discord', channelId: CHANNEL })).toBeNull();

    const ok = await admin('subscribe', { time: '09:15', timezone: 'Europe/Paris' }, MANAGER, true);
    expect(visibleText(ok.message)).toContain('09:15 Europe/Paris');
    expect(await db.store.getSubscription({ platform: 'discord', channelId: CHANNEL })).toMatchObject({
      active: true,
      time: '09:15',
      timeZone: 'Europe/Paris',
    });
    const stopped = await admin('unsubscribe', {}, MANAGER, true);
    expect(stopped.ephemeral).toBe(true);
    expect(await db.store.getSubscription({ platform: 'discord', channelId: CHANNEL })).toMatchObject({ active: false });
    // Another application's command is still not ours.
    const other = await h.fake.dispatchInteraction({ command: 'weather', path: 'now', guildId: GUILD_ID, channelId: CHANNEL }).result();
    expect(visibleText(other.message)).toMatch(/weather/);
  });

  it('subscribe by slash command (Manage Channels); at 08:00 Niamey the digest is posted with its nonce', async () => {
    const refused = await command('digest subscribe', {}, MEMBER, false);
    expect(refused.ephemeral).toBe(true);
    expect(visibleText(refused.message)).toMatch(/Only people who can manage this channel/);
    expect(await db.store.getSubscription({ platform: 'discord', channelId: CHANNEL })).toBeNull();

    const ok = await command('digest subscribe', { time: '08:00', timezone: 'Africa/Niamey' }, MANAGER, true);
    expect(ok.ephemeral).toBe(true);
    expect(visibleText(ok.message)).toContain('Monday 30 November 2026, 08:00 Africa/Niamey');
    expect(await db.store.getSubscription({ platform: 'discord', channelId: CHANNEL })).toMatchObject({ workspaceId: GUILD_ID, time: '08:00' });

    const preview = await command('digest preview', {}, MEMBER, false);
    expect(preview.ephemeral).toBe(true);
    const scheduler = makeScheduler(db.store, [h.adapter.poster], { kb: bot.kb });
    await scheduler.tick(new Date('2026-11-30T06:59:00Z'));
    expect(h.fake.channelMessages(CHANNEL)).toHaveLength(0);
    await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
    await scheduler.tick(new Date('2026-11-30T07:01:00Z'));
    const messages = h.fake.channelMessages(CHANNEL);
    expect(messages).toHaveLength(1);
    const text = visibleText(messages[0]);
    expect(text).toContain('Niger Watch daily digest — 30 November 2026');
    expect(text).toContain('Abdourahamane Tiani');
    expect(text).toMatch(/French troops: none — as of 22 December 2023/);
    expect(visibleText(preview.message)).toBe(text);
    expect(channelPosts()[0]!.body).toMatchObject({
      nonce: nonceFor({ platform: 'discord', channelId: CHANNEL, localDate: '2026-11-30' }),
      enforce_nonce: true,
      allowed_mentions: { parse: [] },
    });
    const history = visibleText((await command('digest history', {}, MEMBER, false)).message);
    expect(history).toContain(`30 November 2026: sent`);
    expect(history).toContain(messages[0].id);
  });

  it('a sender that dies after Discord accepted the post: the instance taking over reposts with the same nonce, and Discord keeps one message', async () => {
    await command('digest subscribe', {}, MANAGER, true);
    // Instance A's post reaches Discord, then A stops before recording it (killed).
    const dying: ChannelPoster = {
      platform: 'discord',
      post: async (channelId, reply, nonce) => {
        await h.adapter.poster.post(channelId, reply, nonce);
        return new Promise(() => undefined);
      },
    };
    const a = makeScheduler(db.store, [dying], { kb: bot.kb, instanceId: 'instance-A', leaseMs: 120_000 });
    const b = makeScheduler(db.store, [h.adapter.poster], { kb: bot.kb, instanceId: 'instance-B', leaseMs: 120_000 });
    void a.tick(new Date('2026-11-30T07:00:00Z'));
    await h.fake.waitFor((r) => r.route === 'POST /channels/:id/messages' && r.path === `/channels/${CHANNEL}/messages`);
    await b.tick(new Date('2026-11-30T07:02:01Z')); // A's lease has run out
    expect(channelPosts()).toHaveLength(2);
    expect(channelPosts()[1]!.deduplicated).toBe(true);
    expect(h.fake.channelMessages(CHANNEL)).toHaveLength(1);
    const claim = await db.store.getClaim({ platform: 'discord', channelId: CHANNEL, localDate: '2026-11-30' });
    expect(claim).toMatchObject({ status: 'sent', owner: 'instance-B', messageId: h.fake.channelMessages(CHANNEL)[0].id });
  });

  it('a removed bot (403 Missing Access) turns the channel’s digest off with the reason', async () => {
    await command('digest subscribe', {}, MANAGER, true);
    h.fake.failNextChannelMessages(1, { kind: 'missing_access' });
    const scheduler = makeScheduler(db.store, [h.adapter.poster], { kb: bot.kb });
    await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
    await scheduler.tick(new Date('2026-12-01T07:00:00Z'));
    expect(channelPosts()).toHaveLength(1);
    const status = visibleText((await command('digest status', {}, MEMBER, false)).message);
    expect(status).toMatch(/off: channel gone or bot removed on 2026-11-30/);
  });

  describe('the chart after a digest whose troop figures changed', () => {
    const twoDays = async () => {
      await command('digest subscribe', {}, MANAGER, true);
      let kb: KnowledgeBase = bot.kb;
      const logger = captureLogger('warn');
      const scheduler = makeScheduler(db.store, [h.adapter.poster], { kb: () => kb, charts: chartService(), log: logger.log });
      await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
      expect(h.fake.channelMessages(CHANNEL)).toHaveLength(1);
      kb = withApproved(bot.kb, 'italy-2023-08-06', '2026-11-30T12:00:00Z');
      return { scheduler, logger, next: () => scheduler.tick(new Date('2026-12-01T07:00:00Z')) };
    };

    it('the digest arrives once, then its chart as a reply to it: a PNG attachment with alt text, in an embed', async () => {
      const { next } = await twoDays();
      await next();
      const messages = h.fake.channelMessages(CHANNEL);
      expect(messages).toHaveLength(3);
      const [digest, chart] = [messages[1], messages[2]];
      expect(visibleText(digest)).toMatch(/New figure, approved 30 November 2026: Italian troops/);
      expect(digest.attachments).toEqual([]);
      const upload = channelPosts()[2]!;
      expect(upload.body).toMatchObject({
        message_reference: { message_id: digest.id },
        attachments: [{ id: 0, filename: 'digest-troops-italy.png' }],
        embeds: [{ image: { url: 'attachment://digest-troops-italy.png' } }],
        allowed_mentions: { parse: [] },
        enforce_nonce: true,
      });
      expect((upload.body as { attachments: { description: string }[] }).attachments[0]!.description).toMatch(/Italy/);
      expect(chart.attachments).toHaveLength(1);
      const png = PNG.sync.read(upload.files![0]!.data);
      expect(png.width).toBeGreaterThan(300);
      const colours = new Set<number>();
      for (let i = 0; i < png.data.length; i += 4 * 97) colours.add(png.data.readUInt32BE(i));
      expect(colours.size).toBeGreaterThan(2);
      expect(await db.store.getClaim({ platform: 'discord', channelId: CHANNEL, localDate: '2026-12-01' })).toMatchObject({
        status: 'sent',
        messageId: digest.id,
      });
    });

    it('a sender that dies after posting the changed digest: the instance taking over records it and posts its chart, once', async () => {
      await command('digest subscribe', {}, MANAGER, true);
      let kb: KnowledgeBase = bot.kb;
      await makeScheduler(db.store, [h.adapter.poster], { kb: () => kb }).tick(new Date('2026-11-30T07:00:00Z'));
      kb = withApproved(bot.kb, 'italy-2023-08-06', '2026-11-30T12:00:00Z');
      const dying: ChannelPoster = {
        platform: 'discord',
        post: async (channelId, reply, nonce) => {
          await h.adapter.poster.post(channelId, reply, nonce);
          return new Promise(() => undefined);
        },
        attach: (channelId, messageId, reply) => h.adapter.poster.attach(channelId, messageId, reply),
      };
      const charts = chartService();
      const a = makeScheduler(db.store, [dying], { kb: () => kb, charts, instanceId: 'instance-A', leaseMs: 120_000 });
      const b = makeScheduler(db.store, [h.adapter.poster], { kb: () => kb, charts, instanceId: 'instance-B', leaseMs: 120_000 });
      const before = channelPosts().length;
      void a.tick(new Date('2026-12-01T07:00:00Z'));
      await h.fake.waitFor(() => channelPosts().length > before);
      await b.tick(new Date('2026-12-01T07:02:01Z'));
      await b.tick(new Date('2026-12-01T07:30:00Z'));
      const messages = h.fake.channelMessages(CHANNEL);
      expect(messages).toHaveLength(3);
      expect(messages.filter((m) => m.attachments.length > 0)).toHaveLength(1);
      // The chart answers the digest B recorded (A's post, deduplicated by its nonce when B repeated it).
      expect(channelPosts().at(-1)!.body).toMatchObject({ message_reference: { message_id: messages[1].id } });
      expect(await db.store.getClaim({ platform: 'discord', channelId: CHANNEL, localDate: '2026-12-01' })).toMatchObject({
        status: 'sent',
        owner: 'instance-B',
        messageId: messages[1].id,
      });
    });

    it('a chart the bot may not attach (403 Missing Permissions): one digest, still on, recorded as sent, a warning, no retry', async () => {
      const { scheduler, logger, next } = await twoDays();
      // The digest's post goes through; the chart's (the one with a file), right after it, is refused.
      h.fake.failNext(1, { kind: 'missing_permissions' }, (r) => r.route === 'POST /channels/:id/messages' && (r.files?.length ?? 0) > 0);
      const posted = channelPosts().length;
      await next();
      await scheduler.tick(new Date('2026-12-01T07:30:00Z'));
      await scheduler.tick(new Date('2026-12-01T09:00:00Z'));
      expect(h.fake.channelMessages(CHANNEL)).toHaveLength(2);
      expect(channelPosts()).toHaveLength(posted + 2);
      expect(await db.store.getClaim({ platform: 'discord', channelId: CHANNEL, localDate: '2026-12-01' })).toMatchObject({ status: 'sent', attempts: 1 });
      expect(await db.store.getSubscription({ platform: 'discord', channelId: CHANNEL })).toMatchObject({ active: true });
      expect(logger.lines().join('\n')).toMatch(/without its chart/);
    });
  });
});
