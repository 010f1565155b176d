// The bot as `npm start` runs it (dist/src/main.js) with Slack and Discord both set, against the fakes: Bolt loaded
// beside discord.js (undici 7 as the global dispatcher) and vega-lite loaded by the first chart. A chart is uploaded
// to each platform, and Discord still answers with JSON after the charts were drawn (a Set in discord.js's
// payloads would have turned into a "Set(…)" string under vega-lite's global Set.prototype.toJSON).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, visibleText, type FakeDiscord } from '../fakes/discord.ts';
import { eventCallback, sendEvent, slackTs, startFakeSlack, type FakeSlack } from '../fakes/slack.ts';
import { APPLICATION_ID, TEST_TOKEN } from '../discord/harness.ts';
import { slackHttpEnv, startBot, type BotProcess } from '../helpers/bot-process.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../slack/harness.ts';

let discord: FakeDiscord;
let slack: FakeSlack;
let dir: string;
let bot: BotProcess | undefined;

beforeAll(async () => {
  discord = await startFakeDiscord({ token: TEST_TOKEN, applicationId: APPLICATION_ID });
  slack = await startFakeSlack({ botToken: BOT_TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'niger-watch-charts-main-'));
});

afterAll(async () => {
  bot?.kill();
  await discord?.close();
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm start with Slack and Discord: charts', () => {
  it('uploads the troop chart on Discord and the bases map on Slack, and keeps answering', async () => {
    bot = startBot(
      slackHttpEnv(slack.apiUrl, `file:${join(dir, 'bot.sqlite')}`, {
        DISCORD_TOKEN: TEST_TOKEN,
        DISCORD_APPLICATION_ID: APPLICATION_ID,
        DISCORD_API_URL: discord.apiUrl,
      }),
    );
    const port = (await bot.waitForOutput(/"port":(\d+),"path":"\/slack\/events"/, 60_000))[1];
    await bot.waitForOutput(/running; SIGTERM or SIGINT stops it/, 60_000);

    const charted = await discord.dispatchInteraction({ path: 'troops', options: { country: 'France', show: 'history' } }).result(15_000);
    const upload = [charted.callback, ...charted.requests].flatMap((r) => r.files ?? [])[0];
    expect(upload?.filename, bot.output()).toBe('troops-france-history.png');
    expect(PNG.sync.read(upload!.data).width).toBeGreaterThan(600);
    expect(visibleText(charted.message)).toContain('about 1,500');

    const event = { type: 'app_mention', user: 'U0ANN', text: `<@${slack.botUserId}> places`, ts: slackTs(), channel: 'C0MAP', team: slack.teamId };
    expect((await sendEvent(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, eventCallback(slack, event))).status).toBe(200);
    const shared = await slack.waitFor(() => slack.messagesIn('C0MAP').find((m) => m.files?.length), 15_000, 'the map on Slack');
    const bytes = slack.uploads.find((u) => u.fileId === shared.files![0]!.id)!.bytes!;
    expect(PNG.sync.read(bytes).height).toBeGreaterThan(400);

    // After both charts: a plain answer is still one JSON body, and nothing was logged as failed.
    const plain = await discord.dispatchInteraction({ path: 'ruler', options: { date: 'June 2023' } }).result(8000);
    expect(plain.callback.headers['content-type']).toBe('application/json');
    expect(visibleText(plain.message)).toContain('Mohamed Bazoum');
    expect(bot.output()).not.toMatch(/could not upload the chart|chart not drawn|action is not a function/);
  }, 90_000);
});
