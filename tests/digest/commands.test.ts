import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import type { Caller } from '../../src/core/command.ts';
import { renderText } from '../../src/core/render-text.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import { testBot } from '../helpers/bot.ts';
import { backendMatrix, type TestDb } from '../storage/backends.ts';
import { makeScheduler, RecordingPoster, testKb } from './helpers.ts';

const matrix = await backendMatrix();

const admin: Caller = { platform: 'slack', userId: 'U-admin', channelId: 'C1', workspaceId: 'T1', canManageChannel: async () => true };
const member: Caller = { ...admin, userId: 'U-member', canManageChannel: async () => false };

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`digest commands on ${backend.name}`, () => {
    let db: TestDb;
    let store: SqlDigestStore;
    let bot: Bot;
    const key = { platform: 'slack', channelId: 'C1' };
    beforeEach(async () => {
      db = await backend.open();
      store = db.store;
      bot = await testBot({ services: { digest: new StoreDigestService(store, testKb()) } });
    });
    afterEach(async () => {
      await db?.cleanup();
    });

    it('subscribe with no options uses and shows the defaults (08:00, Africa/Niamey) and the next delivery', async () => {
      const r = await bot.handleText('/niger digest subscribe', admin);
      expect(r).toMatchObject({ kind: 'admin', visibility: 'ephemeral', title: 'Daily digest turned on', command: 'digest subscribe' });
      const text = renderText(r);
      expect(text).toContain('08:00');
      expect(text).toContain('Africa/Niamey');
      expect(text).toContain('Next delivery: Monday 30 November 2026, 08:00 Africa/Niamey (UTC+01:00)');
      expect(await store.getSubscription(key)).toMatchObject({
        time: '08:00',
        timeZone: 'Africa/Niamey',
        active: true,
        createdBy: 'U-admin',
        workspaceId: 'T1',
      });
    });

    it.each([
      ['digest subscribe time:18:30 timezone:Europe/Paris', '18:30', 'Europe/Paris'],
      ['digest subscribe 18:30 Europe/Paris', '18:30', 'Europe/Paris'],
      ['digest subscribe Europe/Paris 7pm', '19:00', 'Europe/Paris'],
      ['digest subscribe timezone:america/new_york', '08:00', 'America/New_York'],
    ])('%s → %s %s', async (text, time, zone) => {
      const r = await bot.handleText(text, admin);
      expect(r.kind).toBe('admin');
      expect(await store.getSubscription(key)).toMatchObject({ time, timeZone: zone });
    });

    it('structured options (as Discord sends them) work the same', async () => {
      const r = await bot.run('digest subscribe', { time: '09:15', timezone: 'Europe/Paris' }, admin);
      expect(r.title).toBe('Daily digest turned on');
      expect(await store.getSubscription(key)).toMatchObject({ time: '09:15', timeZone: 'Europe/Paris' });
      expect((await bot.run('digest subscribe', { time: '10:00' }, admin)).title).toBe('Daily digest updated');
    });

    it('someone who cannot manage the channel is refused, and nothing changes', async () => {
      for (const text of ['digest subscribe', 'digest subscribe time:09:00', 'digest unsubscribe']) {
        const r = await bot.handleText(text, member);
        expect(r.kind).toBe('error');
        expect(r.visibility).toBe('ephemeral');
        expect(r.body).toMatch(/Only people who can manage this channel/);
        expect(r.errorId).toBeUndefined();
      }
      expect(await store.getSubscription(key)).toBeNull();
      await bot.handleText('digest subscribe time:07:00', admin);
      await bot.handleText('digest subscribe time:09:00', member);
      await bot.handleText('digest unsubscribe', member);
      expect(await store.getSubscription(key)).toMatchObject({ time: '07:00', active: true });
    });

    it.each([
      ['digest subscribe time:25:00', /"25:00" is not a time of day.*e\.g\. `digest subscribe time:08:00 timezone:Africa\/Niamey`/s],
      ['digest subscribe time:noon', /"noon" is not a time of day/],
      ['digest subscribe 8:75', /"8:75" is not a time of day/],
      ['digest subscribe timezone:Mars/Olympus', /"Mars\/Olympus" is not a time zone I know.*Africa\/Niamey, Europe\/Paris/s],
      ['digest subscribe 08:00 Paris', /"Paris" is not a time zone/],
    ])('bad input %s: a clear error with an example, nothing stored or changed', async (text, message) => {
      const r = await bot.handleText(text, admin);
      expect(r.kind).toBe('error');
      expect(r.errorId).toBeUndefined();
      expect(r.body).toMatch(message);
      expect(await store.getSubscription(key)).toBeNull();
      await bot.handleText('digest subscribe 06:00', admin);
      await bot.handleText(text, admin);
      expect(await store.getSubscription(key)).toMatchObject({ time: '06:00', timeZone: 'Africa/Niamey' });
    });

    it('status, preview and history are readable by anyone and are ephemeral', async () => {
      let r = await bot.handleText('digest status', member);
      expect(r).toMatchObject({ kind: 'admin', visibility: 'ephemeral', title: 'Daily digest — off' });
      expect(r.body).toMatch(/defaults: 08:00, Africa\/Niamey/);
      await bot.handleText('digest subscribe', admin);
      r = await bot.handleText('digest status', member);
      expect(r.title).toBe('Daily digest — on');
      expect(r.body).toContain('Next delivery: Monday 30 November 2026, 08:00 Africa/Niamey (UTC+01:00)');
      const p = await bot.handleText('digest preview', member);
      expect(p.visibility).toBe('ephemeral');
      expect(p.title).toBe('Niger Watch daily digest — 30 November 2026');
      const h = await bot.handleText('digest history', member);
      expect(h).toMatchObject({ kind: 'admin', visibility: 'ephemeral' });
      expect(h.body).toMatch(/Nothing was delivered/);
    });

    it('preview shows exactly what is then posted, with the key figures and sources', async () => {
      await bot.handleText('digest subscribe', admin);
      const preview = await bot.handleText('digest preview', admin);
      const poster = new RecordingPoster('slack');
      await makeScheduler(store, [poster]).tick(new Date('2026-11-30T07:00:00Z'));
      expect(poster.posts).toHaveLength(1);
      const posted = poster.posts[0]!.reply;
      expect({ ...posted, command: 'digest preview', visibility: 'ephemeral' }).toEqual(preview);
      const text = renderText(posted);
      expect(text).toContain('Abdourahamane Tiani');
      expect(text).toContain('French troops: none — as of 22 December 2023');
      expect(text).toMatch(/Sources:\n {2}\[1\]/);
      expect(posted.items).toHaveLength(5); // first digest: the 5 newest events
      expect(posted.notes.join(' ')).toMatch(/there may be later developments/); // old newest information is flagged
    });

    it('history and status give the reasons (late, skipped)', async () => {
      await bot.handleText('digest subscribe', admin);
      const s = makeScheduler(store, [new RecordingPoster('slack')]);
      await s.tick(new Date('2026-11-30T12:00:00Z')); // 5 h late: skipped
      await s.tick(new Date('2026-12-01T08:00:00Z')); // 60 min late: sent, late
      const h = renderText(await bot.handleText('digest history', member));
      expect(h).toMatch(/1 December 2026: sent late — sent 60 min after its time \(catch-up\) \(message slack-msg-1\)/);
      expect(h).toMatch(/30 November 2026: skipped — missed by 5 h .*skipped, not sent/);
      const st = renderText(await bot.handleText('digest status', member));
      expect(st).toContain('Last deliveries:');
      expect(st).toContain('sent late');
    });

    it('unsubscribe turns it off; status says who and when; subscribing again turns it back on', async () => {
      await bot.handleText('digest subscribe', admin);
      const r = await bot.handleText('digest unsubscribe', admin);
      expect(r).toMatchObject({ kind: 'admin', visibility: 'ephemeral', title: 'Daily digest turned off' });
      expect((await bot.handleText('digest unsubscribe', admin)).title).toBe('No digest to turn off');
      expect((await bot.handleText('digest status', member)).body).toMatch(/off: unsubscribed by U-admin on 2026-11-29/);
      expect((await bot.handleText('digest subscribe', admin)).title).toBe('Daily digest turned on');
    });

    it('channels are separate, and platforms are separate', async () => {
      await bot.handleText('digest subscribe 06:00', admin);
      await bot.handleText('digest subscribe 07:00', { ...admin, channelId: 'C2' });
      await bot.handleText('digest subscribe 09:00', { ...admin, platform: 'discord' });
      expect((await store.getSubscription(key))?.time).toBe('06:00');
      expect((await store.getSubscription({ platform: 'slack', channelId: 'C2' }))?.time).toBe('07:00');
      expect((await store.getSubscription({ platform: 'discord', channelId: 'C1' }))?.time).toBe('09:00');
    });
  });
}

describe('digest commands without a database', () => {
  it('answer with a friendly error, never an internal one', async () => {
    const bot = await testBot();
    for (const text of ['digest subscribe', 'digest status', 'digest preview', 'digest history', 'digest unsubscribe']) {
      const r = await bot.handleText(text, { platform: 'test', userId: 'u', channelId: 'c', canManageChannel: async () => true });
      expect(r.kind).toBe('error');
      expect(r.errorId).toBeUndefined();
      expect(r.body).toMatch(/not available here/);
    }
  });

  it('help lists every digest subcommand with its defaults', async () => {
    const bot = await testBot();
    const text = renderText(await bot.handleText('help digest', { platform: 'test', userId: 'u', channelId: 'c', canManageChannel: async () => false }));
    for (const sub of ['subscribe', 'unsubscribe', 'status', 'preview', 'history']) expect(text).toContain(`digest ${sub}`);
    expect(text).toContain('default 08:00');
    expect(text).toContain('Africa/Niamey');
  });
});
