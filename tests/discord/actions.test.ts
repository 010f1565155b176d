import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import type { CarriedPost } from '../../src/core/delivery.ts';
import { chartService } from '../../src/charts/service.ts';
import { StoreFeedbackService } from '../../src/storage/feedback-service.ts';
import { messageViolations, snowflake, visibleText } from '../fakes/discord.ts';
import { testBot } from '../helpers/bot.ts';
import { botWithPrivateAnswers } from '../helpers/test-commands.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { interactionFor, startHarness, type Harness } from './harness.ts';

// Buttons under answers on Discord (issue 14), through real discord.js against the fake gateway and REST: an answer
// carries its actions as components — a string select (type 3) of the months with figures for As of…, buttons for
// History, Sources and feedback, a link button to the main source; choosing a month replaces the message (response
// type 7). Nothing of ours is mocked.

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

const CHANNEL = '1190000000000000200';

/** An answer as Discord sends it back with a component interaction: the message the component is on. */
function asPosted(data: any): any {
  return {
    id: snowflake(),
    channel_id: CHANNEL,
    type: 0,
    content: '',
    author: h.fake.botUser,
    embeds: data.embeds,
    components: data.components ?? [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    flags: data.flags ?? 0,
  };
}

async function ask(text: string) {
  const { path, options } = interactionFor(bot, text);
  const result = await h.fake.dispatchInteraction({ path, options }).result();
  return asPosted(result.message);
}

const componentsOf = (message: any): any[] => message.components.flatMap((row: any) => row.components);

describe('Discord: answers people can act on', () => {
  it('an answer carries a select of months with figures, History, Sources, feedback and a link to its main source', async () => {
    const message = await ask('troops France');
    expect(messageViolations(message)).toEqual([]);
    const [select, ...buttons] = componentsOf(message);
    expect(select.type).toBe(3);
    expect(message.components[0].components).toHaveLength(1);
    expect(select.custom_id.length).toBeLessThanOrEqual(100);
    expect(select.options.map((o: any) => [o.label, o.value])).toEqual([
      ['January 2022', '2022-01-31'],
      ['September 2023', '2023-09-30'],
      ['October 2023', '2023-10-31'],
      ['December 2023', '2023-12-22'],
    ]);
    expect(select.options.find((o: any) => o.default)?.value).toBe('2023-12-22');
    expect(buttons.map((b: any) => [b.label, b.style])).toEqual([
      ['History', 2],
      ['Sources', 2],
      ['Main source', 5],
      ['Helpful', 2],
      ['Not helpful', 2],
    ]);
    expect(buttons[2].url).toMatch(/^https?:\/\//);
    expect(buttons[2].custom_id).toBeUndefined();
    // Source dates as Discord timestamps, shown in the reader's own locale.
    expect(JSON.stringify(message.embeds)).toMatch(/<t:\d+:D>/);
  });

  it('choosing September 2023 under "no French troops now" replaces the message (type 7): about 1,500', async () => {
    const message = await ask('troops France');
    expect(visibleText(message)).toContain('There are no French troops in Niger');
    const select = componentsOf(message)[0];
    const result = await h.fake.dispatchInteraction({ kind: 'component', customId: select.custom_id, values: ['2023-09-30'], message }).result();
    expect(result.callback.body.type).toBe(7);
    expect(result.updated).toBe(true);
    expect(visibleText(result.message)).toContain('About 1,500 French troops');
    expect(messageViolations(result.message)).toEqual([]);
    // The new message's select starts at the month chosen.
    expect(componentsOf(result.message)[0].options.find((o: any) => o.default)?.value).toBe('2023-09-30');
  });

  it('History replaces the message with every figure; Sources answers the presser alone', async () => {
    const message = await ask('troops France 2023-09-05');
    const history = componentsOf(message).find((c: any) => c.label === 'History');
    const shown = await h.fake.dispatchInteraction({ kind: 'component', customId: history.custom_id, message }).result();
    expect(shown.updated).toBe(true);
    expect(visibleText(shown.message)).toContain('French troops in Niger — every report');
    // With its chart, uploaded with the update as an attachment the embed shows.
    expect(shown.callback.files?.length ?? 0).toBe(1);
    expect(shown.message.embeds[0].image?.url).toMatch(/^attachment:\/\//);
    const sources = componentsOf(message).find((c: any) => c.label === 'Sources');
    const told = await h.fake.dispatchInteraction({ kind: 'component', customId: sources.custom_id, message }).result();
    expect(told.callback.body.type).toBe(4);
    expect(told.ephemeral).toBe(true);
    expect(visibleText(told.message)).toContain('AFP');
  });

  it('Not helpful is stored once and acknowledged privately; a forged select value changes nothing', async () => {
    const message = await ask('troops France 2023-09-05');
    const notHelpful = componentsOf(message).find((c: any) => c.label === 'Not helpful');
    const first = await h.fake.dispatchInteraction({ kind: 'component', customId: notHelpful.custom_id, message, userId: '1190000000000000777' }).result();
    expect(first.ephemeral).toBe(true);
    expect(visibleText(first.message)).toContain('Thanks — noted.');
    const again = await h.fake.dispatchInteraction({ kind: 'component', customId: notHelpful.custom_id, message, userId: '1190000000000000777' }).result();
    expect(visibleText(again.message)).toContain('already noted');
    const rows = await db.raw("SELECT platform, user_id, helpful FROM answer_feedback WHERE platform = 'discord'");
    expect(rows).toEqual([{ platform: 'discord', user_id: '1190000000000000777', helpful: 0 }]);

    const now = await ask('troops France');
    const select = componentsOf(now)[0];
    const forged = await h.fake.dispatchInteraction({ kind: 'component', customId: select.custom_id, values: ['DROP TABLE'], message: now }).result();
    expect(forged.updated).toBeUndefined();
    expect(forged.ephemeral).toBe(true);
    expect(visibleText(forged.message)).toContain('Pick a day');
  });
});

describe('Discord: a shared answer that states entries', () => {
  const recorded: CarriedPost[] = [];
  let s: Harness;
  beforeAll(async () => {
    s = await startHarness(await botWithPrivateAnswers({ posts: { recordPost: async (p) => void recorded.push(p) } }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('is recorded with its message id, at once or when a slow one is edited in', async () => {
    for (const ms of [10, 1700]) {
      const first = await s.fake.dispatchInteraction({ path: 'private', options: { ms, entry: 'offices/niger-head-of-state' } }).result();
      const message = asPosted(first.message);
      const share = componentsOf(message).find((c: any) => c.label === 'Share in channel');
      const shared = await s.fake.dispatchInteraction({ kind: 'component', customId: share.custom_id, message }).result(8000);
      expect(shared.ephemeral).toBe(false);
      // The message as Discord made it: the callback's (with_response), or the edited original of a deferral.
      const id = shared.deferred ? shared.message.id : shared.callback.response?.resource?.message?.id;
      expect(id).toBeTruthy();
      await vi.waitFor(() => expect(recorded.map((r) => r.messageId)).toContain(id));
      expect(recorded.find((r) => r.messageId === id)).toMatchObject({ platform: 'discord', entryKeys: ['offices/niger-head-of-state'] });
    }
  });
});

describe('Discord: Share in channel, and presses slower than the deadline', () => {
  let slowBot: Bot;
  let s: Harness;
  beforeAll(async () => {
    slowBot = await botWithPrivateAnswers();
    s = await startHarness(slowBot);
  });
  afterAll(async () => {
    await s?.close();
  });

  const answer = async (options: Record<string, any>) => {
    const result = await s.fake.dispatchInteraction({ path: 'private', options }).result();
    return { result, message: asPosted(result.message) };
  };

  it('an answer only its asker sees offers Share in channel, which posts it for everyone', async () => {
    const { result, message } = await answer({ ms: 10 });
    expect(result.ephemeral).toBe(true);
    const share = componentsOf(message).find((c: any) => c.label === 'Share in channel');
    expect(share).toBeDefined();
    const shared = await s.fake.dispatchInteraction({ kind: 'component', customId: share.custom_id, message }).result();
    expect(shared.callback.body.type).toBe(4);
    expect(shared.ephemeral).toBe(false);
    expect(visibleText(shared.message)).toContain('Done after 10 ms');
    // Shared: no Share button on the public copy.
    expect(componentsOf(shared.message).map((c: any) => c.label)).not.toContain('Share in channel');
  });

  it('a Share too slow for one response is acknowledged publicly (type 5) and edited in', async () => {
    const { message } = await answer({ ms: 1700 });
    const share = componentsOf(message).find((c: any) => c.label === 'Share in channel');
    const shared = await s.fake.dispatchInteraction({ kind: 'component', customId: share.custom_id, message }).result(8000);
    expect(shared.deferred).toBe(true);
    expect(shared.callback.body.data?.flags ?? 0).toBe(0);
    expect(visibleText(shared.message)).toContain('Done after 1700 ms');
  });

  it('a choice too slow for one response is deferred as an update (type 6) and the message edited in place', async () => {
    const { message } = await answer({ ms: 1700 });
    const select = componentsOf(message).find((c: any) => c.type === 3);
    const chosen = await s.fake.dispatchInteraction({ kind: 'component', customId: select.custom_id, values: ['2023-09-05'], message }).result(8000);
    expect(chosen.callback.body.type).toBe(6);
    expect(chosen.requests.map((r) => r.route)).toContain('PATCH /webhooks/:app/:token/messages/@original');
    expect(visibleText(chosen.message)).toContain('as of 5 September 2023');
  });
});
