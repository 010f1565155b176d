import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSlashCommand, slashCommandFields, startFakeSlack, visibleText, type FakeSlack } from '../fakes/slack.ts';
import { startBot, type BotProcess } from '../helpers/bot-process.ts';
import { metricValue } from '../ops/metric-value.ts';
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET } from './harness.ts';

let dir: string;
let fake: FakeSlack;
const bots: BotProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'niger-watch-slack-'));
  fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
});
afterAll(async () => {
  for (const b of bots) b.kill();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `npm start` as a real process, with only the given environment and a SQLite file of this run. */
function start(env: Record<string, string>): BotProcess {
  const bot = startBot({ DATABASE_URL: `file:${join(dir, 'bot.sqlite')}`, ...env });
  bots.push(bot);
  return bot;
}

// Each case starts its own process (a few seconds of start-up each).
describe('npm start with Slack settings', { timeout: 40_000 }, () => {
  it('without SLACK_SIGNING_SECRET or SLACK_APP_TOKEN stops with one message naming both', async () => {
    const p = start({ SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(await p.exited).not.toBe(0);
    expect(p.output()).toMatch(/SLACK_SIGNING_SECRET.*SLACK_APP_TOKEN/);
    expect(p.output().trim().split('\n')).toHaveLength(1);
  });

  it('reads its settings from ENV_FILE (what .env is for): a Slack token there turns Slack on', async () => {
    const file = join(dir, 'settings.env');
    writeFileSync(file, '# only the bot token\nSLACK_BOT_TOKEN=xoxb-1\n');
    const p = start({ ENV_FILE: file });
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/SLACK_SIGNING_SECRET.*SLACK_APP_TOKEN/);
  });

  it('with a token Slack refuses stops with a message naming SLACK_BOT_TOKEN, not its value', async () => {
    const wrong = 'xoxb-9999-8888-NotTheRightToken';
    const p = start({ SLACK_BOT_TOKEN: wrong, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0' });
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/Cannot start Slack: auth\.test answered "invalid_auth"\. Check SLACK_BOT_TOKEN/);
    expect(p.output()).not.toContain(wrong);
  });

  it('with an app-level token Slack refuses stops with a message naming SLACK_APP_TOKEN, not its value', async () => {
    const wrong = 'xapp-1-A0FAKEAPP-999-NotTheRightAppToken';
    const p = start({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: wrong, SLACK_API_URL: fake.apiUrl });
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/Cannot start Slack in Socket Mode: invalid_auth\. Check SLACK_APP_TOKEN/);
    expect(p.output()).not.toContain(wrong);
  });

  it('with a PORT in use stops with a message naming PORT', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const p = start({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: String(port) });
      expect(await p.exited).toBe(2);
      expect(p.output()).toMatch(new RegExp(`Cannot start Slack HTTP receiver on port ${port}: EADDRINUSE\\. Check PORT\\.`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('in HTTP mode listens on PORT, answers a signed slash command, and stops cleanly on SIGTERM', async () => {
    const p = start({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0', LOG_LEVEL: 'debug' });
    try {
      const m = await p.waitForOutput(/"port":(\d+),"path":"\/slack\/events","msg":"Slack adapter listening \(HTTP\)"/);
      const fields = slashCommandFields(fake, { text: 'ruler June 2023' });
      const res = await sendSlashCommand(`http://127.0.0.1:${m[1]}/slack/events`, SIGNING_SECRET, fields);
      expect(res.status).toBe(200);
      expect(visibleText(JSON.parse(res.body) as Record<string, unknown>)).toContain('Mohamed Bazoum');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.output()).toContain('Slack adapter stopped');
      for (const secret of [BOT_TOKEN, SIGNING_SECRET]) expect(p.output()).not.toContain(secret);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  it('in HTTP mode serves /healthz, /readyz and /metrics on PORT; an answered and a declined command move their counters by one', async () => {
    const p = start({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0' });
    try {
      const port = (await p.waitForOutput(/"port":(\d+),"path":"\/slack\/events","msg":"Slack adapter listening \(HTTP\)"/))[1];
      await p.waitForOutput(/"msg":"running; SIGTERM or SIGINT stops it"/);
      const base = `http://127.0.0.1:${port}`;
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { accepting: 'ok', knowledge: 'ok', database: 'ok', slack: 'ok' },
        failed: [],
      });
      const requests = (text: string, command: string, outcome: string) =>
        metricValue(text, 'niger_watch_requests_total', { platform: 'slack', command, outcome });
      const scrape = async () => {
        const res = await fetch(`${base}/metrics`);
        expect(res.status).toBe(200);
        return res.text();
      };
      const before = await scrape();
      expect(before).toContain('nodejs_eventloop_lag_seconds');
      for (const text of ['ruler June 2023', 'ask how many Russian soldiers are in Niger?']) {
        const res = await sendSlashCommand(`${base}/slack/events`, SIGNING_SECRET, slashCommandFields(fake, { text }));
        expect(res.status).toBe(200);
      }
      const after = await scrape();
      expect(requests(after, 'ruler', 'answered') - requests(before, 'ruler', 'answered')).toBe(1);
      expect(requests(after, 'ask', 'declined') - requests(before, 'ask', 'declined')).toBe(1);
      expect(requests(after, 'ask', 'answered') - requests(before, 'ask', 'answered')).toBe(0);
      for (const secret of [BOT_TOKEN, SIGNING_SECRET, fake.teamId]) expect(after).not.toContain(secret);
      // Slack's own endpoint is still guarded: a GET there is no health route and no Slack request.
      expect((await fetch(`${base}/slack/events`)).status).toBe(404);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  it('in Socket Mode with METRICS_PORT serves health and metrics there; /readyz includes the Socket Mode connection', async () => {
    const p = start({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl, METRICS_PORT: '0' });
    try {
      const port = (await p.waitForOutput(/"port":(\d+),"paths":\["\/healthz","\/readyz","\/metrics"\],"msg":"health and metrics listening"/))[1];
      await p.waitForOutput(/"msg":"running; SIGTERM or SIGINT stops it"/);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { slack: 'ok', database: 'ok' } });
      expect(ready.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  it('in Socket Mode connects with SLACK_APP_TOKEN and opens no port', async () => {
    const p = start({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'debug' });
    try {
      await p.waitForOutput(/Slack adapter connected \(Socket Mode\)/);
      // With its database, the bot posts an answer that names entries as its own message (its ts is recorded for
      // corrections): the ack is empty and the answer is in the channel.
      const ack = await fake.sendEnvelope('slash_commands', slashCommandFields(fake, { text: 'who Colonna' }), 10_000);
      expect(Object.keys((ack.payload as Record<string, unknown> | undefined) ?? {})).toEqual([]);
      const answer = await fake.waitFor(() => fake.messagesIn('C0CHANNEL1')[0], 10_000, 'the answer in the channel');
      expect(visibleText(answer as { blocks?: unknown })).toContain('Catherine Colonna');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      for (const secret of [BOT_TOKEN, APP_TOKEN]) expect(p.output()).not.toContain(secret);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  it('installed in several workspaces (OAuth): installs through /slack/install, stores the token encrypted, answers with it', async () => {
    const oauth = { clientId: '1111111111.2222222222', clientSecret: '9a8b7c6d5e4f30211203f4e5d6c7b8a9' };
    const stateSecret = 'state-secret-for-tests-0123456789abcdef';
    const key = randomBytes(32).toString('base64');
    const own = await startFakeSlack({ oauth, strictTokens: true });
    const ws = own.addWorkspace({ teamId: 'T0PROCESS01' });
    const file = join(dir, 'oauth.sqlite');
    const p = start({
      SLACK_CLIENT_ID: oauth.clientId,
      SLACK_CLIENT_SECRET: oauth.clientSecret,
      SLACK_STATE_SECRET: stateSecret,
      TOKEN_ENCRYPTION_KEY: key,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: own.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'debug',
      DATABASE_URL: `file:${file}`,
    });
    try {
      const port = (await p.waitForOutput(/"port":(\d+),"path":"\/slack\/events","install":\["\/slack\/install","\/slack\/oauth_redirect"\]/))[1];
      const base = `http://127.0.0.1:${port}`;
      const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const code = own.authorizationCode(ws.teamId);
      const done = await fetch(`${base}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`, {
        headers: { cookie: `slack-app-oauth-state=${state}` },
      });
      expect(done.status).toBe(200);
      const res = await sendSlashCommand(
        `${base}/slack/events`,
        SIGNING_SECRET,
        slashCommandFields({ ...own, teamId: ws.teamId }, { text: 'ruler June 2023' }),
      );
      expect(visibleText(JSON.parse(res.body) as Record<string, unknown>)).toContain('Mohamed Bazoum');
      expect(own.callsTo('users.info').map((c) => c.token)).toEqual([ws.botToken]);
      // In the database file: the workspace, not its token.
      const sqlite = new Database(file, { readonly: true });
      const rows = sqlite.prepare('SELECT * FROM slack_installations').all();
      sqlite.close();
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).toContain(ws.teamId);
      expect(JSON.stringify(rows)).not.toContain(ws.botToken);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      for (const secret of [ws.botToken, oauth.clientSecret, stateSecret, key, SIGNING_SECRET]) expect(p.output()).not.toContain(secret);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await own.close();
    }
  });
});
