/**
 * Digests under faults, against the real bot process (`src/main.ts`), the fake Slack and a real database:
 * a Slack that answers slowly or with an error after posting, SIGTERM and kill -9 in the middle of a
 * large fan-out, a PostgreSQL that goes away. Each case counts the messages in every channel and reads
 * what the delivery log recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import { startFakeSlack, waitFor, type FakeSlack } from '../fakes/slack.ts';
import { BOT_TOKEN } from '../slack/harness.ts';
import { PG_URL } from '../storage/backends.ts';
import { slackHttpEnv, startBot, type BotProcess } from '../helpers/bot-process.ts';
import { startTcpProxy } from './tcp-proxy.ts';

let dir: string;
let fake: FakeSlack;
const bots: BotProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'niger-watch-faults-'));
});
afterEach(async () => {
  for (const b of bots.splice(0)) b.kill();
  await fake?.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const channelIds = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `C${tag}${String(i).padStart(3, '0')}`);

/** Subscriptions due one second ago (in UTC, at this minute), written through the store the bot uses. */
async function seedDue(store: SqlDigestStore, channels: string[]): Promise<string> {
  const now = Date.now();
  const iso = new Date(now).toISOString();
  const localDate = iso.slice(0, 10);
  for (const channelId of channels) {
    await store.putSubscription(
      {
        platform: 'slack',
        channelId,
        workspaceId: 'T0FAKE001',
        time: iso.slice(11, 16),
        timeZone: 'UTC',
        nextDueAt: now - 1000,
        nextLocalDate: localDate,
        createdBy: 'U0ADMIN001',
      },
      now,
    );
  }
  return localDate;
}

async function startSlackBot(databaseUrl: string): Promise<BotProcess> {
  const bot = startBot(slackHttpEnv(fake.apiUrl, databaseUrl));
  bots.push(bot);
  await bot.waitForOutput(/Slack adapter listening \(HTTP\)/, 60_000);
  return bot;
}

/** Polls (every 100 ms: the checks read the database) until `check` holds. */
const until = <T>(what: string, check: () => Promise<T | false | undefined | null> | T | false | undefined | null, timeoutMs: number) =>
  waitFor(check, timeoutMs, what, 100);

/** Claim status and message id per channel for one local date. */
async function claims(store: SqlDigestStore, channels: string[], localDate: string) {
  return Promise.all(channels.map(async (channelId) => ({ channelId, claim: await store.getClaim({ platform: 'slack', channelId, localDate }) })));
}

const allSent = (store: SqlDigestStore, channels: string[], localDate: string) => async () =>
  (await claims(store, channels, localDate)).every((c) => c.claim?.status === 'sent' || c.claim?.status === 'late');

/** Every channel holds exactly one digest, and the claim recorded its message. */
async function expectExactlyOnce(store: SqlDigestStore, channels: string[], localDate: string): Promise<void> {
  const counts = channels.map((c) => fake.messagesIn(c).length);
  expect(counts.filter((n) => n !== 1)).toEqual([]);
  for (const { channelId, claim } of await claims(store, channels, localDate)) {
    expect(claim?.messageId).toBe(fake.messagesIn(channelId)[0]!.ts);
  }
}

describe('digests under faults (real bot process, fake Slack)', () => {
  it('a Slack that answers after 20 s, or answers 500 after posting: one digest per channel, recorded as sent', { timeout: 120_000 }, async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN });
    const url = `file:${join(dir, 'slow.sqlite')}`;
    const store = await openStore(url);
    const [slow, erring] = channelIds(2, 'SLOW');
    fake.failNext('chat.postMessage', { delayMs: 20_000 });
    const localDate = await seedDue(store, [slow!]);
    const bot = await startSlackBot(url);
    await until('the slow digest to be recorded', allSent(store, [slow!], localDate), 60_000);
    fake.failNext('chat.postMessage', { statusAfterPosting: 500 });
    await seedDue(store, [erring!]);
    await until('the 500 digest to be recorded', allSent(store, [erring!], localDate), 60_000);
    await expectExactlyOnce(store, [slow!, erring!], localDate);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    await store.close();
  });

  it('SIGTERM during an 80-channel fan-out with 1 s Slack latency: in-flight posts recorded, the rest handed back and sent at once after restart', {
    timeout: 150_000,
  }, async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN });
    fake.setLatency('chat.postMessage', 1000);
    const url = `file:${join(dir, 'sigterm.sqlite')}`;
    const store = await openStore(url);
    const channels = channelIds(80, 'TERM');
    const localDate = await seedDue(store, channels);
    const first = await startSlackBot(url);
    await until('10 digests posted', () => fake.callsTo('chat.postMessage').length >= 10, 60_000);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // Everything that reached Slack was recorded; nothing else is held by the stopped instance.
    const posted = channels.filter((c) => fake.messagesIn(c).length > 0);
    const afterStop = await claims(store, channels, localDate);
    for (const { channelId, claim } of afterStop) {
      if (posted.includes(channelId)) expect(claim).toMatchObject({ status: 'sent', messageId: fake.messagesIn(channelId)[0]!.ts });
      else expect(claim).toMatchObject({ status: 'retrying', owner: null });
    }
    expect(posted.length).toBeLessThan(80);
    const restartedAt = Date.now();
    await startSlackBot(url);
    await until('all 80 digests recorded', allSent(store, channels, localDate), 60_000);
    const tookMs = Date.now() - restartedAt;
    await expectExactlyOnce(store, channels, localDate);
    // Handed-back claims do not wait for a lease: the rest go out at Slack's pace (5 posts/s per workspace).
    expect(tookMs).toBeLessThan(45_000);
    console.log(
      `[faults] SIGTERM fan-out: ${posted.length} posted before the stop, all recorded; the other ${80 - posted.length} sent ${(tookMs / 1000).toFixed(1)} s after the restart began; 0 duplicates`,
    );
    await store.close();
  });

  it('kill -9 during the fan-out: after a restart every channel has its digest exactly once', { timeout: 200_000 }, async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN });
    fake.setLatency('chat.postMessage', 1000);
    const url = `file:${join(dir, 'kill.sqlite')}`;
    const store = await openStore(url);
    const channels = channelIds(80, 'KILL');
    const localDate = await seedDue(store, channels);
    const first = await startSlackBot(url);
    await until('10 digests posted', () => fake.callsTo('chat.postMessage').length >= 10, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await claims(store, channels, localDate);
    const inFlight = atKill.filter((c) => c.claim?.status === 'claimed' && c.claim.postStartedAt !== null).length;
    const restartedAt = Date.now();
    await startSlackBot(url);
    await until('all 80 digests recorded', allSent(store, channels, localDate), 150_000);
    const tookMs = Date.now() - restartedAt;
    await expectExactlyOnce(store, channels, localDate);
    console.log(
      `[faults] kill -9 fan-out: ${inFlight} posts in flight at the kill; all 80 recorded ${(tookMs / 1000).toFixed(1)} s after the restart began; 0 duplicates`,
    );
    await store.close();
  });
});

describe('digests while PostgreSQL goes away', () => {
  let admin: pg.Client;
  let database: string;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
  });

  it('the database is cut for 5 s mid fan-out: every channel gets its digest exactly once, and the log records each', { timeout: 200_000 }, async () => {
    database = `nw_faults_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const target = new URL(PG_URL);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const direct = new URL(PG_URL);
    direct.pathname = `/${database}`;
    const viaProxy = new URL(direct);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    fake = await startFakeSlack({ botToken: BOT_TOKEN });
    fake.setLatency('chat.postMessage', 500);
    const store = await openStore(direct.toString());
    const channels = channelIds(40, 'PGDB');
    const localDate = await seedDue(store, channels);
    const bot = await startSlackBot(viaProxy.toString());
    await until('5 digests posted', () => fake.callsTo('chat.postMessage').length >= 5, 60_000);
    proxy.cut();
    await new Promise((r) => setTimeout(r, 5000));
    proxy.restore();
    await until('all 40 digests recorded', allSent(store, channels, localDate), 150_000);
    await expectExactlyOnce(store, channels, localDate);
    for (const channelId of channels) {
      const log = await store.history({ platform: 'slack', channelId }, 10);
      expect(log.filter((e) => e.status === 'sent' || e.status === 'late')).toHaveLength(1);
    }
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    await store.close();
    await proxy.close();
  });
});
