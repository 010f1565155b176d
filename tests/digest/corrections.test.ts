// Corrections follow what was said: a delivered digest records the entries it carried; an approved proposal that
// supersedes one of them gets one threaded reply under that digest (Slack thread_ts, Discord message reply), once
// across instances, recorded in the delivery log.
import { REST } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordPoster } from '../../src/adapters/discord/poster.ts';
import { discordRestOptions } from '../../src/adapters/discord/rest.ts';
import type { Bot } from '../../src/core/bot.ts';
import type { Reply } from '../../src/core/reply.ts';
import type { ChannelPoster, DeliveryTarget } from '../../src/core/delivery.ts';
import { Corrections } from '../../src/digest/corrections.ts';
import { openDigestRuntime } from '../../src/digest/runtime.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { knowledgeOf } from '../../src/live-knowledge.ts';
import { importSeed, readSeed } from '../../src/storage/seed.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import { interactionFor, startHarness as startDiscord, TEST_TOKEN, type Harness as DiscordHarness } from '../discord/harness.ts';
import { eventCallback, sendEvent, slackTs, visibleText } from '../fakes/slack.ts';
import { testBot } from '../helpers/bot.ts';
import { SIGNING_SECRET, slashOverHttp, startHarness as startSlack, type Harness as SlackHarness } from '../slack/harness.ts';
import { backendMatrix, sqliteBackend, type TestDb } from '../storage/backends.ts';
import { makeScheduler, silentLog } from './helpers.ts';

const SEED = readSeed(DEFAULT_DATA_DIR);
const DIGEST_AT = new Date('2026-11-30T07:00:00Z'); // 08:00 in Niamey, the default
const APPROVED_AT = Date.parse('2026-12-01T10:00:00Z');
const SOURCE = { url: 'https://example.org/italy-niger', publisher: 'Example *Wire*', title: 'Italy ends <its> mission', published: '2026-11-21' };

/** "Italy: 0 troops in Niger as of 2026-11-20": a new figure, which supersedes the 250 the digest showed. */
async function approveItalyZero(store: SqlDigestStore): Promise<string> {
  const p = await store.propose(
    {
      kind: 'deployments',
      entryId: null,
      entry: {
        id: 'italy-2026-11',
        country: 'Italy',
        host: 'Niger',
        count: 0,
        approximate: false,
        asOf: '2026-11-20',
        sources: ['air-cosmos-2022-01'],
        added: '2026-12-01',
      },
      source: SOURCE,
      author: 'slack:U0EDITOR1',
    },
    APPROVED_AT - 3_600_000,
  );
  await store.approveProposal(p.id, 'slack:U0EDITOR2', APPROVED_AT);
  return p.id;
}

function corrections(store: SqlDigestStore, instanceId: string, posters: ChannelPoster[], bot: Bot, at = APPROVED_AT + 60_000) {
  let kb = bot.kb;
  const runner = new Corrections({
    store: store.corrections,
    log: silentLog(),
    instanceId,
    posters: () => new Map(posters.map((p) => [p.platform, p])),
    kb: () => kb,
    now: () => at,
  });
  // The knowledge base after the approval, as the live reload builds it.
  const reload = async () => {
    kb = knowledgeOf(await store.currentRevisions(), bot.kb.data);
  };
  return { runner, reload };
}

describe('corrections through Slack (Bolt + fake Slack)', () => {
  const CHANNEL = 'C0DIGEST01';
  let db: TestDb;
  let bot: Bot;
  let h: SlackHarness;
  beforeEach(async () => {
    db = await sqliteBackend.open();
    await importSeed(db.store, SEED, { now: Date.parse('2026-11-29T12:00:00Z') });
    bot = await testBot({ services: { digest: new StoreDigestService(db.store, () => bot.kb), posts: { recordPost: (p) => db.store.recordPost(p) } } });
    h = await startSlack(bot, { adminUserIds: ['U0ADMIN001'], logLevel: 'warn' });
  });
  afterEach(async () => {
    await h?.close();
    await db?.cleanup();
  });

  const posts = () => h.fake.messagesIn(CHANNEL);

  it('a digest that said 250 Italian troops gets one threaded correction once "0 as of 20 November" is approved; a post older than 30 days gets none', async () => {
    await slashOverHttp(h, 'digest subscribe', { user_id: 'U0ADMIN001', channel_id: CHANNEL });
    const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: bot.kb });
    await scheduler.tick(DIGEST_AT);
    expect(posts()).toHaveLength(1);
    const digest = posts()[0]!;
    expect(visibleText(digest as { blocks?: unknown })).toMatch(/Italian troops[\s\S]{0,20}250/);
    const carried = await db.raw(`SELECT entry_key, post_kind, lang FROM post_entries WHERE message_id = '${digest.ts}' ORDER BY entry_key`);
    expect(carried).toContainEqual({ entry_key: 'deployments/italy-2023-08-06', post_kind: 'digest', lang: 'en' });
    // The same figure in a channel's post of 25 October: more than 30 days before the approval.
    await db.store.recordPost({
      platform: 'slack',
      channelId: 'C0OLDPOST1',
      messageId: '1761350400.000100',
      workspaceId: h.fake.teamId,
      kind: 'digest',
      lang: 'en',
      postedAt: Date.parse('2026-10-25T07:00:00Z'),
      entryKeys: ['deployments/italy-2023-08-06'],
    });

    const proposal = await approveItalyZero(db.store);
    const { runner, reload } = corrections(db.store, 'a', [h.slack.poster], bot);
    await reload();
    expect(await runner.run()).toMatchObject({ enqueued: 1, sent: 1, failed: 0 });
    expect(await runner.run()).toMatchObject({ enqueued: 0, sent: 0 });

    expect(posts()).toHaveLength(2);
    const correction = posts()[1]!;
    expect(correction.thread_ts).toBe(digest.ts);
    const text = visibleText(correction as { blocks?: unknown });
    expect(text).toContain('Correction: Italy troops in Niger — none, as of 20 November 2026 (source: Example');
    expect(text).toContain('21 November 2026).');
    // What the editor typed is escaped: no bold, no tag.
    const call = h.fake.callsTo('chat.postMessage').at(-1)!;
    expect(JSON.stringify(call.args.blocks)).toContain('&lt;its&gt;');
    expect(h.fake.messagesIn('C0OLDPOST1')).toHaveLength(0);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0OLDPOST1')).toHaveLength(0);

    const [logged] = await db.store.history({ platform: 'slack', channelId: CHANNEL }, 1);
    expect(logged).toMatchObject({ status: 'corrected', messageId: correction.ts, instance: 'a' });
    expect(logged!.reason).toContain(`correction of proposal ${proposal} under message ${digest.ts}`);
    const history = await slashOverHttp(h, 'digest history', { user_id: 'U0ADMIN001', channel_id: CHANNEL });
    expect(visibleText(history.message as { blocks?: unknown })).toMatch(/1 December 2026: correction posted in the thread/);
  });

  it('an answer to a mention, in the thread under the question, gets its correction in that thread; an answer about a past date gets none', async () => {
    const ask = async (text: string) => {
      const ts = slackTs();
      const before = posts().length;
      const event = { type: 'app_mention', user: 'U0ANN', text: `<@${h.fake.botUserId}> ${text}`, ts, channel: CHANNEL, team: h.fake.teamId };
      expect((await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, event))).status).toBe(200);
      await h.fake.waitFor(() => posts()[before], 5000, `the answer to "${text}"`);
      // The entries are recorded right after the post (a past date's answer records none): give them a moment.
      for (let n = 0; n < 50 && !text.includes('2023'); n++) {
        if ((await db.raw(`SELECT 1 FROM post_entries WHERE message_id = '${posts()[before]!.ts}'`)).length > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      return { question: ts, answer: posts()[before]! };
    };
    const now = await ask('troops Italy');
    expect(now.answer.thread_ts).toBe(now.question);
    expect(visibleText(now.answer as { blocks?: unknown })).toMatch(/250/);
    const past = await ask('troops Italy 2023-08');
    expect(await db.raw(`SELECT entry_key, post_kind, thread_of FROM post_entries WHERE message_id = '${now.answer.ts}'`)).toEqual([
      { entry_key: 'deployments/italy-2023-08-06', post_kind: 'answer', thread_of: now.question },
    ]);
    expect(await db.raw(`SELECT 1 FROM post_entries WHERE message_id = '${past.answer.ts}'`)).toEqual([]);

    // The answers were posted now (real time); the approval comes an hour later.
    const approvedAt = Date.now() + 3_600_000;
    const p = await db.store.propose(
      {
        kind: 'deployments',
        entryId: null,
        entry: {
          id: 'italy-2026-12',
          country: 'Italy',
          host: 'Niger',
          count: 0,
          approximate: false,
          asOf: '2026-11-20',
          sources: ['air-cosmos-2022-01'],
          added: '2026-12-01',
        },
        source: SOURCE,
        author: 'slack:U0EDITOR1',
      },
      approvedAt - 1000,
    );
    await db.store.approveProposal(p.id, 'slack:U0EDITOR2', approvedAt);
    const { runner, reload } = corrections(db.store, 'a', [h.slack.poster], bot, approvedAt + 1000);
    await reload();
    expect(await runner.run()).toMatchObject({ enqueued: 1, sent: 1 });
    expect(posts()).toHaveLength(3);
    const correction = posts()[2]!;
    // In the question's thread (Slack threads one level deep), not a thread of its own under the answer.
    expect(correction.thread_ts).toBe(now.question);
    expect(visibleText(correction as { blocks?: unknown })).toContain('Correction: Italy troops in Niger — none, as of 20 November 2026');
  });

  it('an instance that stopped after starting the post: the correction is not posted again, and the log says so', async () => {
    await slashOverHttp(h, 'digest subscribe', { user_id: 'U0ADMIN001', channel_id: CHANNEL });
    await makeScheduler(db.store, [h.slack.poster], { kb: bot.kb }).tick(DIGEST_AT);
    await approveItalyZero(db.store);
    // The dying instance finds and claims the work, starts the post, and is gone before it posts or records.
    const store = db.store.corrections;
    const dying = corrections(db.store, 'dying', [], bot);
    expect(await dying.runner.run()).toMatchObject({ enqueued: 1 });
    const [due] = await store.dueCorrections(APPROVED_AT + 60_000, ['slack'], 10);
    expect(await store.takeCorrection(due!, 'dying', APPROVED_AT + 61_000, APPROVED_AT + 60_000)).not.toBeNull();
    expect(await store.startCorrection(due!, 'dying', APPROVED_AT + 62_000, APPROVED_AT + 60_000)).toBe(true);

    const { runner, reload } = corrections(db.store, 'b', [h.slack.poster], bot, APPROVED_AT + 120_000);
    await reload();
    expect(await runner.run()).toMatchObject({ sent: 0, failed: 1 });
    expect(await runner.run()).toMatchObject({ sent: 0, failed: 0 });
    expect(posts()).toHaveLength(1);
    const [logged] = await db.store.history({ platform: 'slack', channelId: CHANNEL }, 1);
    expect(logged).toMatchObject({ status: 'failed' });
    expect(logged!.reason).toMatch(/the instance posting it \(dying\) stopped before recording it; not posted again/);
  });
});

const pg = (await backendMatrix()).find((m) => m.backend.name === 'postgres')!;

describe.skipIf(pg.skip)('corrections through Discord, two instances on one PostgreSQL', () => {
  const CHANNEL = '1190000000000005001';
  let db: TestDb;
  let other: SqlDigestStore;
  let bot: Bot;
  let h: DiscordHarness;
  beforeEach(async () => {
    db = await pg.backend.open();
    other = await db.reopen();
    await importSeed(db.store, SEED, { now: Date.parse('2026-11-29T12:00:00Z') });
    bot = await testBot({ services: { posts: { recordPost: (p) => db.store.recordPost(p) } } });
    h = await startDiscord(bot);
  });
  afterEach(async () => {
    await h?.close();
    await db?.cleanup();
  });

  it('both instances see the approval and run at once: one reply, referencing the digest message', async () => {
    await db.store.putSubscription(
      {
        platform: 'discord',
        channelId: CHANNEL,
        workspaceId: '1190000000000000100',
        time: '08:00',
        timeZone: 'Africa/Niamey',
        nextDueAt: DIGEST_AT.getTime(),
        nextLocalDate: '2026-11-30',
        createdBy: 'discord:1',
        lang: 'fr',
      },
      DIGEST_AT.getTime() - 86_400_000,
    );
    await makeScheduler(db.store, [h.adapter.poster], { kb: bot.kb }).tick(DIGEST_AT);
    const [digest] = h.fake.channelMessages(CHANNEL);
    expect(digest).toBeDefined();

    await approveItalyZero(db.store);
    // The second instance has a REST client and a store connection of its own.
    const rest = new REST(discordRestOptions({ apiUrl: h.fake.apiUrl }, { timeoutMs: 5000 })).setToken(TEST_TOKEN);
    const a = corrections(db.store, 'a', [h.adapter.poster], bot);
    const b = corrections(other, 'b', [new DiscordPoster(rest, silentLog())], bot);
    // Neither has reloaded its knowledge base yet: the correction is worded from the approved entry itself.
    const [ra, rb] = await Promise.all([a.runner.run(), b.runner.run()]);
    expect(ra.sent + rb.sent).toBe(1);
    expect(ra.enqueued + rb.enqueued).toBe(1);
    await Promise.all([a.runner.run(), b.runner.run()]);

    const messages = h.fake.channelMessages(CHANNEL);
    expect(messages).toHaveLength(2);
    const correction = messages[1]!;
    expect(correction.message_reference).toMatchObject({ message_id: digest.id, channel_id: CHANNEL });
    // In the channel's digest language, French; the editor's markdown is escaped.
    expect(correction.embeds[0].description).toContain('Correction : Troupes au Niger, Italie — aucun');
    expect(correction.embeds[0].description).toContain('Example \\*Wire\\*');
    // The claim row is what decides: of two instances taking the same due claim at once, one gets it.
    const [row] = await db.raw(`SELECT status, attempts FROM correction_claims WHERE channel_id = '${CHANNEL}'`);
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    const log = await db.raw(`SELECT status, message_id, instance FROM digest_log WHERE channel_id = '${CHANNEL}' ORDER BY id`);
    expect(log.map((r) => r.status)).toEqual(['sent', 'corrected']);
    expect(log[1]!.message_id).toBe(correction.id);
  });

  it('a /niger troops answer in a channel records its message (with_response), and its correction replies to it', async () => {
    const { path, options } = interactionFor(bot, 'troops Italy');
    const result = await h.fake.dispatchInteraction({ path, options, channelId: CHANNEL }).result();
    expect(result.deferred).toBe(false);
    let rows: Record<string, unknown>[] = [];
    for (let n = 0; n < 50 && rows.length === 0; n++) {
      rows = await db.raw(`SELECT message_id, entry_key, workspace_id FROM post_entries WHERE channel_id = '${CHANNEL}'`);
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ entry_key: 'deployments/italy-2023-08-06', workspace_id: '1190000000000000100' });
    const answerId = String(rows[0]!.message_id);

    const approvedAt = Date.now() + 3_600_000;
    const p = await db.store.propose(
      {
        kind: 'deployments',
        entryId: null,
        entry: {
          id: 'italy-2026-12',
          country: 'Italy',
          host: 'Niger',
          count: 0,
          approximate: false,
          asOf: '2026-11-20',
          sources: ['air-cosmos-2022-01'],
          added: '2026-12-01',
        },
        source: SOURCE,
        author: 'slack:U0EDITOR1',
      },
      approvedAt - 1000,
    );
    await db.store.approveProposal(p.id, 'slack:U0EDITOR2', approvedAt);
    const { runner } = corrections(db.store, 'a', [h.adapter.poster], bot, approvedAt + 1000);
    expect(await runner.run()).toMatchObject({ enqueued: 1, sent: 1 });
    const [correction] = h.fake.channelMessages(CHANNEL);
    expect(correction.message_reference).toMatchObject({ message_id: answerId, channel_id: CHANNEL });
    expect(correction.embeds[0].description).toContain('Correction: Italy troops in Niger — none, as of 20 November 2026');
  });

  it('two instances taking the same due claim at once: exactly one wins, and only the winner may start the post', async () => {
    const post = {
      platform: 'discord',
      channelId: CHANNEL,
      messageId: '1190000000000009001',
      threadOf: null,
      workspaceId: null,
      lang: 'en',
      postedAt: APPROVED_AT - 1000,
    };
    expect(await db.store.corrections.enqueueCorrections([{ post, proposalId: 'P-RACE01' }], APPROVED_AT)).toBe(1);
    expect(await other.corrections.enqueueCorrections([{ post, proposalId: 'P-RACE01' }], APPROVED_AT)).toBe(0);
    const key = { ...post, proposalId: 'P-RACE01' };
    for (let round = 0; round < 5; round++) {
      const at = APPROVED_AT + round * 10_000;
      const [x, y] = await Promise.all([
        db.store.corrections.takeCorrection(key, 'a', at + 5000, at),
        other.corrections.takeCorrection(key, 'b', at + 5000, at),
      ]);
      expect([x, y].filter(Boolean)).toHaveLength(1);
      const winner = x ? 'a' : 'b';
      const loser = x ? 'b' : 'a';
      expect(await db.store.corrections.startCorrection(key, loser, at + 9000, at)).toBe(false);
      // Handed back known-unposted (a 429), so the next round races again.
      expect(await other.corrections.finishCorrection(key, winner, { status: 'pending', reason: 'rate limited', retryAt: at + 6000 }, at)).toBe(true);
    }
  });
});

describe('the digest runtime runs corrections', () => {
  it('started with its posters, its first tick posts the correction an approval calls for, once', async () => {
    const db = await sqliteBackend.open();
    const bot = await testBot();
    const runtime = await openDigestRuntime({ databaseUrl: db.url, catchupMinutes: 60, log: silentLog(), kb: () => bot.kb });
    try {
      await importSeed(runtime.store, SEED, { now: Date.parse('2026-11-29T12:00:00Z') });
      const store = runtime.store as SqlDigestStore;
      await store.recordPost({
        platform: 'slack',
        channelId: 'C0RUNTIME1',
        messageId: '1764572400.000100',
        workspaceId: 'T0TEAM',
        kind: 'digest',
        lang: 'de',
        postedAt: Date.now() - 3_600_000,
        entryKeys: ['deployments/italy-2023-08-06'],
      });
      const p = await store.propose(
        {
          kind: 'deployments',
          entryId: null,
          entry: {
            id: 'italy-2026-11',
            country: 'Italy',
            host: 'Niger',
            count: 0,
            approximate: false,
            asOf: '2026-11-20',
            sources: ['air-cosmos-2022-01'],
            added: '2026-12-01',
          },
          source: SOURCE,
          author: 'slack:U0EDITOR1',
        },
        Date.now() - 60_000,
      );
      await store.approveProposal(p.id, 'slack:U0EDITOR2', Date.now() - 1000);
      const posted: { channelId: string; reply: Reply; target?: DeliveryTarget }[] = [];
      const poster: ChannelPoster = {
        platform: 'slack',
        async post(channelId, reply, _nonce, target) {
          posted.push({ channelId, reply, ...(target ? { target } : {}) });
          return { messageId: `1764572500.00010${posted.length}` };
        },
      };
      runtime.start([poster]);
      for (let n = 0; n < 100 && posted.length === 0; n++) await new Promise((r) => setTimeout(r, 50));
      await runtime.corrections.run();
      expect(posted).toHaveLength(1);
      expect(posted[0]).toMatchObject({ channelId: 'C0RUNTIME1', target: { workspaceId: 'T0TEAM', threadOf: '1764572400.000100' } });
      expect(posted[0]!.reply.body).toContain('Korrektur: Truppen in Niger, Italien — keine');
    } finally {
      await runtime.stop();
      await db.cleanup();
    }
  });
});

describe('a correction whose post hangs', () => {
  it('fails within half its lease as "no answer", is not posted again, and does not hold later runs', async () => {
    const db = await sqliteBackend.open();
    try {
      const bot = await testBot();
      await importSeed(db.store, SEED, { now: Date.parse('2026-11-29T12:00:00Z') });
      for (const channelId of ['C0HANG0001', 'C0HANG0002']) {
        await db.store.recordPost({
          platform: 'slack',
          channelId,
          messageId: '1764486000.000100',
          workspaceId: null,
          kind: 'digest',
          lang: 'en',
          postedAt: APPROVED_AT - 86_400_000,
          entryKeys: ['deployments/italy-2023-08-06'],
        });
      }
      await approveItalyZero(db.store);
      const attempts: string[] = [];
      const hanging: ChannelPoster = {
        platform: 'slack',
        post: (channelId) => {
          attempts.push(channelId);
          return channelId === 'C0HANG0001' ? new Promise(() => undefined) : Promise.resolve({ messageId: '1764486100.000100' });
        },
      };
      const runner = new Corrections({
        store: db.store.corrections,
        log: silentLog(),
        instanceId: 'a',
        posters: () => new Map([['slack', hanging]]),
        kb: () => bot.kb,
        now: () => APPROVED_AT + 60_000,
        leaseMs: 400,
      });
      expect(await runner.run()).toMatchObject({ enqueued: 2, sent: 1, failed: 1 });
      expect(await runner.run()).toMatchObject({ enqueued: 0, sent: 0, failed: 0 });
      expect(attempts.sort()).toEqual(['C0HANG0001', 'C0HANG0002']);
      const [logged] = await db.store.history({ platform: 'slack', channelId: 'C0HANG0001' }, 1);
      expect(logged).toMatchObject({ status: 'failed' });
      expect(logged!.reason).toMatch(/no answer from the platform within .*; the platform may have posted it, so it is not posted again/);
    } finally {
      await db.cleanup();
    }
  });
});
