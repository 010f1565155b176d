import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DigestChannel } from '../../src/core/digest-port.ts';
import { DeliveryError } from '../../src/core/delivery.ts';
import { buildDigest } from '../../src/digest/content.ts';
import { describeDuration, nonceFor, type DigestScheduler } from '../../src/digest/scheduler.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import { captureLogger } from '../helpers/bot.ts';
import { backendMatrix, type TestDb } from '../storage/backends.ts';
import { at, makeScheduler, RecordingPoster, testKb } from './helpers.ts';

const matrix = await backendMatrix();
const C1: DigestChannel = { platform: 'slack', channelId: 'C1', workspaceId: 'T1' };

/** Ticks every `stepMinutes` from `from` to `to`, recording the tick time of each new post. */
async function tickThrough(s: DigestScheduler, poster: RecordingPoster, from: string, to: string, stepMinutes: number): Promise<string[]> {
  const times: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepMinutes * 60_000) {
    const before = poster.posts.length;
    await s.tick(new Date(t));
    for (let i = before; i < poster.posts.length; i++) times.push(new Date(t).toISOString());
  }
  return times;
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`digest scheduler on ${backend.name}`, () => {
    let db: TestDb;
    let store: SqlDigestStore;
    let service: StoreDigestService;
    let poster: RecordingPoster;
    beforeEach(async () => {
      db = await backend.open();
      store = db.store;
      service = new StoreDigestService(store, testKb());
      poster = new RecordingPoster('slack');
    });
    afterEach(async () => {
      await db?.cleanup();
    });

    const subscribe = (time: string, timeZone: string, now: string, channel: DigestChannel = C1) =>
      service.subscribe(channel, { time, timeZone }, 'U-admin', at(now));
    const claimOf = (localDate: string, channel: DigestChannel = C1) => store.getClaim({ ...channel, localDate });
    const statuses = async (channel: DigestChannel = C1) => (await service.history(channel, 50)).map((e) => e.status);

    it('posts once at the due minute, records the message id, and moves on to the next local day', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const s = makeScheduler(store, [poster]);
      const preview = await service.preview(C1, at('2026-11-30T06:30:00Z'));
      await s.tick(at('2026-11-30T06:59:00Z'));
      expect(poster.posts).toHaveLength(0);
      await s.tick(at('2026-11-30T07:00:00Z'));
      await s.tick(at('2026-11-30T07:00:30Z'));
      await s.tick(at('2026-11-30T07:01:00Z'));
      expect(poster.posts).toHaveLength(1);
      const [post] = poster.posts;
      expect(post!.channelId).toBe('C1');
      expect(post!.nonce).toBe(nonceFor({ platform: 'slack', channelId: 'C1', localDate: '2026-11-30' }));
      // The preview is exactly what was posted.
      expect(post!.reply).toEqual(preview.reply);
      expect(post!.reply.fields.map((f) => f.value).join(' ')).toContain('Tiani');
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'sent', messageId: post!.messageId, attempts: 1, owner: s.instanceId });
      expect(await service.history(C1, 5)).toMatchObject([{ status: 'sent', localDate: '2026-11-30', messageId: post!.messageId }]);
      const sub = await service.subscription(C1);
      expect(sub?.nextDueAt?.toISOString()).toBe('2026-12-01T07:00:00.000Z');
      expect(sub?.nextLocalDate).toBe('2026-12-01');

      // Next day: nothing new in the knowledge base since the first digest.
      const preview2 = await service.preview(C1, at('2026-12-01T06:00:00Z'));
      await s.tick(at('2026-12-01T07:00:00Z'));
      expect(poster.posts).toHaveLength(2);
      expect(poster.posts[1]!.reply).toEqual(preview2.reply);
      expect(poster.posts[1]!.reply.items).toEqual([]);
      expect(poster.posts[1]!.reply.notes.join(' ')).toMatch(/Nothing new since the previous digest/);
    });

    it('DST gap: 02:30 Europe/Paris goes out at 03:00 CEST on 2026-03-29, at 02:30 the days around it', async () => {
      await subscribe('02:30', 'Europe/Paris', '2026-03-27T12:00:00Z');
      const s = makeScheduler(store, [poster]);
      const times = await tickThrough(s, poster, '2026-03-28T00:00:00Z', '2026-03-30T03:00:00Z', 5);
      expect(times).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
      expect(await statuses()).toEqual(['sent', 'sent', 'sent']);
    });

    it('DST overlap: 01:30 America/New_York goes out once on 2026-11-01 (the first 01:30, EDT)', async () => {
      await subscribe('01:30', 'America/New_York', '2026-10-30T12:00:00Z');
      const s = makeScheduler(store, [poster]);
      const times = await tickThrough(s, poster, '2026-10-31T04:00:00Z', '2026-11-02T08:00:00Z', 5);
      expect(times).toEqual(['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
      expect(poster.posts.map((p) => p.reply.title)).toEqual([
        'Niger Watch daily digest — 31 October 2026',
        'Niger Watch daily digest — 1 November 2026',
        'Niger Watch daily digest — 2 November 2026',
      ]);
    });

    it('catch-up: after downtime, a digest missed by less than the window goes out once, marked late', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const s = makeScheduler(store, [poster]);
      await s.tick(at('2026-11-30T08:30:00Z')); // 90 min late
      await s.tick(at('2026-11-30T08:31:00Z'));
      expect(poster.posts).toHaveLength(1);
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'late', reason: 'sent 90 min after its time (catch-up)' });
      expect(await service.history(C1, 5)).toMatchObject([{ status: 'late', reason: 'sent 90 min after its time (catch-up)' }]);
      expect((await service.subscription(C1))?.nextLocalDate).toBe('2026-12-01');
    });

    it('a short delay (a restart of a few minutes) is not called late', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const s = makeScheduler(store, [poster]);
      await s.tick(at('2026-11-30T07:03:00Z'));
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'sent', reason: null });
    });

    it('fan-out is paced per platform (here Discord at one post per 20 ms) and pacing never makes a digest late', async () => {
      for (let i = 0; i < 25; i++) {
        await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z', {
          platform: 'discord',
          channelId: `11900000000000${String(i).padStart(5, '0')}`,
          workspaceId: 'G1',
        });
      }
      const times: number[] = [];
      const discord = new RecordingPoster('discord');
      const timed = {
        platform: 'discord',
        post: async (c: string, r: Parameters<RecordingPoster['post']>[1], n: string) => {
          times.push(performance.now());
          return discord.post(c, r, n);
        },
      };
      const s = makeScheduler(store, [timed], { pacing: { discord: { globalMs: 20 } }, lateAfterMs: 1 });
      const tickStart = performance.now();
      await s.tick(at('2026-11-30T07:00:00Z'));
      expect(discord.posts).toHaveLength(25);
      times.sort((a, b) => a - b);
      // Slots are 20 ms apart from the tick's start; a post may start after its slot (event-loop delay,
      // the post-start write), never before. So the n-th post starts no earlier than n slots in, and no
      // 100 ms window holds more than 5 posts plus a few that were held up.
      times.forEach((t, n) => {
        expect(t - tickStart).toBeGreaterThanOrEqual(n * 20 - 1);
      });
      for (let i = 0; i + 8 < times.length; i++) expect(times[i + 8]! - times[i]!).toBeGreaterThanOrEqual(100);
      const last = await store.history({ platform: 'discord', channelId: '1190000000000000024' }, 1);
      expect(last[0]?.status).toBe('sent');
    });

    it('catch-up: older than the window is recorded as skipped with the reason, and the schedule moves on', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const s = makeScheduler(store, [poster]);
      await s.tick(at('2026-11-30T10:30:00Z')); // 3 h 30 min late, window 180 min
      expect(poster.posts).toHaveLength(0);
      const claim = await claimOf('2026-11-30');
      expect(claim?.status).toBe('skipped');
      expect(claim?.reason).toMatch(/missed by 3 h 30 min .*more than 180 min late are skipped/);
      expect(await statuses()).toEqual(['skipped']);
      expect((await service.subscription(C1))?.nextDueAt?.toISOString()).toBe('2026-12-01T07:00:00.000Z');
      await s.tick(at('2026-12-01T07:00:00Z'));
      expect(poster.posts).toHaveLength(1);
      expect(await statuses()).toEqual(['sent', 'skipped']);
    });

    it('a three-day downtime: the missed days are skipped, today’s (within the window) goes out late, once', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const s = makeScheduler(store, [poster, new RecordingPoster('discord')]);
      await s.tick(at('2026-12-03T07:30:00Z'));
      await s.tick(at('2026-12-03T07:31:00Z'));
      expect(poster.posts).toHaveLength(1);
      expect(poster.posts[0]!.reply.title).toBe('Niger Watch daily digest — 3 December 2026');
      const h = await service.history(C1, 10);
      expect(h.map((e) => `${e.localDate} ${e.status}`)).toEqual(['2026-12-03 late', '2026-12-02 skipped', '2026-12-01 skipped', '2026-11-30 skipped']);
    });

    it('the catch-up window is configurable (DIGEST_CATCHUP_MINUTES)', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const s = makeScheduler(store, [poster], { catchupMinutes: 30 });
      await s.tick(at('2026-11-30T08:00:00Z'));
      expect(poster.posts).toHaveLength(0);
      expect((await claimOf('2026-11-30'))?.reason).toMatch(/more than 30 min late/);
    });

    it('unsubscribe between claim and send: nothing is posted, the claim is recorded as skipped (unsubscribed)', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const s = makeScheduler(store, [poster], {
        afterClaim: async () => {
          await service.unsubscribe(C1, 'U-other', at('2026-11-30T07:00:00Z'));
        },
      });
      await s.tick(at('2026-11-30T07:00:00Z'));
      expect(poster.attempts).toHaveLength(0);
      const claim = await claimOf('2026-11-30');
      expect(claim?.status).toBe('skipped');
      expect(claim?.reason).toMatch(/unsubscribed by U-other/);
      expect(await statuses()).toEqual(['skipped']);
      await s.tick(at('2026-12-01T07:00:00Z'));
      expect(poster.attempts).toHaveLength(0);
    });

    it('lease takeover: a claim whose sender hung is taken over after the lease and delivered once', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const posterA = new RecordingPoster('slack');
      // A hangs until the end of the test, which then lets it finish: a tick left running would wake at its post
      // timeout (30 s) inside a later test, on a closed store.
      const hung = deferred<{ messageId: string }>();
      posterA.plan('C1', () => hung.promise);
      const a = makeScheduler(store, [posterA], { leaseMs: 120_000, instanceId: 'instance-A' });
      const b = makeScheduler(await db.reopen(), [poster], { leaseMs: 120_000, instanceId: 'instance-B' });
      const aTick = a.tick(at('2026-11-30T07:00:00Z'));
      await until(() => posterA.attempts.length === 1);
      await b.tick(at('2026-11-30T07:01:59Z')); // lease still held
      expect(poster.posts).toHaveLength(0);
      expect((await claimOf('2026-11-30'))?.owner).toBe('instance-A');
      await b.tick(at('2026-11-30T07:02:01Z'));
      expect(poster.posts).toHaveLength(1);
      expect(poster.posts[0]!.nonce).toBe(nonceFor({ platform: 'slack', channelId: 'C1', localDate: '2026-11-30' }));
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'sent', owner: 'instance-B', attempts: 2 });
      const h = await service.history(C1, 5);
      expect(h.map((e) => e.status)).toEqual(['sent', 'retried']);
      expect(h[1]!.reason).toMatch(/instance-A.*stopped before recording the result.*instance-B took it over/);
      hung.resolve({ messageId: 'late-from-A' });
      await aTick;
      // A's late answer changes nothing: B holds the claim and sent it.
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'sent', owner: 'instance-B', messageId: poster.posts[0]!.messageId });
    });

    it('crash after the platform accepted the post but before the row said sent: one duplicate, same nonce (the documented window)', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const { log, lines } = captureLogger('warn');
      const release = deferred<{ messageId: string }>();
      // A's post reaches the platform, then A stalls (as if killed) before recording it.
      poster.plan('C1', async (channelId) => {
        poster.posts.push({
          channelId,
          reply: poster.posts[0]?.reply ?? buildDigest(testKb(), { localDate: '2026-11-30', since: null }).reply,
          nonce: nonceFor({ platform: 'slack', channelId, localDate: '2026-11-30' }),
          messageId: 'from-A',
        });
        return release.promise;
      });
      const a = makeScheduler(store, [poster], { instanceId: 'instance-A', log });
      const b = makeScheduler(await db.reopen(), [poster], { instanceId: 'instance-B' });
      const aTick = a.tick(at('2026-11-30T07:00:00Z'));
      await until(() => poster.posts.length === 1);
      await b.tick(at('2026-11-30T07:02:01Z')); // A's lease has run out
      expect(poster.posts).toHaveLength(2);
      expect(new Set(poster.posts.map((p) => p.nonce)).size).toBe(1); // Discord's enforce_nonce would drop the second
      // A wakes up: it must not overwrite B's record, and it says the channel may have seen it twice.
      release.resolve({ messageId: 'from-A' });
      await aTick;
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'sent', owner: 'instance-B' });
      expect(lines().join('\n')).toMatch(/another instance had taken the claim over: the channel may see it twice/);
    });

    it('a crash between claiming and moving the schedule loses nothing: the next instance finishes the job', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const due = Date.parse('2026-11-30T07:00:00Z');
      await store.insertClaim(
        {
          ...C1,
          localDate: '2026-11-30',
          dueAt: due,
          status: 'claimed',
          owner: 'dead',
          leaseUntil: due + 120_000,
          nonce: nonceFor({ ...C1, localDate: '2026-11-30' }),
          reason: null,
        },
        due,
      );
      const restarted = makeScheduler(await db.reopen(), [poster]);
      await restarted.tick(at('2026-11-30T07:01:00Z'));
      expect(poster.posts).toHaveLength(0); // the dead instance's lease still runs
      expect((await service.subscription(C1))?.nextLocalDate).toBe('2026-12-01');
      await restarted.tick(at('2026-11-30T07:02:00Z'));
      expect(poster.posts).toHaveLength(1);
      expect((await claimOf('2026-11-30'))?.status).toBe('sent');
    });

    it('429 with Retry-After: recorded as retried, tried again after the wait, then sent', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      poster.plan('C1', new DeliveryError('rate_limited', 'HTTP 429', 3000));
      const s = makeScheduler(store, [poster]);
      await s.tick(at('2026-11-30T07:00:00Z'));
      expect(poster.posts).toHaveLength(0);
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'retrying', owner: null });
      await s.tick(at('2026-11-30T07:00:02Z'));
      expect(poster.attempts).toHaveLength(1);
      await s.tick(at('2026-11-30T07:00:04Z'));
      expect(poster.posts).toHaveLength(1);
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'sent', attempts: 2, reason: 'sent on attempt 2' });
      const h = await service.history(C1, 5);
      expect(h.map((e) => e.status)).toEqual(['sent', 'retried']);
      expect(h[1]!.reason).toBe('rate limited by the platform (429); next attempt in 3 s');
    });

    it('400 is recorded as rejected and not retried; the next day is delivered normally', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      poster.plan('C1', new DeliveryError('rejected', 'invalid_blocks'));
      const s = makeScheduler(store, [poster]);
      await s.tick(at('2026-11-30T07:00:00Z'));
      await s.tick(at('2026-11-30T07:10:00Z'));
      await s.tick(at('2026-11-30T09:00:00Z'));
      expect(poster.attempts).toHaveLength(1);
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'rejected' });
      expect((await service.history(C1, 5))[0]).toMatchObject({ status: 'rejected', reason: 'the platform rejected the message: invalid_blocks; not retried' });
      await s.tick(at('2026-12-01T07:00:00Z'));
      expect(poster.posts).toHaveLength(1);
    });

    it('channel gone: the subscription is turned off with a recorded reason instead of failing every day', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      poster.plan('C1', new DeliveryError('channel_gone', 'channel_not_found'));
      const { log, lines } = captureLogger('warn');
      const s = makeScheduler(store, [poster], { log });
      await s.tick(at('2026-11-30T07:00:00Z'));
      for (const day of ['2026-12-01', '2026-12-02']) await s.tick(at(`${day}T07:00:00Z`));
      expect(poster.attempts).toHaveLength(1);
      const sub = await service.subscription(C1);
      expect(sub?.active).toBe(false);
      expect(sub?.disabledReason).toMatch(/channel gone or bot removed on 2026-11-30: channel_not_found/);
      expect(await statuses()).toEqual(['disabled', 'failed']);
      expect(lines().join('\n')).toMatch(/digest channel gone; subscription disabled/);
    });

    it('not in the channel: the day fails with what to do, the subscription stays on, and the next day is delivered', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      poster.plan('C1', new DeliveryError('not_in_channel', 'Slack chat.postMessage failed: not_in_channel'));
      const s = makeScheduler(store, [poster]);
      await s.tick(at('2026-11-30T07:00:00Z'));
      await s.tick(at('2026-11-30T07:30:00Z'));
      expect(poster.attempts).toHaveLength(1);
      expect((await service.subscription(C1))?.active).toBe(true);
      const [entry] = await service.history(C1, 5);
      expect(entry).toMatchObject({ status: 'failed' });
      expect(entry!.reason).toMatch(/not a member of the channel .*invite it.*the subscription stays on/);
      // Invited since: the next day's digest arrives.
      await s.tick(at('2026-12-01T07:00:00Z'));
      expect(poster.posts).toHaveLength(1);
      expect((await service.subscription(C1))?.active).toBe(true);
    });

    it('temporary failures back off and give up after the last attempt, with reasons', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      poster.plan('C1', new DeliveryError('transient', 'HTTP 502'), new Error('socket hang up'), new DeliveryError('transient', 'HTTP 503'));
      const s = makeScheduler(store, [poster], { maxAttempts: 3 });
      await s.tick(at('2026-11-30T07:00:00Z'));
      await s.tick(at('2026-11-30T07:00:31Z'));
      await s.tick(at('2026-11-30T07:01:32Z'));
      await s.tick(at('2026-11-30T07:30:00Z'));
      expect(poster.attempts).toHaveLength(3);
      const h = await service.history(C1, 5);
      expect(h.map((e) => e.status)).toEqual(['failed', 'retried', 'retried']);
      expect(h[2]!.reason).toBe('temporary failure (HTTP 502); next attempt in 30 s');
      expect(h[1]!.reason).toBe('temporary failure (socket hang up); next attempt in 1 min');
      expect(h[0]!.reason).toBe('gave up after 3 attempts: HTTP 503');
    });

    it('a post that never answers times out and is retried', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      poster.plan('C1', 'hang');
      const s = makeScheduler(store, [poster], { postTimeoutMs: 50 });
      await s.tick(at('2026-11-30T07:00:00Z'));
      expect((await service.history(C1, 5))[0]?.reason).toMatch(/no answer from the platform/);
      await s.tick(at('2026-11-30T07:00:31Z'));
      expect(poster.posts).toHaveLength(1);
    });

    it('a claim whose holder died before posting is free after the short claim lease, not the sending lease', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const stuck = deferred<void>();
      const posterA = new RecordingPoster('slack');
      const a = makeScheduler(store, [posterA], { instanceId: 'instance-A', afterClaim: () => stuck.promise });
      const b = makeScheduler(await db.reopen(), [poster], { instanceId: 'instance-B' });
      const aTick = a.tick(at('2026-11-30T07:00:00Z'));
      for (let i = 0; i < 100 && (await claimOf('2026-11-30')) === null; i++) await new Promise((r) => setTimeout(r, 10));
      expect((await claimOf('2026-11-30'))?.owner).toBe('instance-A');
      await b.tick(at('2026-11-30T07:00:29Z'));
      expect(poster.posts).toHaveLength(0);
      await b.tick(at('2026-11-30T07:00:31Z'));
      expect(poster.posts).toHaveLength(1);
      expect(await claimOf('2026-11-30')).toMatchObject({ status: 'sent', owner: 'instance-B' });
      const h = await service.history(C1, 5);
      expect(h.map((e) => e.status)).toEqual(['sent', 'retried']);
      expect(h[1]!.reason).toMatch(/instance-A\) stopped before posting; instance-B took it over/);
      // A wakes up: the claim is no longer its to post.
      stuck.resolve();
      expect(await aTick).toMatchObject({ lost: 1, sent: 0 });
      expect(posterA.attempts).toHaveLength(0);
    });

    it('a claim waiting longer than the claim lease (a long fan-out) keeps its lease while its holder lives', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const wait = deferred<void>();
      const a = makeScheduler(store, [poster], { instanceId: 'instance-A', claimLeaseMs: 1500, afterClaim: () => wait.promise });
      const other = new RecordingPoster('slack');
      const b = makeScheduler(await db.reopen(), [other], { instanceId: 'instance-B' });
      const started = Date.now();
      const aTick = a.tick(at('2026-11-30T07:00:00Z'));
      await new Promise((r) => setTimeout(r, 3000));
      // Without the renewals A's lease would have ended at 07:00:01.5.
      const report = await b.tick(new Date(Date.parse('2026-11-30T07:00:00Z') + (Date.now() - started)));
      expect(report.takenOver).toBe(0);
      wait.resolve();
      await aTick;
      expect(poster.posts).toHaveLength(1);
      expect(other.posts).toHaveLength(0);
    });

    it('shutdown mid fan-out: posts in flight finish and are recorded, the rest are handed back at once, each channel once', async () => {
      for (let i = 0; i < 20; i++)
        await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z', { platform: 'slack', channelId: `C${i}`, workspaceId: 'T1' });
      const inFlight = new Set<string>();
      const slow: RecordingPoster = new RecordingPoster('slack');
      for (let i = 0; i < 20; i++) {
        slow.plan(`C${i}`, async (channelId) => {
          inFlight.add(channelId);
          await new Promise((r) => setTimeout(r, 300));
          slow.posts.push({ channelId, reply: buildDigest(testKb(), { localDate: '2026-11-30', since: null }).reply, nonce: '', messageId: `m-${channelId}` });
          inFlight.delete(channelId);
          return { messageId: `m-${channelId}` };
        });
      }
      const a = makeScheduler(store, [slow], { instanceId: 'instance-A', concurrency: 4 });
      const aTick = a.tick(at('2026-11-30T07:00:00Z'));
      await until(() => slow.posts.length >= 4 && inFlight.size > 0);
      const report = await a.shutdown();
      await aTick;
      expect(inFlight.size).toBe(0); // none abandoned mid-post
      const posted = slow.posts.map((p) => p.channelId);
      expect(report.released).toBe(20 - posted.length);
      expect(report.released).toBeGreaterThan(0);
      for (const channelId of posted) expect(await store.getClaim({ platform: 'slack', channelId, localDate: '2026-11-30' })).toMatchObject({ status: 'sent' });
      // A restarted instance delivers the rest at once, not after a lease.
      const b = makeScheduler(await db.reopen(), [poster], { instanceId: 'instance-B' });
      await b.tick(at('2026-11-30T07:00:05Z'));
      const all = [...posted, ...poster.posts.map((p) => p.channelId)];
      expect(all.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `C${i}`).sort());
      expect(await a.tick(at('2026-11-30T07:01:00Z'))).toMatchObject({ claimed: 0 }); // a stopped scheduler does nothing
    });

    it('one platform’s fan-out does not wait for another’s: a Slack digest goes out while Discord’s are still being paced', async () => {
      for (let i = 0; i < 10; i++)
        await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z', { platform: 'discord', channelId: `11900000000000${i}`, workspaceId: 'G1' });
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const order: string[] = [];
      const recording = (platform: string) => {
        const p = new RecordingPoster(platform);
        return {
          platform,
          post: async (...args: Parameters<RecordingPoster['post']>) => {
            order.push(platform);
            return p.post(...args);
          },
        };
      };
      // The due list comes ordered by platform (discord before slack), 5 at a time here; Discord is paced, Slack is not.
      const s = makeScheduler(store, [recording('discord'), recording('slack')], { batchSize: 5, pacing: { discord: { globalMs: 50 }, slack: null } });
      await s.tick(at('2026-11-30T07:00:00Z'));
      expect(order.filter((p) => p === 'discord')).toHaveLength(10);
      expect(order.indexOf('slack')).toBeGreaterThanOrEqual(0);
      expect(order.indexOf('slack')).toBeLessThan(order.lastIndexOf('discord'));
    });

    it('claims handed back by a stopped instance are taken over between due batches, not after the whole due list', async () => {
      const channels = Array.from({ length: 50 }, (_, i) => `C${String(i).padStart(2, '0')}`);
      for (const channelId of channels) await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z', { platform: 'slack', channelId, workspaceId: 'T1' });
      // A claims its first batches, starts one post and is stopped during it: the rest of its claims go back.
      const posting = deferred<void>();
      const finish = deferred<void>();
      const stalled = {
        platform: 'slack',
        post: async (channelId: string) => {
          posting.resolve();
          await finish.promise;
          return { messageId: `A-${channelId}` };
        },
      };
      const a = makeScheduler(store, [stalled], { instanceId: 'instance-A', batchSize: 10, concurrency: 1 });
      const aTick = a.tick(at('2026-11-30T07:00:00Z'));
      await posting.promise;
      const stopped = a.shutdown();
      finish.resolve();
      const { released } = await stopped;
      await aTick;
      const handedBack = new Set<string>();
      for (const channelId of channels) {
        if ((await store.getClaim({ platform: 'slack', channelId, localDate: '2026-11-30' }))?.status === 'retrying') handedBack.add(channelId);
      }
      expect(handedBack.size).toBe(released);
      expect(released).toBeGreaterThanOrEqual(9);
      // B works through the rest of the due list, 10 at a time: the handed-back claims go out among them.
      const b = makeScheduler(await db.reopen(), [poster], { instanceId: 'instance-B', batchSize: 10, concurrency: 1 });
      await b.tick(at('2026-11-30T07:00:05Z'));
      const order = poster.posts.map((p) => p.channelId);
      expect(order).toHaveLength(channels.length - 1);
      expect(new Set(order).size).toBe(order.length);
      const positions = [...handedBack].map((c) => order.indexOf(c));
      expect(Math.min(...positions)).toBeLessThan(20);
      expect(Math.max(...positions)).toBeLessThan(order.length - 10);
    });

    it('two schedulers ticking together on one store: 100 due channels, each posted exactly once', async () => {
      for (let i = 0; i < 100; i++)
        await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z', { platform: 'slack', channelId: `C${i}`, workspaceId: 'T1' });
      const other = new RecordingPoster('slack');
      const a = makeScheduler(store, [poster], { concurrency: 4 });
      const b = makeScheduler(await db.reopen(), [other], { concurrency: 4 });
      const [ra, rb] = await Promise.all([a.tick(at('2026-11-30T07:00:00Z')), b.tick(at('2026-11-30T07:00:00Z'))]);
      const all = [...poster.posts, ...other.posts].map((p) => p.channelId);
      expect(all).toHaveLength(100);
      expect(new Set(all).size).toBe(100);
      expect(ra.claimed + rb.claimed).toBe(100);
    });

    it('only claims platforms this instance can post to', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z', { platform: 'discord', channelId: '123456789012345678' });
      const s = makeScheduler(store, [poster]);
      await s.tick(at('2026-11-30T07:00:00Z'));
      expect(await store.getClaim({ platform: 'discord', channelId: '123456789012345678', localDate: '2026-11-30' })).toBeNull();
      const discord = new RecordingPoster('discord');
      await makeScheduler(store, [discord]).tick(at('2026-11-30T07:01:00Z'));
      expect(discord.posts).toHaveLength(1);
    });

    it('changing the time after today’s digest went out does not post a second one today', async () => {
      await subscribe('08:00', 'Africa/Niamey', '2026-11-30T06:00:00Z');
      const s = makeScheduler(store, [poster]);
      await s.tick(at('2026-11-30T07:00:00Z'));
      await subscribe('20:00', 'Africa/Niamey', '2026-11-30T07:05:00Z');
      await s.tick(at('2026-11-30T19:00:00Z'));
      expect(poster.posts).toHaveLength(1);
      expect((await service.subscription(C1))?.nextDueAt?.toISOString()).toBe('2026-12-01T19:00:00.000Z');
    });
  });
}

describe('durations in reasons', () => {
  it.each([
    [3000, '3 s'],
    [90 * 60_000, '90 min'],
    [210 * 60_000, '3 h 30 min'],
    [5 * 3600_000, '5 h'],
    [3 * 86_400_000, '3 days'],
  ])('%d ms → %s', (ms, text) => expect(describeDuration(ms)).toBe(text));
});
