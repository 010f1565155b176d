import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS } from '../../src/storage/migrations.ts';
import { DEFAULT_SQLITE_PATH, openStore, StorageError, storeTarget } from '../../src/storage/open.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import { TokenCipher } from '../../src/storage/token-cipher.ts';
import type { InstallationKey, InstallationRecord } from '../../src/core/installations.ts';
import type { NewClaim, SubscriptionInput } from '../../src/storage/types.ts';
import { backendMatrix, PG_URL, type TestDb } from './backends.ts';

const T0 = Date.parse('2026-12-01T07:00:00Z');

function sub(channelId: string, over: Partial<SubscriptionInput> = {}): SubscriptionInput {
  return {
    platform: 'slack',
    channelId,
    workspaceId: 'T1',
    time: '08:00',
    timeZone: 'Africa/Niamey',
    nextDueAt: T0,
    nextLocalDate: '2026-12-01',
    createdBy: 'U1',
    ...over,
  };
}

function claim(channelId: string, over: Partial<NewClaim> = {}): NewClaim {
  return {
    platform: 'slack',
    channelId,
    localDate: '2026-12-01',
    dueAt: T0,
    status: 'claimed',
    owner: 'A',
    leaseUntil: T0 + 120_000,
    nonce: `n-${channelId}`,
    reason: null,
    ...over,
  };
}

const matrix = await backendMatrix();

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`storage on ${backend.name}`, () => {
    let db: TestDb;
    let store: SqlDigestStore;
    beforeEach(async () => {
      db = await backend.open();
      store = db.store;
    });
    afterEach(async () => {
      await db?.cleanup();
    });

    it('lists a workspace’s subscriptions, active first, and no other workspace’s or platform’s', async () => {
      await store.putSubscription(sub('C2'), T0);
      await store.putSubscription(sub('C1'), T0);
      await store.putSubscription(sub('C3'), T0);
      await store.putSubscription(sub('C9', { workspaceId: 'T2' }), T0);
      await store.putSubscription(sub('C8', { platform: 'discord' }), T0);
      await store.deactivateSubscription({ platform: 'slack', channelId: 'C1' }, 'unsubscribed', T0);
      const listed = await store.listWorkspaceSubscriptions('slack', 'T1', 10);
      expect(listed.map((r) => [r.channelId, r.active])).toEqual([
        ['C2', true],
        ['C3', true],
        ['C1', false],
      ]);
      expect((await store.listWorkspaceSubscriptions('slack', 'T1', 2)).map((r) => r.channelId)).toEqual(['C2', 'C3']);
    });

    it('applies the numbered migrations at open and records them in schema_migrations', async () => {
      expect(await store.migrations()).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await store.migrations()).toContain(LATEST_VERSION);
      await store.putSubscription(sub('C1'), T0);
      // Reopening applies nothing again and keeps the data.
      const again = await db.reopen();
      expect(await again.migrate()).toEqual([]);
      expect(await again.migrations()).toEqual(MIGRATIONS.map((m) => m.version));
      expect((await again.getSubscription({ platform: 'slack', channelId: 'C1' }))?.time).toBe('08:00');
    });

    it('two instances starting together on one database both come up, migrated once', async () => {
      const [a, b] = await Promise.all([db.reopen(), db.reopen()]);
      expect(await a.migrations()).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await b.migrations()).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('creates, updates, deactivates and reactivates a subscription (the watermark survives)', async () => {
      const first = await store.putSubscription(sub('C1'), T0);
      expect(first.created).toBe(true);
      expect(first.row).toMatchObject({ platform: 'slack', channelId: 'C1', workspaceId: 'T1', active: true, watermark: null, nextDueAt: T0 });
      await store.raiseWatermark({ platform: 'slack', channelId: 'C1' }, '2026-11-29', T0);
      const changed = await store.putSubscription(sub('C1', { time: '18:30', timeZone: 'Europe/Paris' }), T0 + 1);
      expect(changed.created).toBe(false);
      expect(changed.row).toMatchObject({ time: '18:30', timeZone: 'Europe/Paris', watermark: '2026-11-29', createdAt: T0, updatedAt: T0 + 1 });
      expect(await store.deactivateSubscription({ platform: 'slack', channelId: 'C1' }, 'unsubscribed by U1', T0 + 2)).toBe(true);
      expect(await store.deactivateSubscription({ platform: 'slack', channelId: 'C1' }, 'again', T0 + 3)).toBe(false);
      const off = await store.getSubscription({ platform: 'slack', channelId: 'C1' });
      expect(off).toMatchObject({ active: false, disabledReason: 'unsubscribed by U1', nextDueAt: null });
      const back = await store.putSubscription(sub('C1'), T0 + 4);
      expect(back.created).toBe(true);
      expect(back.row).toMatchObject({ active: true, disabledReason: null, watermark: '2026-11-29' });
      expect(await store.getSubscription({ platform: 'discord', channelId: 'C1' })).toBeNull();
    });

    it('lists due subscriptions: active, due at or before now, of the given platforms, oldest first, limited', async () => {
      await store.putSubscription(sub('late', { nextDueAt: T0 - 60_000 }), T0);
      await store.putSubscription(sub('now'), T0);
      await store.putSubscription(sub('future', { nextDueAt: T0 + 60_000 }), T0);
      await store.putSubscription(sub('discord', { platform: 'discord' }), T0);
      await store.putSubscription(sub('off'), T0);
      await store.deactivateSubscription({ platform: 'slack', channelId: 'off' }, 'x', T0);
      expect((await store.listDue(T0, ['slack'], 10)).map((s) => s.channelId)).toEqual(['late', 'now']);
      expect((await store.listDue(T0, ['slack', 'discord'], 10)).map((s) => s.channelId).sort()).toEqual(['discord', 'late', 'now']);
      expect((await store.listDue(T0, ['slack'], 1)).map((s) => s.channelId)).toEqual(['late']);
      expect(await store.listDue(T0, [], 10)).toEqual([]);
    });

    it('advances next_due_at only from the value it was read at', async () => {
      await store.putSubscription(sub('C1'), T0);
      const key = { platform: 'slack', channelId: 'C1' };
      expect(await store.advanceSubscription(key, T0, T0 + 86_400_000, '2026-12-02', T0)).toBe(true);
      expect(await store.advanceSubscription(key, T0, T0 + 86_400_000, '2026-12-02', T0)).toBe(false);
      expect(await store.getSubscription(key)).toMatchObject({ nextDueAt: T0 + 86_400_000, nextLocalDate: '2026-12-02' });
    });

    it('raises the watermark, never lowers it', async () => {
      await store.putSubscription(sub('C1'), T0);
      const key = { platform: 'slack', channelId: 'C1' };
      await store.raiseWatermark(key, '2026-11-29', T0);
      await store.raiseWatermark(key, '2026-01-01', T0);
      expect((await store.getSubscription(key))?.watermark).toBe('2026-11-29');
    });

    it('one claim per (platform, channel, local date): the second insert returns nothing', async () => {
      const won = await store.insertClaim(claim('C1'), T0);
      expect(won).toMatchObject({ status: 'claimed', owner: 'A', attempts: 1, nonce: 'n-C1', leaseUntil: T0 + 120_000 });
      expect(await store.insertClaim(claim('C1', { owner: 'B' }), T0)).toBeNull();
      expect((await store.getClaim({ platform: 'slack', channelId: 'C1', localDate: '2026-12-01' }))?.owner).toBe('A');
      expect(await store.insertClaim(claim('C1', { localDate: '2026-12-02' }), T0)).not.toBeNull();
      expect(await store.insertClaim(claim('C1', { platform: 'discord' }), T0)).not.toBeNull();
    });

    it('30 concurrent claims of one key: exactly one winner', async () => {
      const stores = [store, await db.reopen(), await db.reopen()];
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % stores.length]!.insertClaim(claim('C1', { owner: `I${i}` }), T0)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('a claim is taken over only after its lease, by one instance, and never once final', async () => {
      await store.insertClaim(claim('C1'), T0);
      const key = { platform: 'slack', channelId: 'C1', localDate: '2026-12-01' };
      expect(await store.takeOverClaim(key, 'B', T0 + 300_000, T0 + 60_000)).toBeNull();
      expect(await store.listExpiredClaims(T0 + 60_000, ['slack'], 10)).toEqual([]);
      const later = T0 + 120_000;
      expect((await store.listExpiredClaims(later, ['slack'], 10)).map((c) => c.channelId)).toEqual(['C1']);
      expect(await store.listExpiredClaims(later, ['discord'], 10)).toEqual([]);
      const other = await db.reopen();
      const [b, c] = await Promise.all([store.takeOverClaim(key, 'B', later + 120_000, later), other.takeOverClaim(key, 'C', later + 120_000, later)]);
      expect([b, c].filter(Boolean)).toHaveLength(1);
      const winner = (b ?? c)!;
      expect(winner.status).toBe('claimed');
      // The old owner can no longer start a post or finish.
      expect(await store.startPosts([{ key, owner: 'A', leaseUntil: later + 200_000 }], later + 1)).toEqual([false]);
      expect(await store.finishClaim(key, 'A', { status: 'sent', messageId: 'm-A' }, later + 1)).toBe(false);
      expect(winner.attempts).toBe(2); // the first sender's attempt, then the taker's
      expect(await store.startPosts([{ key, owner: winner.owner!, leaseUntil: later + 200_000 }], later + 1)).toEqual([true]);
      expect((await store.getClaim(key))?.leaseUntil).toBe(later + 200_000);
      expect(await store.finishClaim(key, winner.owner!, { status: 'sent', messageId: 'm-1' }, later + 2)).toBe(true);
      expect(await store.getClaim(key)).toMatchObject({ status: 'sent', messageId: 'm-1', owner: winner.owner });
      expect(await store.takeOverClaim(key, 'D', later + 999_999, later + 999_999)).toBeNull();
      expect(await store.listExpiredClaims(later + 999_999, ['slack'], 10)).toEqual([]);
    });

    it('a post start is recorded once (the first time kept), only by the holder, with the sending lease', async () => {
      await store.insertClaim(claim('C1', { leaseUntil: T0 + 30_000 }), T0);
      await store.insertClaim(claim('C2', { leaseUntil: T0 + 30_000 }), T0);
      const key = (channelId: string) => ({ platform: 'slack', channelId, localDate: '2026-12-01' });
      expect((await store.getClaim(key('C1')))?.postStartedAt).toBeNull();
      const ok = await store.startPosts(
        [
          { key: key('C1'), owner: 'A', leaseUntil: T0 + 61_000 },
          { key: key('C2'), owner: 'B', leaseUntil: T0 + 61_000 },
          { key: key('C3'), owner: 'A', leaseUntil: T0 + 61_000 },
        ],
        T0 + 1000,
      );
      expect(ok).toEqual([true, false, false]);
      expect(await store.getClaim(key('C1'))).toMatchObject({ postStartedAt: T0 + 1000, leaseUntil: T0 + 61_000 });
      expect((await store.getClaim(key('C2')))?.postStartedAt).toBeNull();
      expect(await store.startPosts([{ key: key('C1'), owner: 'A', leaseUntil: T0 + 90_000 }], T0 + 5000)).toEqual([true]);
      expect((await store.getClaim(key('C1')))?.postStartedAt).toBe(T0 + 1000);
    });

    it('renews only the unexpired, unstarted claims of their owner, never shortening a lease', async () => {
      const key = (channelId: string) => ({ platform: 'slack', channelId, localDate: '2026-12-01' });
      await store.insertClaim(claim('C1', { leaseUntil: T0 + 30_000 }), T0);
      await store.insertClaim(claim('C2', { leaseUntil: T0 + 30_000 }), T0);
      await store.insertClaim(claim('C3', { leaseUntil: T0 + 30_000, owner: 'B' }), T0);
      await store.insertClaim(claim('C4', { leaseUntil: T0 + 5_000 }), T0);
      await store.startPosts([{ key: key('C2'), owner: 'A', leaseUntil: T0 + 90_000 }], T0);
      expect(await store.renewUnstartedLeases('A', T0 + 40_000, T0 + 10_000)).toBe(1);
      expect((await store.getClaim(key('C1')))?.leaseUntil).toBe(T0 + 40_000);
      expect((await store.getClaim(key('C2')))?.leaseUntil).toBe(T0 + 90_000);
      expect((await store.getClaim(key('C3')))?.leaseUntil).toBe(T0 + 30_000);
      expect((await store.getClaim(key('C4')))?.leaseUntil).toBe(T0 + 5_000); // already free for others
    });

    it('hands back unstarted claims at once, uncounted; a started one stays with its sender', async () => {
      const key = (channelId: string) => ({ platform: 'slack', channelId, localDate: '2026-12-01' });
      await store.insertClaim(claim('C1'), T0);
      await store.insertClaim(claim('C2'), T0);
      await store.insertClaim(claim('C3', { owner: 'B' }), T0);
      await store.startPosts([{ key: key('C2'), owner: 'A', leaseUntil: T0 + 90_000 }], T0);
      expect(await store.releaseUnstarted('A', 'shutdown', T0 + 1000)).toEqual([key('C1')]);
      expect(await store.getClaim(key('C1'))).toMatchObject({ status: 'retrying', owner: null, leaseUntil: T0 + 1000, attempts: 0, reason: 'shutdown' });
      expect(await store.getClaim(key('C2'))).toMatchObject({ status: 'claimed', owner: 'A' });
      expect((await store.listExpiredClaims(T0 + 1000, ['slack'], 10)).map((c) => c.channelId)).toEqual(['C1']);
      expect(await store.startPosts([{ key: key('C1'), owner: 'A', leaseUntil: T0 + 90_000 }], T0 + 2000)).toEqual([false]);
      expect((await store.takeOverClaim(key('C1'), 'B', T0 + 30_000, T0 + 2000))?.attempts).toBe(1);
    });

    it('a retrying claim has no owner and comes back when its retry time is reached', async () => {
      await store.insertClaim(claim('C1'), T0);
      const key = { platform: 'slack', channelId: 'C1', localDate: '2026-12-01' };
      expect(await store.finishClaim(key, 'A', { status: 'retrying', reason: 'rate limited', leaseUntil: T0 + 5000 }, T0)).toBe(true);
      expect(await store.getClaim(key)).toMatchObject({ status: 'retrying', owner: null, leaseUntil: T0 + 5000, reason: 'rate limited' });
      expect(await store.listExpiredClaims(T0 + 4999, ['slack'], 10)).toEqual([]);
      expect(await store.listExpiredClaims(T0 + 5000, ['slack'], 10)).toHaveLength(1);
      expect(await store.takeOverClaim(key, 'B', T0 + 125_000, T0 + 5000)).toMatchObject({ status: 'claimed', owner: 'B' });
    });

    it('a skipped claim is final from the start', async () => {
      const row = await store.insertClaim(claim('C1', { status: 'skipped', reason: 'missed', leaseUntil: T0 }), T0);
      expect(row).toMatchObject({ status: 'skipped', reason: 'missed', attempts: 0 });
      expect(await store.listExpiredClaims(T0 + 1e9, ['slack'], 10)).toEqual([]);
    });

    it('keeps a delivery log per channel, newest first', async () => {
      for (const [i, status] of (['retried', 'sent', 'skipped'] as const).entries()) {
        await store.appendLog({
          platform: 'slack',
          channelId: 'C1',
          localDate: `2026-12-0${i + 1}`,
          at: T0 + i,
          status,
          reason: `r${i}`,
          messageId: status === 'sent' ? 'm1' : null,
          instance: 'A',
        });
      }
      await store.appendLog({
        platform: 'slack',
        channelId: 'C2',
        localDate: '2026-12-01',
        at: T0,
        status: 'sent',
        reason: null,
        messageId: 'x',
        instance: 'A',
      });
      const h = await store.history({ platform: 'slack', channelId: 'C1' }, 10);
      expect(h.map((e) => e.status)).toEqual(['skipped', 'sent', 'retried']);
      expect(h[1]).toMatchObject({ localDate: '2026-12-02', messageId: 'm1', reason: 'r1', at: T0 + 1, instance: 'A' });
      expect(await store.history({ platform: 'slack', channelId: 'C1' }, 1)).toHaveLength(1);
    });

    it('claims many in one statement: returns only the rows this call created', async () => {
      await store.insertClaim(claim('C2', { owner: 'B' }), T0);
      const won = await store.insertClaims(
        ['C1', 'C2', 'C3'].map((c) => claim(c)),
        T0,
      );
      expect(won.map((c) => c.channelId).sort()).toEqual(['C1', 'C3']);
      expect(await store.insertClaims([], T0)).toEqual([]);
    });

    it('advances many schedules in one transaction, each only from the value it was read at', async () => {
      for (const c of ['C1', 'C2', 'C3']) await store.putSubscription(sub(c), T0);
      await store.advanceSubscription({ platform: 'slack', channelId: 'C2' }, T0, T0 + 1, '2026-12-01', T0);
      const n = await store.advanceSubscriptions(
        ['C1', 'C2', 'C3'].map((channelId) => ({ platform: 'slack', channelId, fromDueAt: T0, nextDueAt: T0 + 86_400_000, nextLocalDate: '2026-12-02' })),
        T0,
      );
      expect(n).toBe(2);
      expect((await store.getSubscription({ platform: 'slack', channelId: 'C2' }))?.nextDueAt).toBe(T0 + 1);
    });

    it('records outcomes, watermarks and log lines of several deliveries in one transaction', async () => {
      await store.putSubscription(sub('C1'), T0);
      await store.insertClaims([claim('C1'), claim('C2')], T0);
      const k = (c: string) => ({ platform: 'slack', channelId: c, localDate: '2026-12-01' });
      const ok = await store.recordResults(
        [
          { claim: { key: k('C2'), owner: 'B', outcome: { status: 'sent', messageId: 'x' } } }, // not B's
          {
            claim: { key: k('C1'), owner: 'A', outcome: { status: 'sent', messageId: 'm1' } },
            watermark: { key: { platform: 'slack', channelId: 'C1' }, value: '2026-11-29' },
            log: { ...k('C1'), at: T0, status: 'sent', reason: null, messageId: 'm1', instance: 'A' },
          },
          { log: { ...k('C2'), at: T0, status: 'retried', reason: 'r', messageId: null, instance: 'A' } },
        ],
        T0,
      );
      expect(ok).toEqual([false, true, true]);
      expect((await store.getClaim(k('C1')))?.messageId).toBe('m1');
      expect((await store.getClaim(k('C2')))?.status).toBe('claimed');
      expect((await store.getSubscription({ platform: 'slack', channelId: 'C1' }))?.watermark).toBe('2026-11-29');
      expect((await store.history({ platform: 'slack', channelId: 'C2' }, 5)).map((e) => e.status)).toEqual(['retried']);
    });

    it('records a seen id once until it expires, then again', async () => {
      expect(await store.recordSeen('slack:event:Ev1', T0, 60_000)).toBe(true);
      expect(await store.recordSeen('slack:event:Ev1', T0 + 59_999, 60_000)).toBe(false);
      expect(await store.recordSeen('slack:event:Ev2', T0 + 1, 60_000)).toBe(true);
      // Expired: a new delivery of the same id counts as first again, and is then remembered afresh.
      expect(await store.recordSeen('slack:event:Ev1', T0 + 60_000, 60_000)).toBe(true);
      expect(await store.recordSeen('slack:event:Ev1', T0 + 60_001, 60_000)).toBe(false);
      // The records are the database's, not this connection's.
      const other = await db.reopen();
      expect(await other.recordSeen('slack:event:Ev2', T0 + 2, 60_000)).toBe(false);
    });

    it('gives exactly one of several instances recording the same id at once true', async () => {
      const stores = [store, await db.reopen(), await db.reopen()];
      for (let n = 0; n < 20; n++) {
        const results = await Promise.all(stores.flatMap((s) => [s.recordSeen(`id-${n}`, T0, 60_000), s.recordSeen(`id-${n}`, T0, 60_000)]));
        expect(results.filter(Boolean)).toHaveLength(1);
      }
    });

    it('stores text as given (quotes, unicode, SQL-looking ids)', async () => {
      const odd = `C'1"; DROP TABLE digest_claims; --🇳🇪`;
      await store.putSubscription(sub(odd, { createdBy: "O'Brien" }), T0);
      expect((await store.getSubscription({ platform: 'slack', channelId: odd }))?.createdBy).toBe("O'Brien");
      expect(await store.insertClaim(claim(odd), T0)).not.toBeNull();
    });
  });

  describe.skipIf(skip)(`Slack installations on ${backend.name} (tokens encrypted at rest)`, () => {
    const KEY = randomBytes(32);
    const TOKEN = 'xoxb-1111-2222-TokenOfWorkspaceOne';
    let db: TestDb;
    let store: SqlDigestStore;
    beforeEach(async () => {
      db = await backend.open({ tokenKey: KEY });
      store = db.store;
    });
    afterEach(async () => {
      await db?.cleanup();
    });

    const team = (teamId: string): InstallationKey => ({ teamId, enterpriseId: null, isEnterpriseInstall: false });
    const record = (teamId: string, token: string, over: Partial<InstallationRecord> = {}): InstallationRecord => ({
      ...team(teamId),
      secret: JSON.stringify({ team: { id: teamId }, bot: { token, userId: `U${teamId}` } }),
      appId: 'A0APP',
      botUserId: `U${teamId}`,
      botId: `B${teamId}`,
      scopes: ['chat:write', 'commands'],
      ...over,
    });

    it('stores one installation per workspace or org, replaces it on reinstall, and reads it back', async () => {
      await store.putInstallation(record('T1', TOKEN), T0);
      await store.putInstallation(record('T2', 'xoxb-2'), T0);
      const org: InstallationKey = { teamId: null, enterpriseId: 'E1', isEnterpriseInstall: true };
      await store.putInstallation({ ...record('T1', 'xoxb-org'), ...org }, T0);
      expect(await store.getInstallation(team('T1'))).toEqual(record('T1', TOKEN));
      expect(JSON.parse((await store.getInstallation(org))!.secret).bot.token).toBe('xoxb-org');
      expect(await store.getInstallation(team('T9'))).toBeNull();
      await store.putInstallation(record('T1', 'xoxb-new', { scopes: ['chat:write'] }), T0 + 1);
      expect(await store.getInstallation(team('T1'))).toMatchObject({ scopes: ['chat:write'], secret: record('T1', 'xoxb-new').secret });
      const rows = await db.raw('SELECT install_key, installed_at, updated_at FROM slack_installations ORDER BY install_key');
      expect(rows.map((r) => r.install_key)).toEqual(['enterprise:E1', 'team:T1', 'team:T2']);
      // A reinstall keeps the first install's date.
      expect(rows.map((r) => [Number(r.installed_at), Number(r.updated_at)])[1]).toEqual([T0, T0 + 1]);
    });

    it('the database holds no token: each value is AES-GCM sealed with its own IV, and opens only with the key, in its own row', async () => {
      await store.putInstallation(record('T1', TOKEN), T0);
      await store.putInstallation(record('T2', TOKEN), T0);
      const rows = await db.raw('SELECT install_key, installation FROM slack_installations ORDER BY install_key');
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(TOKEN);
      expect(dump).not.toContain('xoxb-');
      const [one, two] = rows.map((r) => String(r.installation));
      expect(one).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
      // The same token in two rows does not give the same ciphertext (a fresh IV per value).
      expect(one!.split('.')[1]).not.toBe(two!.split('.')[1]);
      expect(one!.split('.')[3]).not.toBe(two!.split('.')[3]);
      // Another key cannot read it; a store without a key cannot either.
      const otherKey = await db.reopen({ tokenKey: randomBytes(32) });
      await expect(otherKey.getInstallation(team('T1'))).rejects.toThrow(/cannot be decrypted with TOKEN_ENCRYPTION_KEY/);
      const noKey = await db.reopen({});
      await expect(noKey.getInstallation(team('T1'))).rejects.toThrow(/set TOKEN_ENCRYPTION_KEY/);
      await expect(noKey.putInstallation(record('T3', TOKEN), T0)).rejects.toThrow(/set TOKEN_ENCRYPTION_KEY/);
      // What is stored is the installation, sealed for its own row: moved into another workspace's row it does
      // not open (the row key is bound in as additional data).
      expect(JSON.parse(new TokenCipher(KEY).open(one!, 'team:T1')).bot.token).toBe(TOKEN);
      expect(() => new TokenCipher(KEY).open(one!, 'team:T2')).toThrow(StorageError);
      // Tampering with one byte of the ciphertext is detected.
      const parts = one!.split('.');
      const body = Buffer.from(parts[3]!, 'base64url');
      body[0] = body[0]! ^ 1;
      expect(() => new TokenCipher(KEY).open([parts[0], parts[1], parts[2], body.toString('base64url')].join('.'), 'team:T1')).toThrow(/cannot be decrypted/);
    });

    it('removing an installation turns off that workspace’s active digests with the reason, logged, and no other workspace’s', async () => {
      await store.putInstallation(record('T1', TOKEN), T0);
      await store.putSubscription(sub('C1', { workspaceId: 'T1' }), T0);
      await store.putSubscription(sub('C2', { workspaceId: 'T1', nextLocalDate: '2026-12-02' }), T0);
      await store.putSubscription(sub('C3', { workspaceId: 'T2' }), T0);
      await store.putSubscription(sub('D1', { platform: 'discord', workspaceId: 'T1' }), T0);
      await store.putSubscription(sub('C4', { workspaceId: 'T1' }), T0);
      await store.deactivateSubscription({ platform: 'slack', channelId: 'C4' }, 'unsubscribed by U1', T0);
      const reason = 'the Slack app was uninstalled from the workspace on 2026-12-01';
      const out = await store.removeInstallation(team('T1'), reason, T0 + 5);
      expect(out.removed).toBe(true);
      expect(out.disabled.map((c) => c.channelId).sort()).toEqual(['C1', 'C2']);
      expect(await store.getInstallation(team('T1'))).toBeNull();
      for (const channelId of ['C1', 'C2']) {
        expect(await store.getSubscription({ platform: 'slack', channelId })).toMatchObject({ active: false, disabledReason: reason, nextDueAt: null });
      }
      expect(await store.getSubscription({ platform: 'slack', channelId: 'C3' })).toMatchObject({ active: true });
      expect(await store.getSubscription({ platform: 'discord', channelId: 'D1' })).toMatchObject({ active: true });
      expect(await store.getSubscription({ platform: 'slack', channelId: 'C4' })).toMatchObject({ disabledReason: 'unsubscribed by U1' });
      expect(await store.history({ platform: 'slack', channelId: 'C2' }, 5)).toEqual([
        { platform: 'slack', channelId: 'C2', localDate: '2026-12-02', at: T0 + 5, status: 'disabled', reason, messageId: null, instance: null },
      ]);
      expect(await store.history({ platform: 'slack', channelId: 'C4' }, 5)).toEqual([]);
      // Again (Slack sends app_uninstalled and tokens_revoked): nothing left to do, nothing written twice.
      expect(await store.removeInstallation(team('T1'), 'the Slack bot token was revoked', T0 + 6)).toEqual({ removed: false, disabled: [] });
      expect(await store.history({ platform: 'slack', channelId: 'C1' }, 5)).toHaveLength(1);
      // A store without the key can still remove (single-token mode: no installation, digests off all the same).
      const noKey = await db.reopen({});
      await store.putSubscription(sub('C3', { workspaceId: 'T2' }), T0);
      expect((await noKey.removeInstallation(team('T2'), reason, T0 + 7)).disabled).toEqual([{ platform: 'slack', channelId: 'C3' }]);
    });
  });
}

describe('storage selection and safety', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('reads DATABASE_URL: unset → var/niger-watch.sqlite, file: → SQLite there, postgres:// → PostgreSQL', () => {
    expect(storeTarget(undefined)).toEqual({ kind: 'sqlite', path: DEFAULT_SQLITE_PATH });
    expect(DEFAULT_SQLITE_PATH).toMatch(/[/\\]var[/\\]niger-watch\.sqlite$/);
    expect(storeTarget('file:/data/x.sqlite')).toEqual({ kind: 'sqlite', path: '/data/x.sqlite' });
    expect(storeTarget('file:///data/y.sqlite')).toEqual({ kind: 'sqlite', path: '/data/y.sqlite' });
    expect(storeTarget('file:relative/z.sqlite')).toEqual({ kind: 'sqlite', path: 'relative/z.sqlite' });
    expect(storeTarget('postgres://u:p@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u:p@h/db' });
    expect(storeTarget('postgresql://h/db').kind).toBe('postgres');
    expect(() => storeTarget('mysql://h/db')).toThrow(StorageError);
  });

  it('creates the SQLite folder and uses WAL with a busy timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'niger-watch-open-'));
    dirs.push(dir);
    const path = join(dir, 'a', 'b', 'store.sqlite');
    const store = await openStore(`file:${path}`);
    try {
      expect(existsSync(path)).toBe(true);
      const raw = new Database(path, { readonly: true });
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
      expect(store.description).toBe(`SQLite at ${path}`);
    } finally {
      await store.close();
    }
  });

  it('refuses a database whose schema is newer than the code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'niger-watch-open-'));
    dirs.push(dir);
    const path = join(dir, 'store.sqlite');
    await (await openStore(`file:${path}`)).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_VERSION + 1, 'future', 0);
    raw.close();
    await expect(openStore(`file:${path}`)).rejects.toThrow(/newer than this code knows/);
  });

  it('never puts a PostgreSQL password in its errors or description', async () => {
    const url = 'postgres://someone:s3cret-Pa55@127.0.0.1:1/nowhere';
    const err = await openStore(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(String((err as Error).message)).not.toContain('s3cret-Pa55');
    expect(String((err as Error).message)).toContain('PostgreSQL at 127.0.0.1:1/nowhere');
    expect(String((err as Error).stack)).not.toContain('s3cret-Pa55');
  });

  it('the PostgreSQL test database is named by TEST_DATABASE_URL or the local default', () => {
    expect(PG_URL).toMatch(/^postgres(ql)?:\/\//);
  });
});
