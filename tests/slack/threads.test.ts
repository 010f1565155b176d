import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { eventCallback, sendEvent, slackTs, visibleText, type ApiCall } from '../fakes/slack.ts';
import { testBot } from '../helpers/bot.ts';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.ts';

let bot: Bot;
let h: Harness;

beforeAll(async () => {
  bot = await testBot();
  h = await startHarness(bot);
});
afterAll(async () => {
  await h?.close();
});

const posts = (channel: string): ApiCall[] =>
  h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.status === 200 && (c.response as { ok?: boolean }).ok);

async function mention(channel: string, text: string, extra: Record<string, unknown> = {}) {
  const ts = slackTs();
  const before = posts(channel).length;
  const event = { type: 'app_mention', user: 'U0ANN', text: `<@${h.fake.botUserId}> ${text}`, ts, channel, team: h.fake.teamId, ...extra };
  expect((await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, event))).status).toBe(200);
  return { ts, call: await h.fake.waitFor(() => posts(channel)[before], 5000, `the answer to "${text}"`) };
}

/** A message in a channel thread, without a mention (message.channels). */
async function inThread(channel: string, threadTs: string, text: string) {
  const event = { type: 'message', channel_type: 'channel', channel, user: 'U0ANN', text, ts: slackTs(), thread_ts: threadTs, team: h.fake.teamId };
  expect((await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, event))).status).toBe(200);
}

describe('Slack threads: answers under the question, follow-ups in context', () => {
  it('answers a mention in a thread under it, and a follow-up mention there for the new year', async () => {
    const { ts, call } = await mention('C0THREAD', 'how many French soldiers were in Niger in September 2023?');
    expect(call.args.thread_ts).toBe(ts);
    expect(visibleText(call.args)).toContain('1,500');

    const follow = await mention('C0THREAD', 'and in 2024?', { thread_ts: ts });
    expect(follow.call.args.thread_ts).toBe(ts);
    const seen = visibleText(follow.call.args);
    // France in 2024, not the timeline of 2024 that "and in 2024?" alone gives.
    const expected = await bot.handleText('troops country:France date:2024', {
      platform: 'test',
      userId: 'x',
      channelId: 'y',
      canManageChannel: async () => false,
    });
    expect(expected.kind).toBe('answer');
    expect(seen).toContain(expected.title);
    expect(seen).not.toContain('Timeline');
    expect(seen).toContain('Read as a follow-up in this conversation: troops country:France date:2024');
  });

  it('reads "what about Germany?" in the thread, unmentioned, as the same question for Germany', async () => {
    const { ts } = await mention('C0THREAD2', 'troops France 2023-09');
    const before = posts('C0THREAD2').length;
    await inThread('C0THREAD2', ts, 'what about Germany?');
    const call = await h.fake.waitFor(() => posts('C0THREAD2')[before], 5000, 'the follow-up answer');
    expect(call.args.thread_ts).toBe(ts);
    const expected = await bot.handleText('troops Germany 2023-09', { platform: 'test', userId: 'x', channelId: 'y', canManageChannel: async () => false });
    expect(visibleText(call.args)).toContain(expected.title);
    expect(expected.title).toMatch(/German/);
  });

  it('answers nothing for chat in a thread that is no follow-up, nor in a thread it never answered in', async () => {
    const { ts } = await mention('C0THREAD3', 'troops France 2023-09');
    const before = posts('C0THREAD3').length;
    await inThread('C0THREAD3', ts, 'thanks, that is what I needed for the piece');
    await inThread('C0THREAD3', slackTs(), 'and in 2024?');
    // A later follow-up in the answered thread is answered: by then the two above were handled.
    await inThread('C0THREAD3', ts, 'and in 2024?');
    await h.fake.waitFor(() => posts('C0THREAD3')[before], 5000, 'the later follow-up');
    expect(posts('C0THREAD3')).toHaveLength(before + 1);
    expect(posts('C0THREAD3')[before]!.args.thread_ts).toBe(ts);
  });

  it('answers a direct message in a thread under it, and its follow-up there', async () => {
    const ts = slackTs();
    const dm = { type: 'message', channel_type: 'im', channel: 'D0THREAD', user: 'U0ANN', text: 'who ruled Niger in June 2023?', ts };
    await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, dm));
    const first = await h.fake.waitFor(() => posts('D0THREAD')[0], 5000, 'the DM answer');
    expect(first.args.thread_ts).toBe(ts);
    expect(visibleText(first.args)).toContain('Mohamed Bazoum');
    const follow = { ...dm, text: 'and in 2024?', ts: slackTs(), thread_ts: ts };
    await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, follow));
    const second = await h.fake.waitFor(() => posts('D0THREAD')[1], 5000, 'the DM follow-up');
    expect(second.args.thread_ts).toBe(ts);
    expect(visibleText(second.args)).toContain('Tiani');
  });
});
