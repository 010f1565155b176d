// Corrections follow answers of every kind (issue 13): a public answer posted in a channel records the entries it
// stated; an approved correction of one is threaded under it once, worded for its kind. Through the real Bolt and
// discord.js against the fakes, and the real store (SQLite; PostgreSQL for two instances).
import { REST } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordPoster } from '../../src/adapters/discord/poster.ts';
import { discordRestOptions } from '../../src/adapters/discord/rest.ts';
import { chartService } from '../../src/charts/service.ts';
import type { Bot } from '../../src/core/bot.ts';
import type { ChannelPoster } from '../../src/core/delivery.ts';
import { Corrections } from '../../src/digest/corrections.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { knowledgeOf } from '../../src/live-knowledge.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { importSeed, readSeed } from '../../src/storage/seed.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import { interactionFor, startHarness as startDiscord, TEST_TOKEN, type Harness as DiscordHarness } from '../discord/harness.ts';
import { responseUrlId, sendSlashCommand, slashCommandFields, visibleText, type FakeMessage } from '../fakes/slack.ts';
import { testBot } from '../helpers/bot.ts';
import { SIGNING_SECRET, startHarness as startSlack, type Harness as SlackHarness } from '../slack/harness.ts';
import { backendMatrix, sqliteBackend, type TestDb } from '../storage/backends.ts';
import { silentLog } from './helpers.ts';

const SEED = readSeed(DEFAULT_DATA_DIR);
const SOURCE = { url: 'https://example.org/niger-office', publisher: 'Example *Wire*', title: 'The <b>transition</b> charter', published: '2026-11-21' };
const HEAD_OF_STATE = 'niger-head-of-state';

/** The answers go out in real time: the approval comes a minute later, the corrections run a minute after that. */
const later = (ms: number) => Date.now() + ms;

function corrections(store: SqlDigestStore, instanceId: string, posters: ChannelPoster[], bot: Bot, at: number) {
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

/** The rows a post recorded, once they are there (they are written right after the post). */
async function carried(db: TestDb, where: string): Promise<Record<string, unknown>[]> {
  for (let n = 0; n < 60; n++) {
    const rows = await db.raw(`SELECT message_id, entry_key, post_kind, thread_of, workspace_id FROM post_entries WHERE ${where} ORDER BY entry_key`);
    if (rows.length > 0) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  return [];
}

/**
 * An office correction through the proposals port, as an editor's form would make it: the office's current entry
 * with one term changed, proposed by one editor and approved by another.
 */
async function correctOffice(store: SqlDigestStore, at: number, edit: (terms: Record<string, unknown>[]) => void): Promise<string> {
  const proposals = new StoreProposalService(store, () => at);
  const entry = structuredClone(await proposals.currentEntry('offices', HEAD_OF_STATE)) as Record<string, unknown>;
  edit(entry.terms as Record<string, unknown>[]);
  const proposed = await proposals.propose({ kind: 'offices', entryId: HEAD_OF_STATE, entry, source: SOURCE, author: 'slack:U0EDITOR1' });
  await proposals.approve(proposed.id, 'slack:U0EDITOR2');
  return proposed.id;
}

const renameCurrentTerm = (terms: Record<string, unknown>[]) => {
  terms.at(-1)!.title = 'President of the Republic for the transition';
};

describe('slash-command answers through Slack (Bolt + fake Slack), recorded and corrected', () => {
  const CHANNEL = 'C0ANSWERS1';
  let db: TestDb;
  let bot: Bot;
  let h: SlackHarness;
  beforeEach(async () => {
    db = await sqliteBackend.open();
    await importSeed(db.store, SEED, { now: Date.parse('2026-11-29T12:00:00Z') });
    bot = await testBot({ services: { posts: { recordPost: (p) => db.store.recordPost(p) } } });
    h = await startSlack(bot, { logLevel: 'info' });
  });
  afterEach(async () => {
    await h?.close();
    await db?.cleanup();
  });

  /** `/niger <text>` in `channel`: the ack's body, and the response_url's id. */
  const slash = async (text: string, channel = CHANNEL) => {
    const fields = slashCommandFields(h.fake, { text, channel_id: channel, user_id: 'U0ANN' });
    const res = await sendSlashCommand(h.appUrl, SIGNING_SECRET, fields);
    expect(res.status).toBe(200);
    return { ack: res.body, responseUrl: responseUrlId(fields.response_url!) };
  };
  const posted = (channel = CHANNEL, n = 0) => h.fake.waitFor(() => h.fake.messagesIn(channel)[n], 5000, `message ${n} in ${channel}`) as Promise<FakeMessage>;

  it('/niger troops France: posted as the bot and recorded; an approved newer figure gets one reply in its thread', async () => {
    const { ack, responseUrl } = await slash('troops France');
    expect(ack).toBe('');
    const answer = await posted();
    expect(visibleText(answer as { blocks?: unknown })).toMatch(/no French troops in Niger/);
    expect(await carried(db, `message_id = '${answer.ts}'`)).toEqual([
      { message_id: answer.ts, entry_key: 'deployments/france-2023-12-22', post_kind: 'answer', thread_of: null, workspace_id: h.fake.teamId },
    ]);
    // Posted once: nothing went through the response_url as well.
    await expect(h.fake.waitForResponse(responseUrl, 300)).rejects.toThrow(/no response_url post/);

    const approvedAt = later(60_000);
    const p = await db.store.propose(
      {
        kind: 'deployments',
        entryId: null,
        entry: {
          id: 'france-2026-11',
          country: 'France',
          host: 'Niger',
          count: 0,
          approximate: false,
          asOf: '2026-11-20',
          sources: ['dw-2023-09-27'],
          added: '2026-12-01',
        },
        source: SOURCE,
        author: 'slack:U0EDITOR1',
      },
      approvedAt - 1000,
    );
    await db.store.approveProposal(p.id, 'slack:U0EDITOR2', approvedAt);
    const { runner, reload } = corrections(db.store, 'a', [h.slack.poster], bot, approvedAt + 60_000);
    await reload();
    expect(await runner.run()).toMatchObject({ enqueued: 1, sent: 1, failed: 0 });
    expect(await runner.run()).toMatchObject({ enqueued: 0, sent: 0 });
    const messages = h.fake.messagesIn(CHANNEL);
    expect(messages).toHaveLength(2);
    expect(messages[1]!.thread_ts).toBe(answer.ts);
    expect(visibleText(messages[1] as { blocks?: unknown })).toContain('Correction: France troops in Niger — none, as of 20 November 2026');
    const [logged] = await db.store.history({ platform: 'slack', channelId: CHANNEL }, 1);
    expect(logged).toMatchObject({ status: 'corrected', messageId: messages[1]!.ts });
  });

  it('asked again, the answer already known today (the ack fast path) is posted and recorded as well', async () => {
    await slash('troops France');
    const first = await posted();
    const handled = h.handled.length;
    const { ack } = await slash('troops France');
    // Answered from what the core already knew, without running it again.
    expect(h.lookedUp.at(-1)).toBe('troops France');
    expect(h.handled).toHaveLength(handled);
    expect(ack).toBe('');
    const second = await posted(CHANNEL, 1);
    expect(second.ts).not.toBe(first.ts);
    expect(await carried(db, `message_id = '${second.ts}'`)).toMatchObject([{ entry_key: 'deployments/france-2023-12-22' }]);
  });

  it('an answer that carries no entries (a past date) still rides the ack, and nothing is posted or recorded', async () => {
    const { ack } = await slash('troops France 2023-09');
    expect(visibleText(JSON.parse(ack) as Record<string, unknown>)).toMatch(/French troops/);
    expect(h.fake.messagesIn(CHANNEL)).toHaveLength(0);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a private channel the bot is not in: Slack refuses the post, the answer goes through the response_url, unrecorded, logged at info', async () => {
    const PRIVATE = 'G0PRIVATE1';
    h.fake.setChannel({ id: PRIVATE, is_private: true, is_member: false });
    const { ack, responseUrl } = await slash('troops France', PRIVATE);
    expect(ack).toBe('');
    const response = await h.fake.waitForResponse(responseUrl);
    expect(response.body).toMatchObject({ response_type: 'in_channel' });
    expect(visibleText(response.body)).toMatch(/no French troops in Niger/);
    expect(h.fake.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual([PRIVATE]);
    expect(await db.raw(`SELECT 1 FROM post_entries WHERE channel_id = '${PRIVATE}'`)).toEqual([]);
    const line = h.logLines().find((l) => l.includes('Slack refused to post it as the bot'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 30, error: 'not_in_channel', channelId: PRIVATE });
  });

  it('/niger ruler: recorded as the office; an approved correction of its current term gets one reply worded for offices', async () => {
    const { ack } = await slash('ruler');
    expect(ack).toBe('');
    const answer = await posted();
    expect(await carried(db, `message_id = '${answer.ts}'`)).toMatchObject([{ entry_key: `offices/${HEAD_OF_STATE}`, post_kind: 'answer' }]);

    const approvedAt = later(60_000);
    await correctOffice(db.store, approvedAt, renameCurrentTerm);
    const { runner, reload } = corrections(db.store, 'a', [h.slack.poster], bot, approvedAt + 60_000);
    await reload();
    expect(await runner.run()).toMatchObject({ enqueued: 1, sent: 1 });
    expect(await runner.run()).toMatchObject({ enqueued: 0, sent: 0 });
    const messages = h.fake.messagesIn(CHANNEL);
    expect(messages).toHaveLength(2);
    expect(messages[1]!.thread_ts).toBe(answer.ts);
    expect(visibleText(messages[1] as { blocks?: unknown })).toContain(
      'Correction: Head of state of Niger — now Abdourahamane Tiani, President of the Republic for the transition, since 26 March 2025 (source: Example',
    );
    // What the editor typed is shown as text: no tag, no bold.
    expect(JSON.stringify(h.fake.callsTo('chat.postMessage').at(-1)!.args.blocks)).toContain('&lt;b&gt;transition&lt;/b&gt;');
  });
});

describe('Discord answers with a chart (multipart) are recorded too', () => {
  const CHANNEL = '1190000000000006001';
  let db: TestDb;
  let bot: Bot;
  let h: DiscordHarness;
  beforeEach(async () => {
    db = await sqliteBackend.open();
    await importSeed(db.store, SEED, { now: Date.parse('2026-11-29T12:00:00Z') });
    bot = await testBot({ services: { charts: chartService(), posts: { recordPost: (p) => db.store.recordPost(p) } } });
    h = await startDiscord(bot);
  });
  afterEach(async () => {
    await h?.close();
    await db?.cleanup();
  });

  it('/niger places with its map: the message id is read back (with_response) and a place correction replies to it', async () => {
    const { path, options } = interactionFor(bot, 'places');
    const result = await h.fake.dispatchInteraction({ path, options, channelId: CHANNEL }).result();
    expect(result.deferred).toBe(false);
    expect(result.callback.files?.length).toBe(1);
    const rows = await carried(db, `channel_id = '${CHANNEL}'`);
    expect(rows.map((r) => r.entry_key)).toContain('places/ouallam');
    const answerId = String(rows[0]!.message_id);
    // The id recorded is the answer's, as the callback's response gave it, with its map attached.
    expect(result.callback.query.with_response).toBe('true');
    expect(result.callback.response.resource.message).toMatchObject({ id: answerId, attachments: [expect.anything()] });

    const approvedAt = later(60_000);
    const p = await db.store.propose(
      {
        kind: 'places',
        entryId: 'ouallam',
        entry: { ...(SEED.find((e) => e.kind === 'places' && e.id === 'ouallam')!.entry as Record<string, unknown>), kind: 'town and former base' },
        source: SOURCE,
        author: 'discord:1',
      },
      approvedAt - 1000,
    );
    await db.store.approveProposal(p.id, 'discord:2', approvedAt);
    const { runner, reload } = corrections(db.store, 'a', [h.adapter.poster], bot, approvedAt + 60_000);
    await reload();
    expect(await runner.run()).toMatchObject({ enqueued: 1, sent: 1 });
    const replies = h.fake.channelMessages(CHANNEL).filter((m) => m.message_reference);
    expect(replies).toHaveLength(1);
    expect(replies[0].message_reference).toMatchObject({ message_id: answerId, channel_id: CHANNEL });
    expect(replies[0].embeds[0].description).toContain('Correction: Ouallam — kind: town and former base (source: Example \\*Wire\\*');
  });
});

const pg = (await backendMatrix()).find((m) => m.backend.name === 'postgres')!;

describe.skipIf(pg.skip)('an office correction under a Discord answer, two instances on one PostgreSQL', () => {
  const CHANNEL = '1190000000000006002';
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

  it('/niger ruler in a channel, then a past term corrected: both instances run at once and one reply goes out', async () => {
    const { path, options } = interactionFor(bot, 'ruler');
    const result = await h.fake.dispatchInteraction({ path, options, channelId: CHANNEL }).result();
    expect(result.deferred).toBe(false);
    const rows = await carried(db, `channel_id = '${CHANNEL}'`);
    expect(rows).toMatchObject([{ entry_key: `offices/${HEAD_OF_STATE}`, post_kind: 'answer', workspace_id: '1190000000000000100' }]);
    const answerId = String(rows[0]!.message_id);

    const approvedAt = later(60_000);
    await correctOffice(db.store, approvedAt, (terms) => {
      terms.find((t) => t.id === 'mohamed-bazoum-president')!.end = '2023-07-27';
    });
    const rest = new REST(discordRestOptions({ apiUrl: h.fake.apiUrl }, { timeoutMs: 5000 })).setToken(TEST_TOKEN);
    const a = corrections(db.store, 'a', [h.adapter.poster], bot, approvedAt + 60_000);
    const b = corrections(other, 'b', [new DiscordPoster(rest, silentLog())], bot, approvedAt + 60_000);
    const [ra, rb] = await Promise.all([a.runner.run(), b.runner.run()]);
    expect(ra.enqueued + rb.enqueued).toBe(1);
    expect(ra.sent + rb.sent).toBe(1);
    await Promise.all([a.runner.run(), b.runner.run()]);

    const replies = h.fake.channelMessages(CHANNEL).filter((m) => m.message_reference);
    expect(replies).toHaveLength(1);
    expect(replies[0].message_reference).toMatchObject({ message_id: answerId, channel_id: CHANNEL });
    // Worded from the store's revision before the approval: the term that changed, with its new end.
    expect(replies[0].embeds[0].description).toContain(
      'Correction: Head of state of Niger — Mohamed Bazoum, President of the Republic, since 2 April 2021, until 27 July 2023 (source: Example \\*Wire\\*',
    );
    const [row] = await db.raw(`SELECT status, attempts FROM correction_claims WHERE channel_id = '${CHANNEL}'`);
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    const log = await db.raw(`SELECT status, message_id FROM digest_log WHERE channel_id = '${CHANNEL}' ORDER BY id`);
    expect(log).toEqual([{ status: 'corrected', message_id: replies[0].id }]);
  });
});
