import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { importSeed, readSeed } from '../../src/storage/seed.ts';
import { renderHome } from '../../src/adapters/slack/home.ts';
import { checkHomeView, eventCallback, sendEvent, sendInteraction, slackTs, viewSubmission, visibleText } from '../fakes/slack.ts';
import { testBot } from '../helpers/bot.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { SIGNING_SECRET, slashOverHttp, startHarness, type Harness } from './harness.ts';

// The App Home through the real Bolt against the fake Slack: app_home_opened → views.publish with the key figures,
// the workspace's digests (admins) with Pause / Change, and the review count (editors); the buttons run the digest
// commands as the presser, through the same preconditions, and the Home is published again.

const NOW = Date.parse('2026-11-29T09:00:00Z');
const ADMIN = 'U0ADMIN001'; // a workspace admin, and an editor by SLACK_EDITOR_USER_IDS
const READER = 'U0READER01';

let db: TestDb;
let bot: Bot;
let h: Harness;

beforeAll(async () => {
  db = await sqliteBackend.open();
  await importSeed(db.store, readSeed(DEFAULT_DATA_DIR), { now: NOW - 86_400_000 });
  bot = await testBot({ services: { digest: new StoreDigestService(db.store, () => bot.kb), proposals: new StoreProposalService(db.store, () => NOW) } });
  h = await startHarness(bot, { config: { editorUserIds: [ADMIN] }, fake: { users: [{ id: ADMIN, is_admin: true }, { id: READER }] } });
  const digests = bot.services.digest!;
  await digests.subscribe(
    { platform: 'slack', channelId: 'C0NEWSROOM', workspaceId: h.fake.teamId },
    { time: '07:30', timeZone: 'Europe/Paris' },
    ADMIN,
    new Date(NOW),
  );
  await digests.subscribe({ platform: 'slack', channelId: 'C0OTHERWS1', workspaceId: 'T0OTHER' }, { time: '09:00', timeZone: 'UTC' }, ADMIN, new Date(NOW));
});
afterAll(async () => {
  await h?.close();
  await db?.cleanup();
});

async function openHome(user: string) {
  const before = h.fake.homes.length;
  const event = { type: 'app_home_opened', user, channel: 'D0HOME0001', tab: 'home', event_ts: slackTs() };
  expect((await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, event))).status).toBe(200);
  return h.fake.waitFor(() => h.fake.homes[before], 8000, 'views.publish');
}

const texts = (view: Record<string, any>): string =>
  (view.blocks as any[])
    .flatMap((b) => [b.text?.text, ...(b.elements ?? []).map((e: any) => e.text?.text ?? e.text)])
    .filter(Boolean)
    .join('\n');

function buttonsIn(view: Record<string, any>) {
  return (view.blocks as any[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements.map((e: any) => ({ ...e, block_id: b.block_id })));
}

/** Slack's block_actions payload for a Home tab button: no channel, no message, no response_url. */
function homePress(user: string, view: Record<string, any>, button: { action_id: string; value: string; block_id: string }) {
  return {
    type: 'block_actions',
    team: { id: h.fake.teamId, domain: 'fake-workspace' },
    user: { id: user, username: user.toLowerCase(), team_id: h.fake.teamId },
    api_app_id: h.fake.appId,
    token: 'legacy-verification-token',
    container: { type: 'view', view_id: view.id },
    trigger_id: `${Date.now()}.${Math.random().toString(36).slice(2)}`,
    view,
    actions: [{ type: 'button', action_id: button.action_id, block_id: button.block_id, value: button.value, action_ts: slackTs() }],
  };
}

describe('digest subscribe checks that the bot can post in the channel', () => {
  const subscribeIn = async (channel: string) => (await slashOverHttp(h, 'digest subscribe time:06:15', { channel_id: channel, user_id: ADMIN })).message;

  it('refuses a private channel the bot is not in, saying what to do, and stores nothing', async () => {
    h.fake.setChannel({ id: 'G0PRIVATE1', is_private: true, is_member: false });
    const message = await subscribeIn('G0PRIVATE1');
    expect(message.response_type).toBe('ephemeral');
    expect(visibleText(message)).toContain('I’m not a member of it');
    expect(visibleText(message)).toContain('/invite @Niger Watch');
    expect(await bot.services.digest!.subscription({ platform: 'slack', channelId: 'G0PRIVATE1' })).toBeNull();
  });

  it('subscribes a public channel the bot never joined (chat:write.public) and a private one it was invited to', async () => {
    h.fake.setChannel({ id: 'C0PUBLIC01', is_private: false, is_member: false });
    h.fake.setChannel({ id: 'G0INVITED1', is_private: true, is_member: true });
    for (const channel of ['C0PUBLIC01', 'G0INVITED1']) {
      expect(visibleText(await subscribeIn(channel))).toContain('06:15');
      expect((await bot.services.digest!.subscription({ platform: 'slack', channelId: channel }))?.active).toBe(true);
      await bot.services.digest!.unsubscribe({ platform: 'slack', channelId: channel }, ADMIN, new Date(NOW));
    }
  });

  it('a digest posted where Slack answers not_in_channel reports it and stays on (the poster)', async () => {
    h.fake.setChannel({ id: 'G0REMOVED1', is_private: true, is_member: false });
    const reply = await bot.handleText('ruler', { platform: 'test', userId: 'x', channelId: '', canManageChannel: async () => false });
    await expect(h.slack.poster.post('G0REMOVED1', reply, 'n-removed')).rejects.toMatchObject({ failure: 'not_in_channel' });
  });
});

describe('Slack App Home', () => {
  it('shows stored text (a digest’s reason) literally: no mention, no formatting, and skips a channel id that is not one', () => {
    const view = renderHome({
      lang: 'en',
      title: 'Niger Watch',
      figures: [],
      digestsNote: 'x',
      digests: [
        { channel: { platform: 'slack', channelId: 'C0SAFE0001' }, active: false, line: 'Off: <!here> & *bold* <@U1>', actions: [] },
        { channel: { platform: 'slack', channelId: '<!channel>' }, active: true, line: 'on', actions: [] },
      ],
    });
    const raw = JSON.stringify(view.blocks);
    expect(raw).toContain('<#C0SAFE0001>');
    expect(raw).not.toMatch(/<!here>|<@U1>|<!channel>|\*bold\*/);
    expect(raw).toContain('&lt;!here&gt; &amp;');
    expect(checkHomeView(view as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('publishes the key figures now, this workspace’s digests with Pause / Change, and the review count for an editor', async () => {
    const { user, view } = await openHome(ADMIN);
    expect(user).toBe(ADMIN);
    expect(view.type).toBe('home');
    const seen = texts(view);
    expect(seen).toContain('Key figures now');
    const troops = await bot.run('troops', { country: 'France' }, { platform: 'test', userId: 'x', channelId: '', canManageChannel: async () => false });
    expect(seen).toContain(troops.title);
    expect(seen).toContain('Tiani');
    expect(seen).toContain('<#C0NEWSROOM>');
    expect(seen).toContain('07:30 Europe/Paris · next delivery:');
    // Another workspace's digest is not listed.
    expect(seen).not.toContain('C0OTHERWS1');
    expect(seen).toMatch(/No proposal is waiting for review\./);
    const labels = buttonsIn(view)
      .filter((b) => b.block_id === 'nw-home-channel:C0NEWSROOM')
      .map((b) => b.text.text);
    expect(labels).toEqual(['Pause', 'Change']);
  });

  it('shows a member neither the digests nor the review queue, only the figures', async () => {
    const { view } = await openHome(READER);
    const seen = texts(view);
    expect(seen).toContain('Tiani');
    expect(seen).toContain('Only workspace admins and owners');
    expect(seen).not.toContain('C0NEWSROOM');
    expect(seen).not.toContain('review');
    expect(buttonsIn(view)).toEqual([]);
  });

  it('Pause stops the channel’s digest as the presser, tells them in their DM, and publishes the Home again', async () => {
    const { view } = await openHome(ADMIN);
    const pause = buttonsIn(view).find((b) => b.block_id === 'nw-home-channel:C0NEWSROOM' && b.text.text === 'Pause')!;
    const before = h.fake.homes.length;
    expect((await sendInteraction(h.appUrl, SIGNING_SECRET, homePress(ADMIN, view, pause))).status).toBe(200);
    const again = await h.fake.waitFor(() => h.fake.homes[before], 8000, 'the Home published again');
    const sub = await bot.services.digest!.subscription({ platform: 'slack', channelId: 'C0NEWSROOM' });
    expect(sub?.active).toBe(false);
    expect(texts(again.view)).toContain('Off: unsubscribed by U0ADMIN001');
    const dm = h.fake.messagesIn(ADMIN).at(-1)!;
    expect(JSON.stringify(dm.blocks)).toContain('Daily digest turned off');
    // Resume brings it back at its own time.
    const resume = buttonsIn(again.view).find((b) => b.text.text === 'Resume')!;
    const next = h.fake.homes.length;
    await sendInteraction(h.appUrl, SIGNING_SECRET, homePress(ADMIN, again.view, resume));
    await h.fake.waitFor(() => h.fake.homes[next], 8000, 'the Home after Resume');
    expect(await bot.services.digest!.subscription({ platform: 'slack', channelId: 'C0NEWSROOM' })).toMatchObject({
      active: true,
      time: '07:30',
      timeZone: 'Europe/Paris',
    });
  });

  it('Change opens the schedule form; its submission changes the digest of that channel', async () => {
    const { view } = await openHome(ADMIN);
    const change = buttonsIn(view).find((b) => b.block_id === 'nw-home-channel:C0NEWSROOM' && b.text.text === 'Change')!;
    const modals = h.fake.views.length;
    await sendInteraction(h.appUrl, SIGNING_SECRET, homePress(ADMIN, view, change));
    const opened = await h.fake.waitFor(() => h.fake.views[modals], 8000, 'the schedule form');
    expect(opened.view.blocks.map((b: any) => b.block_id)).toEqual(['time', 'timezone']);
    const homes = h.fake.homes.length;
    const res = await sendInteraction(h.appUrl, SIGNING_SECRET, viewSubmission(h.fake, opened, ADMIN, { time: '18:45', timezone: 'Africa/Niamey' }));
    expect(res.status).toBe(200);
    const again = await h.fake.waitFor(() => h.fake.homes[homes], 8000, 'the Home after the change');
    expect(texts(again.view)).toContain('18:45 Africa/Niamey');
    expect(await bot.services.digest!.subscription({ platform: 'slack', channelId: 'C0NEWSROOM' })).toMatchObject({ active: true, time: '18:45' });
  });

  it('a member’s press of a Pause button is refused by the precondition and changes nothing', async () => {
    const { view } = await openHome(ADMIN);
    const pause = buttonsIn(view).find((b) => b.block_id === 'nw-home-channel:C0NEWSROOM' && b.text.text === 'Pause')!;
    const before = h.fake.messagesIn(READER).length;
    await sendInteraction(h.appUrl, SIGNING_SECRET, homePress(READER, view, pause));
    const dm = await h.fake.waitFor(() => h.fake.messagesIn(READER)[before], 8000, 'the refusal');
    expect(JSON.stringify(dm.blocks)).toMatch(/admin|owner/i);
    expect((await bot.services.digest!.subscription({ platform: 'slack', channelId: 'C0NEWSROOM' }))?.active).toBe(true);
  });
});
