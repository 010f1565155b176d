// Discord sharding end to end: the real adapter (discord.js's own sharding, every shard in this process) against
// the fake gateway speaking the sharded protocol — two shards each answering their guilds, digests posted into
// guilds on both, and readiness meaning every shard is ready.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import { guildOnShard, MANAGE_CHANNELS, shardForGuild, startFakeDiscord, visibleText, type FakeDiscord, type GatewayFrame } from '../fakes/discord.ts';
import { MAIN_JS } from '../helpers/entry.ts';
import { captureLogger, testBot } from '../helpers/bot.ts';
import { makeScheduler } from '../digest/helpers.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { APPLICATION_ID, startHarness, TEST_TOKEN, type Harness } from './harness.ts';
import { runJs } from './spawn.ts';

// Two servers on each shard of two, each with a text channel.
const GUILDS = [0, 1].flatMap((shard) => [0, 1].map((n) => ({ shard, id: guildOnShard(shard, 2, n), channel: guildOnShard(shard, 2, n + 10) })));
const ON_0 = GUILDS[0]!;
const ON_1 = GUILDS[2]!;
const fakeGuilds = GUILDS.map((g) => ({ id: g.id, channels: [g.channel] }));

const identifies = (fake: FakeDiscord, since = 0) => fake.frames.slice(since).filter((f) => f.direction === 'in' && f.op === 2);
const dispatched = (fake: FakeDiscord, t: string) => fake.frames.filter((f) => f.direction === 'out' && f.t === t);
/** The connection each shard identified on (the IDENTIFY frame's shard tuple names it). */
const connectionOf = (fake: FakeDiscord, shard: number) => identifies(fake).findLast((f) => f.d.shard?.[0] === shard)?.connection;

async function ask(fake: FakeDiscord, guild: { id: string; channel: string }, path: string, options: Record<string, string>, manager = false) {
  const sent = fake.dispatchInteraction({ path, options, guildId: guild.id, channelId: guild.channel, ...(manager ? { permissions: MANAGE_CHANNELS } : {}) });
  const result = await sent.result(8000);
  return { sent, result, text: visibleText(result.message) };
}

describe('the fake gateway assigns guilds to shards as Discord does', () => {
  it('(guild_id >> 22) % shard_count, and guildOnShard makes ids on the shard asked for', () => {
    // The timestamp part of this id is 283000000001: odd (shard 1 of 2), and 2 more than a multiple of 3.
    const id = ((283000000001n << 22n) | 4095n).toString();
    expect(shardForGuild(id, 2)).toBe(1);
    expect(shardForGuild(id, 3)).toBe(2);
    expect(shardForGuild(id, 1)).toBe(0);
    for (const g of GUILDS) expect(shardForGuild(g.id, 2)).toBe(g.shard);
    expect(new Set(GUILDS.map((g) => g.id)).size).toBe(GUILDS.length);
    for (const g of GUILDS) expect(g.id).toMatch(/^\d{17,20}$/);
  });
});

describe('DISCORD_SHARDS=2: two shards in one process, each answering its guilds', () => {
  let db: TestDb;
  let bot: Bot;
  let h: Harness;
  beforeAll(async () => {
    db = await sqliteBackend.open();
    bot = await testBot({ services: { digest: new StoreDigestService(db.store, () => bot.kb) } });
    // Discord recommends one shard here: two must come from the setting, not from GET /gateway/bot.
    h = await startHarness(bot, { shards: 2, fake: { shards: 1, maxConcurrency: 2, guilds: fakeGuilds } });
  });
  afterAll(async () => {
    await h?.close();
    await db?.cleanup();
  });

  it('both shards identify with their [id, count], each READY lists only its guilds, each guild arrives on its shard', () => {
    expect(
      identifies(h.fake)
        .map((f) => f.d.shard)
        .sort(),
    ).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(new Set(identifies(h.fake).map((f) => f.connection)).size).toBe(2);
    for (const shard of [0, 1]) {
      const ready = dispatched(h.fake, 'READY').find((f) => f.shard === shard)!;
      expect(ready.connection).toBe(connectionOf(h.fake, shard));
      expect(ready.d.shard).toEqual([shard, 2]);
      expect(ready.d.guilds.map((g: { id: string }) => g.id).sort()).toEqual(GUILDS.filter((g) => g.shard === shard).map((g) => g.id));
    }
    const sessionIds = dispatched(h.fake, 'READY').map((f) => f.d.session_id);
    expect(new Set(sessionIds).size).toBe(2);
    for (const g of GUILDS) {
      const created = dispatched(h.fake, 'GUILD_CREATE').filter((f) => f.d.id === g.id);
      expect(created.map((f) => f.shard)).toEqual([g.shard]);
      // discord.js took each guild from the shard that owns it.
      expect(h.adapter.client.guilds.cache.get(g.id)?.shardId).toBe(g.shard);
    }
    expect(h.adapter.client.ws.shards.size).toBe(2);
    expect(h.adapter.connected()).toBe(true);
    expect(h.logLines().filter((l) => l.includes('Discord shard ready'))).toHaveLength(2);
  });

  it('a slash command from a guild on shard 0 and one from a guild on shard 1 are each answered', async () => {
    const first = await ask(h.fake, ON_0, 'ruler', { date: 'June 2023' });
    const second = await ask(h.fake, ON_1, 'troops', { country: 'France', date: '2023-09' });
    expect(first.sent.shard).toBe(0);
    expect(second.sent.shard).toBe(1);
    // Each INTERACTION_CREATE went out on its guild's shard connection only.
    const frameOf = (id: string) => dispatched(h.fake, 'INTERACTION_CREATE').filter((f: GatewayFrame) => f.d.id === id);
    expect(frameOf(first.sent.id).map((f) => f.connection)).toEqual([connectionOf(h.fake, 0)]);
    expect(frameOf(second.sent.id).map((f) => f.connection)).toEqual([connectionOf(h.fake, 1)]);
    for (const { result } of [first, second]) {
      expect(result.callback.route).toBe('POST /interactions/:id/:token/callback');
      expect(result.callback.status).toBe(204);
    }
    expect(first.text).toContain('Mohamed Bazoum');
    expect(second.text).toContain('1,500');
  });

  it('a digest subscribed in a guild on each shard is posted into both channels', async () => {
    for (const g of [ON_0, ON_1]) {
      const ok = await ask(h.fake, g, 'digest subscribe', { time: '08:00', timezone: 'Africa/Niamey' }, true);
      expect(ok.text).toContain('08:00 Africa/Niamey');
      expect(await db.store.getSubscription({ platform: 'discord', channelId: g.channel })).toMatchObject({ workspaceId: g.id });
    }
    const scheduler = makeScheduler(db.store, [h.adapter.poster], { kb: bot.kb });
    await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
    for (const g of [ON_0, ON_1]) {
      const messages = h.fake.channelMessages(g.channel);
      expect(messages).toHaveLength(1);
      expect(visibleText(messages[0])).toContain('Niger Watch daily digest — 30 November 2026');
    }
    // Nothing went to the guilds that did not subscribe.
    for (const g of GUILDS.filter((x) => x !== ON_0 && x !== ON_1)) expect(h.fake.channelMessages(g.channel)).toHaveLength(0);
  });

  it('connected() is false while one shard is away, though the other still answers; true again once it resumes', async () => {
    const since = h.fake.frames.length;
    const shard1 = h.fake.sessions().find((s) => s.shard[0] === 1)!;
    const release = h.fake.holdShard(1);
    try {
      h.fake.dropConnection(undefined, 1);
      await h.fake.waitForFrame((f) => f.direction === 'in' && f.op === 6 && f.d.session_id === shard1.sessionId, 8000, since);
      expect(h.adapter.connected()).toBe(false);
      // discord.js itself still calls the client ready: the shards' own status is what /readyz must read.
      expect(h.adapter.client.isReady()).toBe(true);
      expect((await ask(h.fake, ON_0, 'ruler', { date: 'June 2023' })).text).toContain('Mohamed Bazoum');
      expect(h.adapter.connected()).toBe(false);
    } finally {
      release();
    }
    await h.fake.waitForFrame((f) => f.direction === 'out' && f.t === 'RESUMED' && f.shard === 1, 8000, since);
    await vi.waitFor(() => expect(h.adapter.connected()).toBe(true), { timeout: 5000, interval: 20 });
    expect((await ask(h.fake, ON_1, 'ruler', { date: 'June 2023' })).text).toContain('Mohamed Bazoum');
    expect(identifies(h.fake, since)).toHaveLength(0); // it resumed its session rather than starting a new one
  });
});

describe('DISCORD_SHARDS=auto and the default', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('auto takes the shard count from GET /gateway/bot and answers on both shards', async () => {
    h = await startHarness(await testBot(), { shards: 'auto', fake: { shards: 2, maxConcurrency: 2, guilds: fakeGuilds } });
    expect(h.fake.requests.some((r) => r.route === 'GET /gateway/bot')).toBe(true);
    expect(
      identifies(h.fake)
        .map((f) => f.d.shard)
        .sort(),
    ).toEqual([
      [0, 2],
      [1, 2],
    ]);
    for (const g of [ON_0, ON_1]) {
      const { sent, text } = await ask(h.fake, g, 'ruler', { date: 'June 2023' });
      expect(sent.shard).toBe(g.shard);
      expect(text).toContain('Mohamed Bazoum');
    }
  });

  it('unset: one shard, as before, that owns every guild', async () => {
    h = await startHarness(await testBot(), { fake: { shards: 2, guilds: fakeGuilds } });
    expect(identifies(h.fake).map((f) => f.d.shard)).toEqual([[0, 1]]);
    expect(dispatched(h.fake, 'READY')[0]!.d.guilds).toHaveLength(GUILDS.length);
    const { sent, text } = await ask(h.fake, ON_1, 'ruler', { date: 'June 2023' });
    expect(sent.shard).toBe(0);
    expect(text).toContain('Mohamed Bazoum');
  });

  it('shards that must identify 5 s apart (max_concurrency 1) all start, though together they take longer than the ready timeout', async () => {
    const log = captureLogger('info');
    h = await startHarness(await testBot(), { shards: 3, log, adapter: { readyTimeoutMs: 8000 }, fake: { maxConcurrency: 1, guilds: fakeGuilds } });
    const at = identifies(h.fake).map((f) => f.at);
    expect(identifies(h.fake).map((f) => f.d.shard[0])).toEqual([0, 1, 2]);
    // discord.js honoured the one-at-a-time bucket, so the whole start outlasted a single 8 s window.
    expect(at[2]! - at[0]!).toBeGreaterThan(8000);
    expect(h.adapter.connected()).toBe(true);
  }, 30_000);
});

describe('npm start with DISCORD_SHARDS=2: /readyz is ready only while both shards are', () => {
  let fake: FakeDiscord;
  let dir: string;
  beforeEach(async () => {
    fake = await startFakeDiscord({ token: TEST_TOKEN, applicationId: APPLICATION_ID, maxConcurrency: 2, guilds: fakeGuilds });
    dir = mkdtempSync(join(tmpdir(), 'niger-watch-shards-'));
  });
  afterEach(async () => {
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects both shards, answers a guild on each, and turns /readyz 503 while shard 1 is away', async () => {
    const run = runJs(MAIN_JS, {
      DISCORD_TOKEN: TEST_TOKEN,
      DISCORD_APPLICATION_ID: APPLICATION_ID,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_SHARDS: '2',
      DATABASE_URL: `file:${join(dir, 'digests.sqlite')}`,
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    });
    try {
      await vi.waitFor(() => expect(run.stderr()).toContain('running; SIGTERM'), { timeout: 30_000, interval: 50 });
      const listening = run
        .stderr()
        .split('\n')
        .find((l) => l.includes('health and metrics listening'));
      const port = JSON.parse(listening!).port as number;
      const readyz = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return { status: res.status, body: (await res.json()) as { checks: Record<string, string>; failed: string[] } };
      };
      expect(
        identifies(fake)
          .map((f) => f.d.shard)
          .sort(),
      ).toEqual([
        [0, 2],
        [1, 2],
      ]);
      expect((await readyz()).status).toBe(200);
      for (const g of [ON_0, ON_1]) expect((await ask(fake, g, 'ruler', { date: 'June 2023' })).text).toContain('Mohamed Bazoum');

      const since = fake.frames.length;
      const release = fake.holdShard(1);
      try {
        fake.dropConnection(undefined, 1);
        await fake.waitForFrame((f) => f.direction === 'in' && (f.op === 6 || f.op === 2), 10_000, since);
        const away = await readyz();
        expect(away.status).toBe(503);
        expect(away.body.failed).toEqual(['discord']);
      } finally {
        release();
      }
      await vi.waitFor(async () => expect((await readyz()).status).toBe(200), { timeout: 10_000, interval: 50 });
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exit, run.stderr()).toBe(0);
    expect(run.stderr()).toMatch(/"shards":2.*Discord connected/);
  }, 60_000);
});
