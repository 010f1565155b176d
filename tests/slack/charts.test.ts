// Charts on Slack, real Bolt against the fake: an answer's chart follows it into the channel through Slack's upload
// flow (files.getUploadURLExternal → the bytes to the upload URL → files.completeUploadExternal), with its alt text
// as `alt_txt`, in the thread the question was asked in; the bytes that reach the fake decode as the PNG. Without
// the files:write scope the answer still goes out and the missing scope is logged.
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chartService } from '../../src/charts/service.ts';
import type { Bot } from '../../src/core/bot.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { eventCallback, INSTALL_SCOPES, sendEvent, slackTs, type FakeMessage } from '../fakes/slack.ts';
import { SIGNING_SECRET, slashOverHttp, slowedBot, startHarness, type Harness } from './harness.ts';

let bot: Bot;
let h: Harness;
let noScope: Harness;

beforeAll(async () => {
  bot = await testBot({ services: { charts: chartService() } });
  // Drawn once first, so the slash command's answer is ready within the ack (the chart libraries load once).
  await bot.handleText('troops France history', TEST_CALLER);
  h = await startHarness(bot);
  noScope = await startHarness(bot, { fake: { scopes: INSTALL_SCOPES.filter((s) => s !== 'files:write') }, logLevel: 'warn' });
});

afterAll(async () => {
  await h?.close();
  await noScope?.close();
});

async function mention(target: Harness, text: string, channel: string, extra: Record<string, unknown> = {}) {
  const event = { type: 'app_mention', user: 'U0ANN', text: `<@${target.fake.botUserId}> ${text}`, ts: slackTs(), channel, team: target.fake.teamId, ...extra };
  const res = await sendEvent(target.appUrl, SIGNING_SECRET, eventCallback(target.fake, event));
  expect(res.status).toBe(200);
}

const withFiles = (messages: FakeMessage[]) => messages.filter((m) => m.files?.length);

describe('Slack answers with a chart', () => {
  it('a mention’s answer is followed by its chart, uploaded with alt_txt and shared in the same thread with the caption', async () => {
    const chart = (await bot.handleText('troops France history', TEST_CALLER)).attachments![0]!;
    const thread = slackTs();
    await mention(h, 'troops France history', 'C0CHART', { thread_ts: thread });
    const shared = await h.fake.waitFor(() => withFiles(h.fake.messagesIn('C0CHART'))[0], 8000, 'the chart in the channel');
    const messages = h.fake.messagesIn('C0CHART');
    // The answer first, then the file, both in the thread.
    expect(messages).toHaveLength(2);
    expect(messages[0]!.files).toBeUndefined();
    expect(h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0CHART')?.args.thread_ts).toBe(thread);
    expect(shared.thread_ts).toBe(thread);
    expect(shared.files).toEqual([
      expect.objectContaining({
        name: 'troops-france-history.png',
        mimetype: 'image/png',
        alt_txt: chart.alt,
        title: expect.stringMatching(/^French troops in Niger, /),
      }),
    ]);
    expect(String(shared.text)).toContain('Sources:');

    const asked = h.fake.callsTo('files.getUploadURLExternal').at(-1)!;
    expect(asked.args).toMatchObject({ filename: 'troops-france-history.png', length: String(chart.bytes.byteLength), alt_txt: chart.alt });
    const upload = h.fake.uploads.find((u) => u.fileId === shared.files![0]!.id)!;
    expect(upload.bytes!.equals(Buffer.from(chart.bytes))).toBe(true);
    const image = PNG.sync.read(upload.bytes!);
    expect(image.width).toBeGreaterThan(600);
    expect(image.height).toBeGreaterThan(300);
    // The bytes go to the signed upload URL alone, never with the bot token.
    const post = h.fake.requests.find((r) => r.path === `/upload/${upload.fileId}`)!;
    expect(post.headers.authorization).toBeUndefined();
    const completed = h.fake.callsTo('files.completeUploadExternal').at(-1)!;
    expect(completed.args).toMatchObject({ channel_id: 'C0CHART', thread_ts: thread });
    expect(JSON.parse(String(completed.args.files))).toEqual([{ id: upload.fileId, title: shared.files![0]!.title }]);
  });

  it('a slash command’s answer rides on the ack (no files there); a public one’s chart then goes to the channel', async () => {
    const answer = await slashOverHttp(h, 'places', { channel_id: 'C0SLASH' });
    expect(answer.message.response_type).toBe('in_channel');
    expect(answer.message.files).toBeUndefined();
    const shared = await h.fake.waitFor(() => withFiles(h.fake.messagesIn('C0SLASH'))[0], 8000, 'the map in the channel');
    expect(shared.files![0]!.name).toBe('foreign-bases-niger.png');
    expect(shared.thread_ts).toBeUndefined();
    expect(PNG.sync.read(h.fake.uploads.find((u) => u.fileId === shared.files![0]!.id)!.bytes!).width).toBeGreaterThan(600);
  });

  it('an answer too slow for the ack goes to the response_url, and its chart to the channel after it', async () => {
    const slow = await startHarness(slowedBot(bot, 200), { app: { inlineReplyMs: 50 } });
    try {
      const answer = await slashOverHttp(slow, 'troops France history', { channel_id: 'C0LATE' });
      expect(answer.via).toBe('response_url');
      const shared = await slow.fake.waitFor(() => withFiles(slow.fake.messagesIn('C0LATE'))[0], 8000, 'the chart after the late answer');
      const responded = slow.fake.responses.find((r) => r.id === answer.responseUrlId)!;
      const completed = slow.fake.callsTo('files.completeUploadExternal').at(-1)!;
      expect(completed.at).toBeGreaterThanOrEqual(responded.at);
      expect(shared.files![0]!.name).toBe('troops-france-history.png');
    } finally {
      await slow.close();
    }
  });

  it('an answer without a chart uploads nothing', async () => {
    const before = h.fake.callsTo('files.getUploadURLExternal').length;
    await mention(h, 'troops France 2023-09', 'C0PLAIN');
    await h.fake.waitFor(() => h.fake.messagesIn('C0PLAIN')[0], 5000, 'the answer');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.callsTo('files.getUploadURLExternal').length).toBe(before);
  });

  it('without the files:write scope the answer still goes out, and the missing scope is logged', async () => {
    await mention(noScope, 'troops France history', 'C0NOSCOPE');
    // A log line is not something the fake records: polled.
    const line = await vi.waitFor(() => noScope.logLines().find((l) => l.includes('files:write')) ?? Promise.reject(new Error('no warning yet')), {
      timeout: 8000,
    });
    const messages = noScope.fake.messagesIn('C0NOSCOPE');
    expect(messages).toHaveLength(1);
    expect(JSON.stringify(messages[0]!.blocks)).toContain('1,500');
    expect(noScope.fake.callsTo('files.getUploadURLExternal').at(-1)?.response).toMatchObject({ ok: false, error: 'missing_scope' });
    expect(noScope.fake.callsTo('files.completeUploadExternal')).toHaveLength(0);
    const warning = JSON.parse(line);
    expect(warning.level).toBe(40);
    expect(warning.msg).toMatch(/lacks the files:write scope/);
  });
});
