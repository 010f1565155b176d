import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { checkMessage, eventCallback, rawTexts, slackTs, visibleText } from '../fakes/slack.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, slashOverSocket, slowedBot, startHarness, type Harness } from './harness.ts';

let bot: Bot;
let h: Harness;

beforeAll(async () => {
  bot = await testBot();
  h = await startHarness(bot, { mode: 'socket' });
});
afterAll(async () => {
  await h?.close();
});

describe('Socket Mode (app-level token, real Bolt)', () => {
  it('connects with the app-level token and needs no HTTP port', () => {
    const open = h.fake.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.token).toBe(APP_TOKEN);
    expect(h.fake.socketCount()).toBe(1);
    expect(h.slack.port()).toBeUndefined();
  });

  it('acknowledges a slash_commands envelope with the answer as its payload', async () => {
    const answer = await slashOverSocket(h, 'troops France 2023-09');
    expect(answer.via).toBe('ack');
    expect(h.fake.acks.at(-1)!.envelope_id).toMatch(/^[0-9a-f]{16}$/);
    expect(checkMessage(answer.message)).toBeUndefined();
    expect(answer.message.response_type).toBe('in_channel');
    const expected = await bot.handleText('troops France 2023-09', TEST_CALLER);
    const seen = visibleText(answer.message);
    expect(seen).toContain('1,500');
    for (const c of expected.citations.slice(0, 3)) expect(seen).toContain(c.publisher);
  });

  it('answers through the response_url when the core is slow', async () => {
    const slowBot = slowedBot(bot, 300);
    const slow = await startHarness(slowBot, { mode: 'socket', app: { inlineReplyMs: 50 } });
    try {
      const answer = await slashOverSocket(slow, 'who Colonna');
      expect(answer.via).toBe('response_url');
      expect(visibleText(answer.message)).toContain('Catherine Colonna');
    } finally {
      await slow.close();
    }
  });

  it('answers an app_mention events_api envelope with chat.postMessage', async () => {
    const event = { type: 'app_mention', user: 'U0ANN', text: `<@${h.fake.botUserId}> who ruled Niger in June 2023?`, ts: slackTs(), channel: 'C0SOCK' };
    const ack = await h.fake.sendEnvelope('events_api', eventCallback(h.fake, event));
    expect(ack.envelope_id).toBeTruthy();
    const call = await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0SOCK'), 5000, 'the answer');
    expect(call.token).toBe(BOT_TOKEN);
    expect(visibleText(call.args)).toContain('Mohamed Bazoum');
  });

  it('answers a mention in a thread under it, and the thread’s follow-up, over the WebSocket', async () => {
    const ts = slackTs();
    const event = { type: 'app_mention', user: 'U0ANN', text: `<@${h.fake.botUserId}> troops France 2023-09`, ts, channel: 'C0SOCKT' };
    await h.fake.sendEnvelope('events_api', eventCallback(h.fake, event));
    const posts = () => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0SOCKT');
    const first = await h.fake.waitFor(() => posts()[0], 5000, 'the answer');
    expect(first.args.thread_ts).toBe(ts);
    const follow = { type: 'message', channel_type: 'channel', channel: 'C0SOCKT', user: 'U0ANN', text: 'and in 2024?', ts: slackTs(), thread_ts: ts };
    await h.fake.sendEnvelope('events_api', eventCallback(h.fake, follow));
    const second = await h.fake.waitFor(() => posts()[1], 5000, 'the follow-up');
    expect(second.args.thread_ts).toBe(ts);
    expect(visibleText(second.args)).toMatch(/French troops in Niger — (in )?2024/);
  });

  it('publishes the App Home on app_home_opened over the WebSocket', async () => {
    const event = { type: 'app_home_opened', user: 'U0SOCKHOME', channel: 'D0SOCKHOME', tab: 'home', event_ts: slackTs() };
    await h.fake.sendEnvelope('events_api', eventCallback(h.fake, event));
    const home = await h.fake.waitFor(() => h.fake.homes.find((p) => p.user === 'U0SOCKHOME'), 8000, 'views.publish');
    expect(JSON.stringify(home.view.blocks)).toContain('Tiani');
  });

  it('escapes hostile text the same way as over HTTP', async () => {
    const { message } = await slashOverSocket(h, 'who &lt;!channel&gt; &lt;@U123&gt; &amp;');
    for (const raw of rawTexts(message)) expect(raw).not.toMatch(/<[!@#]/);
    expect(visibleText(message)).toContain('<!channel> <@U123> &');
  });

  it('reconnects when Slack asks it to, and keeps answering', async () => {
    h.fake.disconnectSockets();
    await h.fake.waitFor(() => h.fake.callsTo('apps.connections.open').length >= 2, 10_000, 'a second apps.connections.open');
    await h.fake.waitFor(() => h.fake.socketCount() === 1, 10_000, 'the new connection');
    expect(visibleText((await slashOverSocket(h, 'ruler')).message)).toContain('Tiani');
  });

  it('never logs the tokens', () => {
    const out = h.logLines().join('\n');
    expect(out).toContain('Slack adapter connected (Socket Mode)');
    for (const secret of [APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, APP_TOKEN.slice(5)]) expect(out).not.toContain(secret);
  });

  it('disconnects on stop', async () => {
    await h.slack.stop();
    await h.fake.waitFor(() => h.fake.socketCount() === 0, 5000, 'the socket to close');
  });
});
