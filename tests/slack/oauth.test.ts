// Installing the app in several workspaces (issue 12): Bolt's own OAuth flow (@slack/oauth's InstallProvider on
// our receiver) against the fake Slack, which answers oauth.v2.access and tells the workspaces' tokens apart.
// Real Bolt, the real store (SQLite, and PostgreSQL when it answers), nothing of ours mocked.
import { createHmac, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackApp, type SlackAdapter } from '../../src/adapters/slack/app.ts';
import type { SlackConfig } from '../../src/config.ts';
import type { Bot } from '../../src/core/bot.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import { makeScheduler } from '../digest/helpers.ts';
import {
  INSTALL_SCOPES,
  eventCallback,
  sendEvent,
  sendSlashCommand,
  slackTs,
  slashCommandFields,
  startFakeSlack,
  visibleText,
  waitFor,
  type FakeSlack,
  type FakeWorkspace,
} from '../fakes/slack.ts';
import { captureLogger, testBot } from '../helpers/bot.ts';
import { backendMatrix, sqliteBackend, type TestDb } from '../storage/backends.ts';
import { BOT_TOKEN, SIGNING_SECRET, startHarness, TEST_RETRY } from './harness.ts';

const CLIENT_ID = '1111111111.2222222222';
const CLIENT_SECRET = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';
const STATE_SECRET = 'state-secret-for-tests-0123456789abcdef';
const KEY = randomBytes(32);
const ADMIN_1 = 'U0ADMINONE';
const ADMIN_2 = 'U0ADMINTWO';
const CHANNEL_1 = 'C0WSONE001';
const CHANNEL_2 = 'C0WSTWO001';
const COOKIE = 'slack-app-oauth-state';

const matrix = await backendMatrix();

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`Slack OAuth install in several workspaces (${backend.name})`, () => {
    let fake: FakeSlack;
    let db: TestDb;
    let bot: Bot;
    let slack: SlackAdapter;
    let base: string;
    let logLines: () => string[];
    let one: FakeWorkspace;
    let two: FakeWorkspace;

    beforeEach(async () => {
      fake = await startFakeSlack({
        oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
        // A token the fake did not issue to a workspace is refused: a call made with the wrong one fails.
        strictTokens: true,
        users: [
          { id: ADMIN_1, is_admin: true },
          { id: ADMIN_2, is_admin: true },
        ],
      });
      one = fake.addWorkspace({ teamId: 'T0WORKSPACE1', teamName: 'Desk One' });
      two = fake.addWorkspace({ teamId: 'T0WORKSPACE2', teamName: 'Desk Two' });
      db = await backend.open({ tokenKey: KEY });
      const services = { digest: new StoreDigestService(db.store, () => bot.kb) };
      bot = await testBot({ services });
      const config: SlackConfig = {
        mode: 'http',
        signingSecret: SIGNING_SECRET,
        apiUrl: fake.apiUrl,
        port: 0,
        adminUserIds: [],
        oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, stateSecret: STATE_SECRET },
      };
      // Debug: every line Bolt, @slack/oauth and the Web API client write, to look for secrets in.
      const captured = captureLogger('debug');
      logLines = captured.lines;
      slack = createSlackApp(bot, config, captured.log, { host: '127.0.0.1', retryConfig: TEST_RETRY, installations: db.store, seen: db.store });
      await slack.start();
      base = `http://127.0.0.1:${slack.port()}`;
    });
    afterEach(async () => {
      await slack?.stop();
      await fake?.close();
      await db?.cleanup();
    });

    /** The browser's way through the install: our install path, Slack's approval (the fake's code), our redirect path. */
    async function install(ws: FakeWorkspace): Promise<Response> {
      const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
      expect(start.status).toBe(302);
      const authorize = new URL(start.headers.get('location')!);
      const state = authorize.searchParams.get('state')!;
      expect(start.headers.get('set-cookie')).toContain(`${COOKIE}=${state};`);
      const code = fake.authorizationCode(ws.teamId);
      return fetch(`${base}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, {
        headers: { cookie: `${COOKIE}=${state}` },
        redirect: 'manual',
      });
    }

    const team = (ws: FakeWorkspace) => ({ teamId: ws.teamId, enterpriseId: null, isEnterpriseInstall: false });
    const slash = (ws: FakeWorkspace, text: string, over: Record<string, string> = {}) =>
      sendSlashCommand(`${base}/slack/events`, SIGNING_SECRET, slashCommandFields({ ...fake, teamId: ws.teamId }, { text, team_id: ws.teamId, ...over }));
    const callsWith = (token: string) => fake.calls.filter((c) => c.token === token);

    it('GET /slack/install sets the signed state in a cookie and sends the browser to Slack’s authorize page with the bot scopes', async () => {
      const res = await fetch(`${base}/slack/install`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const to = new URL(res.headers.get('location')!);
      expect(`${to.origin}${to.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
      expect(to.searchParams.get('client_id')).toBe(CLIENT_ID);
      expect(to.searchParams.get('scope')!.split(',').sort()).toEqual([...INSTALL_SCOPES].sort());
      const state = to.searchParams.get('state')!;
      // Signed with SLACK_STATE_SECRET (a JWT, HS256).
      const [header, payload, signature] = state.split('.');
      expect(createHmac('sha256', STATE_SECRET).update(`${header}.${payload}`).digest('base64url')).toBe(signature);
      expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^${COOKIE}=${state.replace(/\./g, '\\.')}; Secure; HttpOnly; Path=/; Max-Age=600$`));
    });

    it('two workspaces install: each installation is stored with its own token, encrypted — no token in the database', async () => {
      for (const ws of [one, two]) {
        const done = await install(ws);
        expect(done.status).toBe(200);
        expect(await done.text()).toContain('Thank you!');
      }
      // The code was exchanged with the app's credentials, once per install; then auth.test with the new token.
      expect(fake.callsTo('oauth.v2.access').map((c) => [c.args.client_id, c.response && (c.response as { ok: boolean }).ok])).toEqual([
        [CLIENT_ID, true],
        [CLIENT_ID, true],
      ]);
      expect(fake.callsTo('auth.test').map((c) => c.teamId)).toEqual([one.teamId, two.teamId]);
      for (const ws of [one, two]) {
        const stored = await db.store.getInstallation(team(ws));
        expect(stored).toMatchObject({ teamId: ws.teamId, botUserId: ws.botUserId, botId: ws.botId, appId: fake.appId });
        expect(JSON.parse(stored!.secret).bot.token).toBe(ws.botToken);
      }
      const dump = JSON.stringify(await db.raw('SELECT * FROM slack_installations'));
      expect(dump).toContain(one.teamId);
      for (const token of [one.botToken, two.botToken]) expect(dump).not.toContain(token);
      expect(dump).not.toContain('xoxb-');
    });

    it('a forged, missing or other browser’s state is refused (400): no code exchanged, nothing stored', async () => {
      const code = fake.authorizationCode(one.teamId);
      const redirect = (query: string, cookie?: string) =>
        fetch(`${base}/slack/oauth_redirect?${query}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
      // No state at all.
      expect((await redirect(`code=${code}`)).status).toBe(400);
      // A state signed with another secret, even with a matching cookie.
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ installOptions: { scopes: INSTALL_SCOPES }, now: new Date().toJSON() })}`;
      const forged = `${body}.${createHmac('sha256', 'not-the-state-secret').update(body).digest('base64url')}`;
      expect((await redirect(`code=${code}&state=${forged}`, `${COOKIE}=${forged}`)).status).toBe(400);
      // A genuine state, but not this browser's: no cookie, or the cookie of another install.
      const mine = new URL((await fetch(`${base}/slack/install`, { redirect: 'manual' })).headers.get('location')!).searchParams.get('state')!;
      const theirs = new URL((await fetch(`${base}/slack/install`, { redirect: 'manual' })).headers.get('location')!).searchParams.get('state')!;
      expect((await redirect(`code=${code}&state=${mine}`)).status).toBe(400);
      expect((await redirect(`code=${code}&state=${mine}`, `${COOKIE}=${theirs}`)).status).toBe(400);
      expect(fake.callsTo('oauth.v2.access')).toHaveLength(0);
      expect(await db.store.getInstallation(team(one))).toBeNull();
      // The same code with the right state and cookie still works: the refusals did not spend it.
      const res = await redirect(`code=${code}&state=${mine}`, `${COOKIE}=${mine}`);
      expect(res.status).toBe(200);
      expect(await db.store.getInstallation(team(one))).not.toBeNull();
    });

    it('a command from each workspace is answered with that workspace’s token; a workspace that never installed gets nothing', async () => {
      await install(one);
      await install(two);
      const before = fake.calls.length;
      for (const [ws, user] of [
        [one, 'U0READER01'],
        [two, 'U0READER02'],
      ] as const) {
        const res = await slash(ws, 'ruler June 2023', { user_id: user });
        expect(res.status).toBe(200);
        expect(visibleText(JSON.parse(res.body) as { blocks?: unknown })).toContain('Mohamed Bazoum');
        // The user's language was asked of Slack with the token of the workspace the command came from.
        const lookups = fake.callsTo('users.info').filter((c) => c.args.user === user);
        expect(lookups.map((c) => [c.token, c.teamId, c.response && (c.response as { ok: boolean }).ok])).toEqual([[ws.botToken, ws.teamId, true]]);
      }
      // A mention is answered in the channel with chat.postMessage: again each workspace's own token.
      for (const [ws, channel] of [
        [one, CHANNEL_1],
        [two, CHANNEL_2],
      ] as const) {
        const event = eventCallback(
          { teamId: ws.teamId, appId: fake.appId, botUserId: ws.botUserId },
          { type: 'app_mention', user: 'U0ASKER001', channel, text: `<@${ws.botUserId}> who rules Niger?`, ts: slackTs() },
        );
        expect((await sendEvent(`${base}/slack/events`, SIGNING_SECRET, event)).status).toBe(200);
        const posted = await fake.waitFor(() => fake.callsTo('chat.postMessage').find((c) => c.args.channel === channel), 5000, `the answer in ${channel}`);
        expect([posted.token, posted.teamId]).toEqual([ws.botToken, ws.teamId]);
        expect(fake.messagesIn(channel)[0]).toMatchObject({ team: ws.teamId, user: ws.botUserId });
      }
      // Every call since the installs went out with a token of the workspace it was for, none without one.
      for (const c of fake.calls.slice(before)) expect(c.token === one.botToken || c.token === two.botToken, `${c.method} token`).toBe(true);

      const stranger = await slash({ ...one, teamId: 'T0NEVERINST' }, 'ruler', { user_id: 'U0STRANGER' });
      expect(stranger.status).toBe(200);
      expect(stranger.body).toBe('');
      expect(fake.callsTo('users.info').some((c) => c.args.user === 'U0STRANGER')).toBe(false);
    });

    it('a digest for each workspace goes out with that workspace’s token', async () => {
      await install(one);
      await install(two);
      for (const [ws, admin, channel] of [
        [one, ADMIN_1, CHANNEL_1],
        [two, ADMIN_2, CHANNEL_2],
      ] as const) {
        const res = await slash(ws, 'digest subscribe time:08:00 timezone:Africa/Niamey', { user_id: admin, channel_id: channel });
        expect(visibleText(JSON.parse(res.body) as { blocks?: unknown })).toContain('08:00 Africa/Niamey');
        expect(await db.store.getSubscription({ platform: 'slack', channelId: channel })).toMatchObject({ active: true, workspaceId: ws.teamId });
      }
      // A subscription whose workspace has no installation (removed while the bot was away): nothing to post
      // with, so that digest goes off with the reason, and the others go out.
      const gone = 'C0GONE0001';
      const next = (await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL_1 }))!;
      await db.store.putSubscription(
        { ...next, channelId: gone, workspaceId: 'T0REMOVED1', nextDueAt: next.nextDueAt!, nextLocalDate: next.nextLocalDate!, createdBy: ADMIN_1 },
        Date.now(),
      );
      await makeScheduler(db.store, [slack.poster], { kb: bot.kb }).tick(new Date('2026-11-30T07:00:00Z'));
      expect(await db.store.getSubscription({ platform: 'slack', channelId: gone })).toMatchObject({
        active: false,
        disabledReason: expect.stringMatching(/channel gone or bot removed on 2026-11-30: .*the Slack app is not installed in workspace T0REMOVED1/),
      });
      expect(fake.callsTo('chat.postMessage').some((c) => c.args.channel === gone)).toBe(false);
      for (const [ws, channel] of [
        [one, CHANNEL_1],
        [two, CHANNEL_2],
      ] as const) {
        const posts = fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
        expect(posts.map((c) => [c.token, (c.response as { ok: boolean }).ok])).toEqual([[ws.botToken, true]]);
        expect(visibleText(posts[0]!.args as { blocks?: unknown })).toContain('Niger Watch daily digest — 30 November 2026');
        expect((await db.store.history({ platform: 'slack', channelId: channel }, 1))[0]).toMatchObject({ status: 'sent' });
      }
    });

    it('app_uninstalled and tokens_revoked remove the installation and turn that workspace’s digests off with the reason; the other workspace carries on', async () => {
      await install(one);
      await install(two);
      await slash(one, 'digest subscribe', { user_id: ADMIN_1, channel_id: CHANNEL_1 });
      await slash(two, 'digest subscribe', { user_id: ADMIN_2, channel_id: CHANNEL_2 });
      const lifecycle = (ws: FakeWorkspace, event: Record<string, unknown>) =>
        sendEvent(`${base}/slack/events`, SIGNING_SECRET, {
          token: 'legacy-verification-token',
          team_id: ws.teamId,
          api_app_id: fake.appId,
          event,
          type: 'event_callback',
          event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
          event_time: Math.floor(Date.now() / 1000),
        });

      // Slack revokes the token and tells the app.
      fake.revokeToken(one.botToken);
      expect((await lifecycle(one, { type: 'app_uninstalled' })).status).toBe(200);
      const off = await waitFor(
        async () => {
          const s = await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL_1 });
          return s && !s.active ? s : undefined;
        },
        5000,
        'the first workspace’s digest turned off',
      );
      expect(off.disabledReason).toMatch(/^the Slack app was uninstalled from the workspace on \d{4}-\d{2}-\d{2}$/);
      expect(await db.store.getInstallation(team(one))).toBeNull();
      expect((await db.store.history({ platform: 'slack', channelId: CHANNEL_1 }, 1))[0]).toMatchObject({ status: 'disabled', reason: off.disabledReason });
      // Slack's second message about the same uninstall finds nothing more to do.
      expect((await lifecycle(one, { type: 'tokens_revoked', tokens: { bot: [one.botUserId] } })).status).toBe(200);

      // The other workspace is untouched: answered with its token, its digest goes out; the first gets none.
      expect(await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL_2 })).toMatchObject({ active: true });
      const answered = await slash(two, 'ruler', { user_id: 'U0READER02' });
      expect(visibleText(JSON.parse(answered.body) as { blocks?: unknown })).toContain('Tiani');
      expect((await slash(one, 'ruler', { user_id: 'U0READER01' })).body).toBe('');
      await makeScheduler(db.store, [slack.poster], { kb: bot.kb }).tick(new Date('2026-11-30T07:00:00Z'));
      expect(fake.callsTo('chat.postMessage').map((c) => [c.args.channel, c.token])).toEqual([[CHANNEL_2, two.botToken]]);
      expect(callsWith(one.botToken).filter((c) => c.at > off.updatedAt)).toEqual([]);

      // tokens_revoked alone (the bot token of the second workspace) does the same.
      fake.revokeToken(two.botToken);
      expect((await lifecycle(two, { type: 'tokens_revoked', tokens: { oauth: [], bot: [two.botUserId] } })).status).toBe(200);
      const offToo = await waitFor(
        async () => {
          const s = await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL_2 });
          return s && !s.active ? s : undefined;
        },
        5000,
        'the second workspace’s digest turned off',
      );
      expect(offToo.disabledReason).toMatch(/^the Slack bot token was revoked on \d{4}-\d{2}-\d{2}$/);
      expect(await db.store.getInstallation(team(two))).toBeNull();
      expect(await db.raw('SELECT install_key FROM slack_installations')).toEqual([]);

      // Installing again works (a new installation, a new token); the digests stay off until someone subscribes again.
      const revokedToken = one.botToken;
      expect((await install(one)).status).toBe(200);
      expect(one.botToken).not.toBe(revokedToken);
      expect(JSON.parse((await db.store.getInstallation(team(one)))!.secret).bot.token).toBe(one.botToken);
      const back = await slash(one, 'ruler', { user_id: 'U0READER01' });
      expect(visibleText(JSON.parse(back.body) as { blocks?: unknown })).toContain('Tiani');
      // The channel's readers see why their digest stopped.
      const read = async (text: string) =>
        visibleText(JSON.parse((await slash(one, text, { user_id: 'U0READER01', channel_id: CHANNEL_1 })).body) as { blocks?: unknown });
      expect(await read('digest status')).toContain(off.disabledReason!);
      expect(await read('digest history')).toContain(off.disabledReason!);
      expect(await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL_1 })).toMatchObject({ active: false });
    });

    it('no secret reaches the logs: not the client or state secret, the key, or any workspace’s token', async () => {
      await install(one);
      await install(two);
      await slash(one, 'digest subscribe', { user_id: ADMIN_1, channel_id: CHANNEL_1 });
      await slash(two, 'help');
      await makeScheduler(db.store, [slack.poster], { kb: bot.kb }).tick(new Date('2026-11-30T07:00:00Z'));
      const out = logLines().join('\n');
      // Debug logging did run through the install and the calls (the check below looks at something).
      expect(out).toContain('oauth.v2.access');
      expect(out).toContain('Slack installation stored');
      for (const secret of [CLIENT_SECRET, STATE_SECRET, KEY.toString('base64'), KEY.toString('hex'), one.botToken, two.botToken]) {
        expect(out).not.toContain(secret);
      }
    });
  });
}

describe('one bot token (SLACK_BOT_TOKEN), as before', () => {
  it('an uninstall turns the workspace’s digests off with the reason too', async () => {
    const db = await sqliteBackend.open();
    const services = { digest: new StoreDigestService(db.store, () => bot.kb) };
    const bot = await testBot({ services });
    const h = await startHarness(bot, { adminUserIds: [ADMIN_1], logLevel: 'warn', app: { installations: db.store } });
    try {
      const fields = slashCommandFields(h.fake, { text: 'digest subscribe', user_id: ADMIN_1, channel_id: CHANNEL_1 });
      await sendSlashCommand(h.appUrl, SIGNING_SECRET, fields);
      expect(await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL_1 })).toMatchObject({ active: true, workspaceId: h.fake.teamId });
      // The token is still the configured one, and every call used it.
      expect(h.fake.calls.every((c) => c.token === BOT_TOKEN)).toBe(true);
      expect((await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, { type: 'app_uninstalled' }))).status).toBe(200);
      const off = await waitFor(async () => {
        const s = await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL_1 });
        return s && !s.active ? s : undefined;
      });
      expect(off.disabledReason).toMatch(/^the Slack app was uninstalled from the workspace on /);
    } finally {
      await h.close();
      await db.cleanup();
    }
  });
});
