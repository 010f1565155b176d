import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import type { CarriedPost } from '../../src/core/delivery.ts';
import {
  blockActions,
  buttonsOf,
  checkMessage,
  elementAction,
  eventCallback,
  sendEvent,
  sendInteraction,
  slackMentions,
  slackTs,
  visibleText,
  type FakeMessage,
} from '../fakes/slack.ts';
import { chartService } from '../../src/charts/service.ts';
import { StoreFeedbackService } from '../../src/storage/feedback-service.ts';
import { renderMessage } from '../../src/adapters/slack/render.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { botWithPrivateAnswers } from '../helpers/test-commands.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { SIGNING_SECRET, slashOverHttp, startHarness, type Harness } from './harness.ts';

// Buttons under answers on Slack (issue 14), through the real Bolt against the fake Slack: the answer carries an
// actions block (As of… date picker, History, Sources, the main source as a link) and Helpful / Not helpful as
// feedback_buttons; choosing a day re-renders the answer for it in place (chat.update for a channel message, the
// response_url with replace_original for a slash command's answer). Nothing of ours is mocked.

let bot: Bot;
let h: Harness;
let db: TestDb;

beforeAll(async () => {
  db = await sqliteBackend.open();
  bot = await testBot({ services: { feedback: new StoreFeedbackService(db.store), charts: chartService() } });
  h = await startHarness(bot);
});
afterAll(async () => {
  await h?.close();
  await db?.cleanup();
});

type AnyBlock = { type: string; elements?: any[]; fields?: { type: string; text: string }[]; text?: { text: string } };
const blocksOf = (m: { blocks?: unknown }) => (m.blocks ?? []) as AnyBlock[];
const pickerOf = (m: { blocks?: unknown }) =>
  blocksOf(m)
    .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
    .find((e) => e.type === 'datepicker');
const feedbackOf = (m: { blocks?: unknown }) => blocksOf(m).find((b) => b.type === 'context_actions')?.elements?.[0];

async function mention(channel: string, text: string): Promise<FakeMessage> {
  const before = h.fake.messagesIn(channel).length;
  const event = { type: 'app_mention', user: 'U0ANN', text: `<@${h.fake.botUserId}> ${text}`, ts: slackTs(), channel, team: h.fake.teamId };
  const res = await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, event));
  expect(res.status).toBe(200);
  return structuredClone(await h.fake.waitFor(() => h.fake.messagesIn(channel)[before], 5000, 'the answer'));
}

describe('Slack: answers people can act on', () => {
  it('an answer has bold labels, a local date, an As of… picker at its date, History, Sources, a link to its source and feedback', async () => {
    const answer = await slashOverHttp(h, 'troops France');
    const message = answer.message;
    expect(checkMessage(message)).toBeUndefined();
    // Field labels in bold; the date as Slack's date token with the long date as its fallback.
    const fields = blocksOf(message).find((b) => b.fields)?.fields ?? [];
    expect(fields[0]).toMatchObject({ type: 'mrkdwn', verbatim: true });
    expect(fields[0]!.text).toMatch(/^\*Troops\*: /);
    const context = blocksOf(message).find((b) => b.type === 'context')?.elements?.[0]?.text as string;
    expect(context).toContain(`<!date^${Date.UTC(2023, 11, 22, 12) / 1000}^{date_long}|22 December 2023>`);
    expect(pickerOf(message)).toMatchObject({ type: 'datepicker', initial_date: '2023-12-22', placeholder: { text: 'As of…' } });
    expect(pickerOf(message).action_id.length).toBeLessThanOrEqual(255);
    const buttons = buttonsOf(message).filter((b) => b.text);
    expect(buttons.map((b) => b.text.text)).toEqual(['History', 'Sources', 'Main source']);
    expect((buttons[2] as { url?: string }).url).toMatch(/^https?:\/\//);
    expect(feedbackOf(message)).toMatchObject({
      type: 'feedback_buttons',
      positive_button: { text: { text: 'Helpful' } },
      negative_button: { text: { text: 'Not helpful' } },
    });
    expect(slackMentions(message)).toEqual([]);
  });

  it('As of… 5 Sept 2023 under the slash answer "no French troops now" replaces it through the response_url: about 1,500', async () => {
    const answer = await slashOverHttp(h, 'troops France');
    expect(visibleText(answer.message)).toContain('There are no French troops in Niger');
    const picker = pickerOf(answer.message);
    // The slash answer is not a message chat.update can reach; the response_url replaces it.
    const payload = elementAction(
      h.fake,
      { channel: 'C0SLASH', message: { ...answer.message, ts: slackTs() }, userId: 'U0ANN' },
      {
        type: 'datepicker',
        action_id: picker.action_id,
        selected_date: '2023-09-05',
      },
    );
    const res = await sendInteraction(h.appUrl, SIGNING_SECRET, payload);
    expect(res.status).toBe(200);
    const replaced = await h.fake.waitForResponse(new URL(payload.response_url as string).pathname.replace('/respond/', ''));
    expect(replaced.error).toBeUndefined();
    expect(replaced.body.replace_original).toBe(true);
    // Replaced in place, seen by whoever saw the original.
    expect(replaced.body.response_type).toBeUndefined();
    const shown = visibleText(replaced.body);
    expect(shown).toContain('About 1,500 French troops were in Niger on 5 September 2023');
    // The new answer's picker starts at the day picked, so the next pick starts there.
    expect(pickerOf(replaced.body).initial_date).toBe('2023-09-05');
  });

  it('in a channel, the picker updates the message itself (chat.update)', async () => {
    const posted = await mention('C0NEWSROOM', 'troops France');
    expect(visibleText(posted)).toContain('There are no French troops in Niger');
    const payload = elementAction(
      h.fake,
      { channel: 'C0NEWSROOM', message: posted, userId: 'U0ANN' },
      {
        type: 'datepicker',
        action_id: pickerOf(posted).action_id,
        selected_date: '2023-09-05',
      },
    );
    expect((await sendInteraction(h.appUrl, SIGNING_SECRET, payload)).status).toBe(200);
    const updated = await h.fake.waitFor(() => h.fake.messagesIn('C0NEWSROOM').find((m) => m.ts === posted.ts && m.edited), 5000, 'the update');
    expect(visibleText(updated)).toContain('About 1,500 French troops were in Niger on 5 September 2023');
    expect(h.fake.messagesIn('C0NEWSROOM')).toHaveLength(1);
  });

  it('Sources answers the presser alone with every source; a link button is only acknowledged', async () => {
    const posted = await mention('C0SOURCES', 'troops France 2023-09-05');
    const sources = buttonsOf(posted).find((b) => b.text?.text === 'Sources')!;
    const payload = blockActions(h.fake, { channel: 'C0SOURCES', message: posted, userId: 'U0BEN' }, sources);
    expect((await sendInteraction(h.appUrl, SIGNING_SECRET, payload)).status).toBe(200);
    const told = await h.fake.waitForResponse(new URL(payload.response_url as string).pathname.replace('/respond/', ''));
    expect(told.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(visibleText(told.body)).toContain('All');
    expect(visibleText(told.body)).toContain('AFP');

    // History replaces the answer in place, and its chart follows into the channel as a file.
    const history = buttonsOf(posted).find((b) => b.text?.text === 'History')!;
    const before = h.fake.uploads.length;
    expect(
      (await sendInteraction(h.appUrl, SIGNING_SECRET, blockActions(h.fake, { channel: 'C0SOURCES', message: posted, userId: 'U0BEN' }, history))).status,
    ).toBe(200);
    const updated = await h.fake.waitFor(() => h.fake.messagesIn('C0SOURCES').find((m) => m.ts === posted.ts && m.edited), 5000, 'the update');
    expect(visibleText(updated)).toContain('every report');
    await h.fake.waitFor(() => h.fake.uploads[before], 5000, 'the chart upload');

    const link = buttonsOf(posted).find((b) => b.text?.text === 'Main source')!;
    const press = blockActions(h.fake, { channel: 'C0SOURCES', message: posted, userId: 'U0BEN' }, link);
    expect((await sendInteraction(h.appUrl, SIGNING_SECRET, press)).status).toBe(200);
  });

  it('a forged picker action or a picked value that is not a day changes nothing and says so', async () => {
    const posted = await mention('C0FORGED', 'troops France');
    const payload = elementAction(
      h.fake,
      { channel: 'C0FORGED', message: posted, userId: 'U0ANN' },
      {
        type: 'datepicker',
        action_id: pickerOf(posted).action_id,
        selected_date: 'not a day',
      },
    );
    await sendInteraction(h.appUrl, SIGNING_SECRET, payload);
    const told = await h.fake.waitForResponse(new URL(payload.response_url as string).pathname.replace('/respond/', ''));
    expect(visibleText(told.body)).toContain('Pick a day');
    expect(h.fake.messagesIn('C0FORGED')[0]!.edited).toBeUndefined();
  });

  it('Not helpful (feedback_buttons) is stored once and acknowledged to the presser alone; a second press changes nothing', async () => {
    const posted = await mention('C0FEEDBACK', 'troops France 2023-09-05');
    const feedback = feedbackOf(posted);
    const press = async () => {
      const payload = elementAction(
        h.fake,
        { channel: 'C0FEEDBACK', message: posted, userId: 'U0CAROL' },
        {
          type: 'feedback_buttons',
          action_id: feedback.action_id,
          value: feedback.negative_button.value,
        },
      );
      expect((await sendInteraction(h.appUrl, SIGNING_SECRET, payload)).status).toBe(200);
      return h.fake.waitForResponse(new URL(payload.response_url as string).pathname.replace('/respond/', ''));
    };
    const first = await press();
    expect(first.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(visibleText(first.body)).toContain('Thanks — noted.');
    const again = await press();
    expect(visibleText(again.body)).toContain('already noted');
    const rows = await db.raw('SELECT platform, user_id, question, helpful, answer FROM answer_feedback');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ platform: 'slack', user_id: 'U0CAROL', question: 'troops country:France date:2023-09-05', helpful: 0 });
    expect(String(rows[0]!.answer)).toContain('About 1,500');
    // The answer itself is untouched.
    expect(h.fake.messagesIn('C0FEEDBACK')[0]!.edited).toBeUndefined();
  });
});

describe('Slack: Share in channel', () => {
  let s: Harness;
  beforeAll(async () => {
    s = await startHarness(await botWithPrivateAnswers());
  });
  afterAll(async () => {
    await s?.close();
  });

  it('an answer only its asker sees offers Share in channel, which posts it in the channel through the response_url', async () => {
    const answer = await slashOverHttp(s, 'private ms:10');
    expect(answer.message.response_type).toBe('ephemeral');
    const share = buttonsOf(answer.message).find((b) => b.text?.text === 'Share in channel');
    expect(share).toBeDefined();
    const payload = blockActions(
      s.fake,
      { channel: 'C0SHARE', message: { ...(answer.message as object), ts: slackTs() } as FakeMessage, userId: 'U0ANN' },
      share!,
    );
    expect((await sendInteraction(s.appUrl, SIGNING_SECRET, payload)).status).toBe(200);
    const posted = await s.fake.waitForResponse(new URL(payload.response_url as string).pathname.replace('/respond/', ''));
    expect(posted.error).toBeUndefined();
    expect(posted.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(visibleText(posted.body)).toContain('Done after 10 ms');
    expect(buttonsOf(posted.body).map((b) => b.text?.text)).not.toContain('Share in channel');
  });
});

describe('Slack: a shared answer that states entries', () => {
  const recorded: CarriedPost[] = [];
  let s: Harness;
  beforeAll(async () => {
    s = await startHarness(await botWithPrivateAnswers({ posts: { recordPost: async (p) => void recorded.push(p) } }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('is posted as the bot and recorded, so a correction can be threaded under it', async () => {
    const answer = await slashOverHttp(s, 'private ms:10 entry:deployments/france-2023-12-22');
    const share = buttonsOf(answer.message).find((b) => b.text?.text === 'Share in channel');
    const payload = blockActions(
      s.fake,
      { channel: 'C0SHARED2', message: { ...(answer.message as object), ts: slackTs() } as FakeMessage, userId: 'U0ANN' },
      share!,
    );
    expect((await sendInteraction(s.appUrl, SIGNING_SECRET, payload)).status).toBe(200);
    const posted = await s.fake.waitFor(() => s.fake.messagesIn('C0SHARED2')[0], 5000, 'the shared answer');
    expect(visibleText(posted as { blocks?: unknown })).toContain('Done after 10 ms');
    await vi.waitFor(() => expect(recorded).toHaveLength(1));
    expect(recorded).toEqual([
      expect.objectContaining({ platform: 'slack', channelId: 'C0SHARED2', messageId: posted.ts, entryKeys: ['deployments/france-2023-12-22'] }),
    ]);
    // Once: not through the response_url as well.
    await expect(s.fake.waitForResponse(new URL(payload.response_url as string).pathname.replace('/respond/', ''), 300)).rejects.toThrow();
  });
});

describe('Slack: an answer with its actions stays one message Slack accepts', () => {
  it('a long answer is laid out in what the actions leave of the limits', async () => {
    const long = await bot.handleText('timeline order:oldest limit:20', TEST_CALLER);
    expect(long.actions?.length).toBeGreaterThan(0);
    const items = Array.from({ length: 400 }, (_, i) => `${long.items[i % long.items.length]} ${'x'.repeat(i % 50)}`);
    const message = renderMessage({ ...long, items });
    expect(checkMessage(message as unknown as Record<string, unknown>)).toBeUndefined();
    expect(message.blocks.at(-1)?.type).toBe('context_actions');
    expect(message.blocks.at(-2)?.type).toBe('actions');
    expect(visibleText(message)).toMatch(/more not shown/);
  });
});
