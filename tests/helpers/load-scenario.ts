/**
 * The load scenario of issue 12, shared by `npm run bench load` (10,000 digests) and the fault suite
 * (tests/faults/load.test.ts, a few hundred): two real bot processes (dist/src/main.js, as `npm start` runs
 * it) on one fresh PostgreSQL database, the fake Slack with three workspaces installed through the bot's own
 * OAuth pages, the fake Discord with two gateway shards and guilds on both, every subscription due at the same
 * instant, SIGTERM to one instance once part of the fan-out is posted, and then the drain.
 *
 * Nothing of ours is mocked and the pacing is the bot's own (DEFAULT_PACING, not configurable from outside);
 * the fakes enforce the platforms' published limits (Slack 1 post/s per channel, Discord 50 requests/s per bot
 * and 5 messages per 5 s per channel) with 429s, so a pacing that broke them would show as 429s. What is
 * measured comes from the fakes' own records (arrival times, what was posted where, with which token) and the
 * claim rows, never from the bot's log.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DEFAULT_PACING } from '../../src/digest/pacer.ts';
import { openStore } from '../../src/storage/open.ts';
import { guildOnShard, startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import { startFakeSlack, waitFor, type FakeSlack, type FakeWorkspace } from '../fakes/slack.ts';
import { APPLICATION_ID, TEST_TOKEN } from '../discord/harness.ts';
import { SIGNING_SECRET } from '../slack/harness.ts';
import { PG_URL } from '../storage/backends.ts';
import { startBot, type BotProcess } from './bot-process.ts';

const CLIENT_ID = '1111111111.2222222222';
const CLIENT_SECRET = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';
const STATE_SECRET = 'state-secret-for-the-load-scenario-0123456789';
const COOKIE = 'slack-app-oauth-state';
const RUNNING = /"msg":"running; SIGTERM or SIGINT stops it"/;
/** Zones with whole-hour offsets: the same UTC instant is a whole minute in each, as 08:00 Niamey is 07:00 UTC. */
const ZONES = ['UTC', 'Africa/Niamey', 'Europe/Paris', 'America/New_York'];

export interface LoadScenarioOptions {
  /** Subscriptions, all due at the same instant. */
  subscriptions: number;
  /** Share of them in Slack channels (the rest in Discord channels). Default 0.5. */
  slackShare?: number;
  /** Slack workspaces, each installed through OAuth. Default 3. */
  workspaces?: number;
  /** Discord gateway shards (DISCORD_SHARDS), with guilds on each. Default 2. */
  shards?: number;
  /** Text channels per Discord guild (a guild has at most 500). Default 10. */
  channelsPerGuild?: number;
  /** SIGTERM to instance A once this share of the digests is on the platforms. Default 0.3. */
  sigtermAt?: number;
  /**
   * `next-minute`: due at the next minute boundary, as 08:00:00 is in production (waits for it);
   * `now`: due at once, picked up by the next 15-second tick (keeps a CI run short).
   */
  due: 'next-minute' | 'now';
  /** How long the drain may take before the scenario gives up (and reports what is missing). */
  drainTimeoutMs: number;
  /** Progress lines (the bench prints them; the test ignores them). */
  progress?: (line: string) => void;
}

/** Max posts seen in any sliding window, for one pacing key and one scope (an instance, or both together). */
export interface RateRow {
  platform: 'slack' | 'discord';
  /** The pacing key (`slack:workspace`, `discord:global`, `slack:channel`, …), with how many keys it covers. */
  key: string;
  keys: number;
  /** `A`, `B` or `both`. */
  scope: string;
  /** Max posts on one key in any 1 s window (the platforms' own window). */
  maxIn1s: number;
  /** Max posts on one key in any 5 s window (what the pacing is checked on: see `allowed5s`). */
  maxIn5s: number;
  /** The slots the bot's pacing gives one instance in 5 s (ceil(5 s / interval)), or null when it sets none. */
  paced5s: number | null;
  /** The most arrivals those slots can make in 5 s with `JITTER_MS` of slot-to-arrival jitter. */
  allowed5s: number | null;
  /** The platform's own limit per second for the whole deployment, or null when the platform publishes no number. */
  platformLimit1s: number | null;
  /** Posts per second over the busiest key's span. */
  meanPerSecond: number;
  /** Shortest gap between two posts on one key (ms). */
  minGapMs: number | null;
}

/**
 * A post reaches the platform a few database round trips (the re-check after a long wait, the post start, the
 * workspace's token) and a request after its pacing slot, and on 2 shared cores that delay varies: slots an
 * interval apart can arrive closer. The pacing is checked over 5 s, where arrivals may pass the slots by what
 * fits in this much jitter and no more; an instance posting at twice its pace still fails.
 */
export const JITTER_MS = 1000;

export interface InstanceResult {
  name: 'A' | 'B';
  pid: number;
  /** Peak resident memory (VmHWM from /proc, read right before the process stopped). */
  peakRssBytes: number;
  exitCode: number | null;
  /** Digests whose claim this instance recorded as sent. */
  sent: number;
  sigterm: boolean;
}

export interface LoadResult {
  subscriptions: number;
  slack: number;
  discord: number;
  workspaces: string[];
  shards: number;
  guilds: number;
  /** The instant every subscription was due (ms since the epoch). */
  dueAt: number;
  firstPostAt: number;
  lastPostAt: number;
  /** First due → last post. */
  drainMs: number;
  /** When A got SIGTERM (ms after due), and how many digests were on the platforms then. */
  sigtermAfterMs: number;
  postedAtSigterm: number;
  /** Claims of A still open right after it exited (should be none: in flight recorded, the rest handed back). */
  openClaimsOfStoppedInstance: number;
  instances: InstanceResult[];
  /** Channels with no post, and channels with more than one. */
  missing: string[];
  duplicated: string[];
  /** Discord: POSTs that reached the fake twice for one channel (the nonce would hide them from the channel). */
  discordRepeatedRequests: number;
  /** Slack messages posted with another workspace's token than the subscription's. */
  wrongWorkspace: number;
  /** Claims whose recorded message id is not the message in the channel, or that are not sent. */
  claimMismatches: string[];
  claimStatuses: Record<string, number>;
  rates: RateRow[];
  http429: { slack: number; discord: number; discordGlobal: number };
  /** Per instance: 429s the bot recorded as retries (delivery log). */
  retriedRateLimited: number;
  handedBack: number;
  takenOver: number;
  /** Everything that breaks exactly-once, the pacing or the shutdown; empty when all held. */
  violations: string[];
}

interface Sub {
  platform: 'slack' | 'discord';
  channelId: string;
  workspaceId: string;
  zone: string;
}

const hashId = (seed: string, length: number) => createHash('sha256').update(seed).digest('hex').toUpperCase().slice(0, length);

/** Slack channel ids that look like Slack's and sort in no particular workspace order, as real ones do. */
function plan(options: LoadScenarioOptions, workspaces: string[], guilds: { id: string; shard: number }[]): Sub[] {
  const slackCount = Math.round(options.subscriptions * (options.slackShare ?? 0.5));
  const subs: Sub[] = [];
  for (let i = 0; i < slackCount; i++) {
    subs.push({
      platform: 'slack',
      channelId: `C${hashId(`slack-${i}`, 10)}`,
      workspaceId: workspaces[i % workspaces.length]!,
      zone: ZONES[i % ZONES.length]!,
    });
  }
  for (let i = 0; i < options.subscriptions - slackCount; i++) {
    const guild = guilds[i % guilds.length]!;
    subs.push({ platform: 'discord', channelId: String(1300000000000000000n + BigInt(i)), workspaceId: guild.id, zone: ZONES[i % ZONES.length]! });
  }
  return subs;
}

/** HH:MM and the date of `at` in `zone`. */
function localTime(at: number, zone: string): { time: string; date: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return { time: `${parts.hour}:${parts.minute}`, date: `${parts.year}-${parts.month}-${parts.day}` };
}

/** Max entries of sorted `times` inside any window of `windowMs` (half-open). */
export function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

function peakRss(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The browser's way through the install, against one instance: our install page, Slack's approval (the fake's code), our redirect page. */
async function install(base: string, fake: FakeSlack, ws: FakeWorkspace): Promise<void> {
  const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
  const location = start.headers.get('location');
  if (start.status !== 302 || !location) throw new Error(`/slack/install answered ${start.status}`);
  const state = new URL(location).searchParams.get('state')!;
  const code = fake.authorizationCode(ws.teamId);
  const done = await fetch(`${base}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, {
    headers: { cookie: `${COOKIE}=${state}` },
    redirect: 'manual',
  });
  if (done.status !== 200) throw new Error(`installing ${ws.teamId}: /slack/oauth_redirect answered ${done.status}: ${await done.text()}`);
}

/** Teardowns of the runs under way: a test that times out leaves its run behind, and its afterEach ends it here. */
const running = new Set<() => Promise<void>>();

/** Stops the bot processes, fakes and databases of every run still under way (a test's afterEach). */
export async function stopLoadScenarios(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

export async function runLoadScenario(options: LoadScenarioOptions): Promise<LoadResult> {
  const say = options.progress ?? (() => undefined);
  const shards = options.shards ?? 2;
  const workspaceCount = options.workspaces ?? 3;
  const channelsPerGuild = options.channelsPerGuild ?? 10;
  const discordCount = options.subscriptions - Math.round(options.subscriptions * (options.slackShare ?? 0.5));
  const guildsPerShard = Math.max(1, Math.ceil(discordCount / (shards * channelsPerGuild)));
  const guilds = Array.from({ length: shards }, (_, shard) =>
    Array.from({ length: guildsPerShard }, (_, n) => ({ id: guildOnShard(shard, shards, n), shard })),
  ).flat();

  const database = `nw_load_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const watcher = new pg.Client({ connectionString: databaseUrl });

  let slack: FakeSlack | undefined;
  let discord: FakeDiscord | undefined;
  const bots: BotProcess[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (sampler) clearInterval(sampler);
      for (const bot of bots) bot.kill();
      await Promise.all(bots.map((bot) => bot.exited));
      await watcher.end().catch(() => undefined);
      await slack?.close();
      await discord?.close();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      running.delete(stop);
    })());
  running.add(stop);
  try {
    slack = await startFakeSlack({
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      strictTokens: true,
      postLimits: { perChannel: { limit: 1, windowMs: 1000 } },
    });
    const workspaces = Array.from({ length: workspaceCount }, (_, i) => slack!.addWorkspace({ teamId: `T0LOADWS${i + 1}`, teamName: `Desk ${i + 1}` }));
    const subs = plan(
      options,
      workspaces.map((w) => w.teamId),
      guilds,
    );
    const discordSubs = subs.filter((s) => s.platform === 'discord');
    const channelsOf = new Map<string, string[]>();
    for (const s of discordSubs) channelsOf.set(s.workspaceId, [...(channelsOf.get(s.workspaceId) ?? []), s.channelId]);
    discord = await startFakeDiscord({
      token: TEST_TOKEN,
      applicationId: APPLICATION_ID,
      shards,
      maxConcurrency: shards,
      guilds: guilds.map((g) => ({ id: g.id, channels: channelsOf.get(g.id) ?? [] })),
      globalLimit: { limit: 50, windowMs: 1000 },
      channelMessageLimit: { limit: 5, windowMs: 5000 },
    });

    const env = {
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: STATE_SECRET,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DISCORD_TOKEN: TEST_TOKEN,
      DISCORD_APPLICATION_ID: APPLICATION_ID,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_SHARDS: String(shards),
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
    };
    // A first, alone: it applies the migrations to the fresh database; then B.
    for (let i = 0; i < 2; i++) {
      const bot = startBot(env);
      bots.push(bot);
      await bot.waitForOutput(RUNNING, 90_000);
    }
    const [a, b] = bots as [BotProcess, BotProcess];
    const peaks = new Map<number, number>();
    const sample = () => {
      for (const bot of bots)
        if (bot.child.exitCode === null && bot.child.signalCode === null) peaks.set(bot.pid, Math.max(peaks.get(bot.pid) ?? 0, peakRss(bot.pid)));
    };
    sampler = setInterval(sample, 250);
    const slackPort = async (bot: BotProcess) => Number((await bot.waitForOutput(/"mode":"http","port":(\d+)/))[1]);
    const bases = [`http://127.0.0.1:${await slackPort(a)}`, `http://127.0.0.1:${await slackPort(b)}`];
    // Installed through both instances: the installations are the shared database's, not an instance's.
    for (const [i, ws] of workspaces.entries()) await install(bases[i % 2]!, slack, ws);
    say(
      `2 instances running (pids ${a.pid}, ${b.pid}); ${workspaces.length} Slack workspaces installed through /slack/install; Discord: ${shards} shards, ${guilds.length} guilds`,
    );

    // Seeded through the store the bot uses, due far ahead; then made due at one instant by a single statement, so
    // the seeding's duration does not spread the due times (in production they are all 08:00:00).
    const seedStarted = performance.now();
    const store = await openStore(databaseUrl);
    const placeholder = Date.now() + 2 * 86_400_000;
    for (let i = 0; i < subs.length; i += 200) {
      await Promise.all(
        subs.slice(i, i + 200).map((s) =>
          store.putSubscription(
            {
              platform: s.platform,
              channelId: s.channelId,
              workspaceId: s.workspaceId,
              time: '08:00',
              timeZone: s.zone,
              nextDueAt: placeholder,
              nextLocalDate: localTime(placeholder, s.zone).date,
              createdBy: 'U0LOADSEED',
            },
            Date.now(),
          ),
        ),
      );
    }
    await store.close();
    say(
      `seeded ${subs.length} subscriptions (${subs.length - discordSubs.length} Slack, ${discordSubs.length} Discord) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    await watcher.connect();
    const dueAt = options.due === 'now' ? Date.now() : Math.ceil((Date.now() + 2000) / 60_000) * 60_000;
    await watcher.query('BEGIN');
    for (const zone of ZONES) {
      const local = localTime(dueAt, zone);
      await watcher.query('UPDATE digest_subscriptions SET time_of_day = $1, next_due_at = $2, next_local_date = $3 WHERE time_zone = $4', [
        local.time,
        dueAt,
        local.date,
        zone,
      ]);
    }
    await watcher.query('COMMIT');
    say(`all due at ${new Date(dueAt).toISOString()}${dueAt > Date.now() ? ` (in ${((dueAt - Date.now()) / 1000).toFixed(0)} s)` : ''}`);

    const slackPosts = () => slack!.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200 && (c.response as { ok?: boolean })?.ok);
    const discordPosts = () => discord!.requests.filter((r) => r.route === 'POST /channels/:id/messages' && r.status === 200 && !r.deduplicated);
    const posted = () => slackPosts().length + discordPosts().length;

    // SIGTERM to A mid fan-out.
    const sigtermCount = Math.max(1, Math.floor(subs.length * (options.sigtermAt ?? 0.3)));
    await waitFor(() => posted() >= sigtermCount, options.drainTimeoutMs, `${sigtermCount} digests posted`, 20);
    sample();
    const sigtermAt = Date.now();
    const postedAtSigterm = posted();
    a.child.kill('SIGTERM');
    const aExit = await a.exited;
    say(`SIGTERM to A after ${postedAtSigterm} posts (${((sigtermAt - dueAt) / 1000).toFixed(1)} s after due); A exited ${aExit}`);
    const aOwner = await ownerOf(watcher, a.pid);
    const { rows: openOfA } = await watcher.query<{ n: string }>("SELECT count(*) AS n FROM digest_claims WHERE owner = $1 AND status = 'claimed'", [
      aOwner ?? '',
    ]);

    // The drain: every claim final, nothing open, every schedule moved on.
    let lastReport = Date.now();
    await waitFor(
      async () => {
        const { rows } = await watcher.query<{ final: string; open: string }>(
          "SELECT count(*) FILTER (WHERE status IN ('sent', 'late', 'skipped', 'rejected', 'failed')) AS final, count(*) FILTER (WHERE status IN ('claimed', 'retrying')) AS open FROM digest_claims",
        );
        const { rows: due } = await watcher.query<{ n: string }>('SELECT count(*) AS n FROM digest_subscriptions WHERE next_due_at <= $1', [dueAt]);
        if (Date.now() - lastReport > 15_000) {
          lastReport = Date.now();
          say(`  ${posted()} posted, ${rows[0]!.final} claims final, ${rows[0]!.open} open, ${due[0]!.n} not yet claimed`);
        }
        return Number(rows[0]!.final) >= subs.length && Number(rows[0]!.open) === 0 && Number(due[0]!.n) === 0;
      },
      options.drainTimeoutMs,
      'every claim to be final',
      200,
    ).catch((err: unknown) => say(`drain incomplete: ${(err as Error).message}`));
    // Two more ticks of B: nothing may be posted again.
    const settled = posted();
    await new Promise((r) => setTimeout(r, 2000));
    sample();
    b.child.kill('SIGTERM');
    const bExit = await b.exited;
    clearInterval(sampler);
    sampler = undefined;

    // --- what happened, from the fakes and the claim rows ---
    const violations: string[] = [];
    if (posted() !== settled) violations.push(`${posted() - settled} post(s) after the drain had ended`);
    const bySub = new Map(subs.map((s) => [s.channelId, s]));
    const missing: string[] = [];
    const duplicated: string[] = [];
    for (const s of subs) {
      const n = s.platform === 'slack' ? slack.messagesIn(s.channelId).length : discord.channelMessages(s.channelId).length;
      if (n === 0) missing.push(s.channelId);
      if (n > 1) duplicated.push(s.channelId);
    }
    if (missing.length) violations.push(`${missing.length} subscription(s) got no digest (first: ${missing.slice(0, 3).join(', ')})`);
    if (duplicated.length) violations.push(`${duplicated.length} subscription(s) got more than one digest (first: ${duplicated.slice(0, 3).join(', ')})`);
    const discordRequests = new Map<string, number>();
    for (const r of discord.requests.filter((r) => r.route === 'POST /channels/:id/messages' && r.status === 200)) {
      const id = r.path.split('/')[2]!;
      discordRequests.set(id, (discordRequests.get(id) ?? 0) + 1);
    }
    const discordRepeatedRequests = [...discordRequests.values()].filter((n) => n > 1).length;
    if (discordRepeatedRequests) violations.push(`${discordRepeatedRequests} Discord channel(s) were posted to twice (the nonce hid the repeat)`);
    const wrongWorkspace = subs.filter((s) => s.platform === 'slack' && slack!.messagesIn(s.channelId).some((m) => m.team !== s.workspaceId)).length;
    if (wrongWorkspace) violations.push(`${wrongWorkspace} Slack digest(s) posted with another workspace's token`);

    const { rows: claimRows } = await watcher.query<{ platform: string; channel_id: string; status: string; owner: string | null; message_id: string | null }>(
      'SELECT platform, channel_id, status, owner, message_id FROM digest_claims',
    );
    const claimStatuses: Record<string, number> = {};
    const claimMismatches: string[] = [];
    const ownerOfChannel = new Map<string, string | null>();
    for (const c of claimRows) {
      claimStatuses[c.status] = (claimStatuses[c.status] ?? 0) + 1;
      ownerOfChannel.set(c.channel_id, c.owner);
      const sub = bySub.get(c.channel_id);
      const first = sub?.platform === 'slack' ? slack.messagesIn(c.channel_id)[0]?.ts : discord.channelMessages(c.channel_id)[0]?.id;
      if ((c.status !== 'sent' && c.status !== 'late') || c.message_id !== first)
        claimMismatches.push(`${c.channel_id}: ${c.status}, ${c.message_id} vs ${first}`);
    }
    if (claimRows.length !== subs.length) violations.push(`${claimRows.length} claim rows for ${subs.length} subscriptions`);
    if (claimMismatches.length) violations.push(`${claimMismatches.length} claim(s) not sent or not naming the posted message (first: ${claimMismatches[0]})`);
    // Every instance ticked on time: nothing here is a catch-up after downtime, so nothing should say late.
    if (claimStatuses.late) violations.push(`${claimStatuses.late} digest(s) recorded late although the instances were ticking on time`);

    const bOwner = await ownerOf(watcher, b.pid);
    const { rows: logRows } = await watcher.query<{ status: string; reason: string | null }>("SELECT status, reason FROM digest_log WHERE status = 'retried'");
    const handedBack = logRows.filter((r) => r.reason?.includes('handed back')).length;
    const takenOver = logRows.filter((r) => r.reason?.includes('took it over')).length;
    const retriedRateLimited = logRows.filter((r) => r.reason?.includes('rate limited')).length;

    const instances: InstanceResult[] = [
      { name: 'A', pid: a.pid, peakRssBytes: peaks.get(a.pid) ?? 0, exitCode: aExit, sent: claimRows.filter((c) => c.owner === aOwner).length, sigterm: true },
      { name: 'B', pid: b.pid, peakRssBytes: peaks.get(b.pid) ?? 0, exitCode: bExit, sent: claimRows.filter((c) => c.owner === bOwner).length, sigterm: false },
    ];
    for (const i of instances) if (i.exitCode !== 0) violations.push(`instance ${i.name} exited ${i.exitCode} after SIGTERM`);
    if (Number(openOfA[0]!.n) > 0) violations.push(`${openOfA[0]!.n} claim(s) of the stopped instance still held after it exited`);
    if (postedAtSigterm >= subs.length) violations.push('SIGTERM came after the fan-out had ended');
    if (instances[0]!.sent === 0 || instances[1]!.sent === 0)
      violations.push(`the instances did not share the work (A ${instances[0]!.sent}, B ${instances[1]!.sent})`);

    // --- pacing: max posts per key in any window, per instance and both together ---
    const instanceOf = (channelId: string) => (ownerOfChannel.get(channelId) === aOwner ? 'A' : ownerOfChannel.get(channelId) === bOwner ? 'B' : '?');
    const events = [
      ...slackPosts().map((c) => ({ platform: 'slack' as const, channelId: String(c.args.channel), workspace: c.teamId ?? '?', at: c.at })),
      ...discordPosts().map((r) => ({ platform: 'discord' as const, channelId: r.path.split('/')[2]!, workspace: '', at: performance.timeOrigin + r.at })),
    ].sort((x, y) => x.at - y.at);
    const rates: RateRow[] = [];
    const slots = (intervalMs: number | undefined, windowMs: number) => (intervalMs ? Math.ceil(windowMs / intervalMs) : null);
    for (const scope of ['A', 'B', 'both']) {
      const mine = events.filter((e) => scope === 'both' || instanceOf(e.channelId) === scope);
      const group = (
        platform: 'slack' | 'discord',
        keyName: string,
        keyOf: (e: (typeof events)[number]) => string,
        intervalMs: number | undefined,
        limit: number | null,
      ) => {
        const byKey = new Map<string, number[]>();
        for (const e of mine) {
          if (e.platform !== platform) continue;
          const times = byKey.get(keyOf(e));
          if (times) times.push(e.at);
          else byKey.set(keyOf(e), [e.at]);
        }
        if (byKey.size === 0) return;
        const row: RateRow = {
          platform,
          key: keyName,
          keys: byKey.size,
          scope,
          maxIn1s: 0,
          maxIn5s: 0,
          paced5s: slots(intervalMs, 5000),
          allowed5s: slots(intervalMs, 5000 + JITTER_MS),
          platformLimit1s: limit,
          meanPerSecond: 0,
          minGapMs: null,
        };
        for (const times of byKey.values()) {
          row.maxIn1s = Math.max(row.maxIn1s, maxInWindow(times, 1000));
          row.maxIn5s = Math.max(row.maxIn5s, maxInWindow(times, 5000));
          const span = (times[times.length - 1]! - times[0]!) / 1000;
          if (times.length > 1 && span > 0) row.meanPerSecond = Math.max(row.meanPerSecond, (times.length - 1) / span);
          for (let i = 1; i < times.length; i++) row.minGapMs = Math.min(row.minGapMs ?? Infinity, times[i]! - times[i - 1]!);
        }
        rates.push(row);
      };
      group('slack', 'slack:channel', (e) => e.channelId, DEFAULT_PACING.slack!.perChannelMs, 1);
      group('slack', 'slack:workspace', (e) => e.workspace, DEFAULT_PACING.slack!.perWorkspaceMs, null);
      group('discord', 'discord:channel', (e) => e.channelId, DEFAULT_PACING.discord!.perChannelMs, 1);
      group('discord', 'discord:global', () => 'global', DEFAULT_PACING.discord!.globalMs, 50);
    }
    for (const r of rates) {
      if (r.scope !== 'both' && r.allowed5s !== null && r.maxIn5s > r.allowed5s) {
        violations.push(
          `instance ${r.scope}: ${r.maxIn5s} posts on one ${r.key} key in 5 s (paced for ${r.paced5s}, ${r.allowed5s} with ${JITTER_MS} ms of jitter)`,
        );
      }
      if (r.scope === 'both' && r.platformLimit1s !== null && r.maxIn1s > r.platformLimit1s) {
        violations.push(`${r.maxIn1s} posts on one ${r.key} key in 1 s (the platform allows ${r.platformLimit1s})`);
      }
    }
    const http429 = {
      slack: slack.calls.filter((c) => c.status === 429).length,
      discord: discord.requests.filter((r) => r.status === 429).length,
      discordGlobal: discord.requests.filter((r) => r.status === 429 && r.injected === 'global').length,
    };
    const firstPostAt = events[0]?.at ?? Number.NaN;
    const lastPostAt = events[events.length - 1]?.at ?? Number.NaN;
    return {
      subscriptions: subs.length,
      slack: subs.length - discordSubs.length,
      discord: discordSubs.length,
      workspaces: workspaces.map((w) => w.teamId),
      shards,
      guilds: guilds.length,
      dueAt,
      firstPostAt,
      lastPostAt,
      drainMs: lastPostAt - dueAt,
      sigtermAfterMs: sigtermAt - dueAt,
      postedAtSigterm,
      openClaimsOfStoppedInstance: Number(openOfA[0]!.n),
      instances,
      missing,
      duplicated,
      discordRepeatedRequests,
      wrongWorkspace,
      claimMismatches,
      claimStatuses,
      rates,
      http429,
      retriedRateLimited,
      handedBack,
      takenOver,
      violations,
    };
  } finally {
    await stop();
  }
}

/** The claim owner (the scheduler's instance id, `host-pid-random`) of the process `pid`, from the rows it wrote. */
async function ownerOf(db: pg.Client, pid: number): Promise<string | undefined> {
  const { rows } = await db.query<{ owner: string }>(
    'SELECT DISTINCT owner FROM digest_claims WHERE owner LIKE $1 UNION SELECT DISTINCT instance AS owner FROM digest_log WHERE instance LIKE $1',
    [`%-${pid}-%`],
  );
  return rows[0]?.owner;
}
