import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import {
  checkMessage,
  eventCallback,
  rawTexts,
  responseUrlId,
  sendEvent,
  sendSlashCommand,
  signedSlashCommand,
  slackTs,
  slashCommandFields,
  visibleText,
  type ApiCall,
} from '../fakes/slack.ts';
import { longDate } from '../../src/knowledge/dates.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, slashOverHttp, slowedBot, startHarness, type Harness } from './harness.ts';

let bot: Bot;
let h: Harness;

beforeAll(async () => {
  bot = await testBot();
  h = await startHarness(bot, { adminUserIds: ['U0CONFIGURED'] });
});
afterAll(async () => {
  await h?.close();
});

const slash = (text: string, overrides: Record<string, string> = {}) => slashOverHttp(h, text, overrides);

describe('slash commands over HTTP (signed, real Bolt)', () => {
  it.each([
    ['help', ['troops', 'timeline', 'ask'], 'ephemeral'],
    ['troops France 2023-09', ['1,500', 'AFP/dpa'], 'in_channel'],
    ['troops', ['22 December 2023'], 'in_channel'],
    ['ruler June 2023', ['Mohamed Bazoum', 'President'], 'in_channel'],
    ['ruler', ['Tiani'], 'in_channel'],
    ['timeline from:2023-07 order:oldest limit:3', ['July 2023', '26 July 2023'], 'in_channel'],
    ['places Ouallam', ['Ouallam'], 'in_channel'],
    ['who Colonna', ['Catherine Colonna'], 'in_channel'],
    ['sources AFP limit:3', ['AFP'], 'in_channel'],
    ['ask who ruled Niger in June 2023?', ['Mohamed Bazoum'], 'in_channel'],
    ['ask how many French soldiers were in Niger in September 2023?', ['1,500'], 'in_channel'],
  ])('"/niger %s" is answered in the ack with the core’s facts and sources', async (text, facts, responseType) => {
    const expected = await bot.handleText(text, TEST_CALLER);
    expect(expected.kind).not.toBe('error');
    const { ackMs, via, message, responseUrlId: id } = await slash(text);
    expect(via).toBe('ack');
    expect(ackMs).toBeLessThan(3000);
    expect(checkMessage(message)).toBeUndefined();
    expect(message.response_type).toBe(responseType);
    expect(message).toMatchObject({ parse: 'none', link_names: false, unfurl_links: false, unfurl_media: false });
    expect(Object.keys(message).sort()).toEqual(['blocks', 'link_names', 'mrkdwn', 'parse', 'response_type', 'text', 'unfurl_links', 'unfurl_media']);
    const blocks = message.blocks as { type: string }[];
    expect(blocks[0]!.type).toBe('header');
    const seen = visibleText(message);
    for (const fact of facts) expect(seen).toContain(fact);
    expect(seen).toContain(expected.title);
    for (const c of expected.citations.slice(0, 3)) expect(seen).toContain(c.publisher);
    if (expected.asOf) expect(seen).toContain(`As of ${longDate(expected.asOf)}`);
    // Linked sources use the citation's own URL.
    const linked = expected.citations.find((c) => c.url);
    if (linked) expect(rawTexts(message).join('\n')).toContain(`<${linked.url!.replace(/&/g, '&amp;')}|`);
    expect(typeof message.text).toBe('string');
    expect(String(message.text)).toContain(expected.title);
    // Nothing else was sent: the answer rode on the ack.
    expect(h.fake.responses.some((r) => r.id === id)).toBe(false);
  });

  it('a command answered earlier today is answered again at once from the cache, in the ack, identical', async () => {
    const text = 'who Bazoum';
    expect(bot.knownAnswer(text)).toBeUndefined();
    const first = await slash(text);
    expect(bot.knownAnswer(text)).toBeDefined();
    const handledBefore = h.handled.length;
    const again = await slash(text);
    expect(h.lookedUp.at(-1)).toBe(text);
    expect(h.handled.length).toBe(handledBefore);
    expect(again.via).toBe('ack');
    expect(again.message).toEqual(first.message);
    expect(visibleText(again.message)).toContain('Mohamed Bazoum');
  });

  it('answers errors privately with the core’s message', async () => {
    const { message } = await slash('troops country:Narnia date:2023-09');
    const expected = await bot.handleText('troops country:Narnia date:2023-09', TEST_CALLER);
    expect(message.response_type).toBe(expected.visibility === 'ephemeral' ? 'ephemeral' : 'in_channel');
    expect(visibleText(message)).toContain(expected.title);
    const typo = await slash('trops France');
    expect(typo.message.response_type).toBe('ephemeral');
    expect(visibleText(typo.message)).toContain('Did you mean `troops`?');
  });

  it('acks at once and answers through the response_url when the core is slow', async () => {
    const slowBot = slowedBot(bot, 300);
    const slow = await startHarness(slowBot, { app: { inlineReplyMs: 50 } });
    try {
      const answer = await slashOverHttp(slow, 'ruler June 2023');
      expect(answer.via).toBe('response_url');
      expect(answer.ackMs).toBeLessThan(300);
      expect(answer.message.response_type).toBe('in_channel');
      expect(visibleText(answer.message)).toContain('Mohamed Bazoum');
      expect(slow.fake.responses).toHaveLength(1);
      expect(slow.fake.responses[0]!.status).toBe(200);
    } finally {
      await slow.close();
    }
  });

  it('passes Slack’s escaped text to the core decoded, and the caller’s user, channel and team', async () => {
    const before = h.handled.length;
    await slash('who &lt;b&gt; &amp; co', { user_id: 'U0ANN', channel_id: 'C0NEWS', team_id: h.fake.teamId });
    const call = h.handled[before]!;
    expect(call.text).toBe('who <b> & co');
    expect(call.caller).toMatchObject({ platform: 'slack', userId: 'U0ANN', channelId: 'C0NEWS', workspaceId: h.fake.teamId });
  });
});

describe('request verification', () => {
  it.each([
    ['a bad signature', { signature: `v0=${'0'.repeat(64)}` }],
    ['a signature made with another secret', { signature: `v0=${'ab'.repeat(32)}` }],
    ['a timestamp older than 5 minutes', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['no signature header', { omitHeaders: ['x-slack-signature'] }],
    ['no timestamp header', { omitHeaders: ['x-slack-request-timestamp'] }],
    ['no Slack headers at all', { omitHeaders: ['x-slack-signature', 'x-slack-request-timestamp'] }],
  ])('%s gets 401, no handler runs and nothing is posted', async (_label, sign) => {
    const marker = `rejected-${Math.random().toString(36).slice(2)}`;
    const bad = slashCommandFields(h.fake, { text: `ask ${marker}` });
    const res = await sendSlashCommand(h.appUrl, SIGNING_SECRET, bad, sign);
    expect(res.status).toBe(401);
    expect(res.body).not.toContain('blocks');
    // A valid command sent afterwards is answered; by then the rejected one would have been too.
    const { message } = await slash('ruler');
    expect(visibleText(message)).toContain('Tiani');
    expect(h.handled.some((c) => c.text.includes(marker))).toBe(false);
    expect(h.lookedUp.some((text) => text.includes(marker))).toBe(false);
    expect(h.fake.responses.some((r) => r.id === responseUrlId(bad.response_url!))).toBe(false);
    expect(h.fake.calls.some((c) => JSON.stringify(c.args).includes(marker))).toBe(false);
  });

  it('a body changed after signing gets 401', async () => {
    const fields = slashCommandFields(h.fake, { text: 'ruler' });
    const signed = signedSlashCommand(SIGNING_SECRET, fields);
    const res = await fetch(h.appUrl, { method: 'POST', headers: signed.headers, body: signed.body.replace('ruler', 'troops') });
    expect(res.status).toBe(401);
  });
});

describe('mentions and direct messages (Events API)', () => {
  async function mention(text: string, extra: Record<string, unknown> = {}, eventId?: string) {
    const ts = slackTs();
    const event = { type: 'app_mention', user: 'U0ANN', text, ts, channel: 'C0NEWS', team: h.fake.teamId, ...extra };
    const res = await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, event, eventId));
    return { res, ts };
  }
  const postsTo = (channel: string, method = 'chat.postMessage'): ApiCall[] =>
    h.fake.callsTo(method).filter((c) => c.args.channel === channel && c.status === 200 && (c.response as { ok?: boolean }).ok);

  it('answers "@Niger Watch how many French troops are left?" in a thread under it, mention stripped', async () => {
    const before = postsTo('C0NEWS').length;
    const { res, ts } = await mention(`<@${h.fake.botUserId}> how many French troops are left?`);
    expect(res.status).toBe(200);
    const call = await h.fake.waitFor(() => postsTo('C0NEWS')[before], 5000, 'the mention answer');
    expect(call.token).toBe(BOT_TOKEN);
    expect(call.args).toMatchObject({ parse: 'none', link_names: 'false', unfurl_links: 'false', unfurl_media: 'false' });
    expect(call.args.thread_ts).toBe(ts);
    const expected = await bot.handleText('how many French troops are left?', TEST_CALLER);
    const seen = visibleText(call.args);
    expect(seen).toContain(expected.title);
    expect(seen).toContain('22 December 2023');
    expect(h.handled.at(-1)!.text).toBe('how many French troops are left?');
  });

  it('answers a mention inside a thread in that thread', async () => {
    const threadTs = slackTs();
    const before = postsTo('C0NEWS').length;
    await mention(`<@${h.fake.botUserId}> who ruled Niger in June 2023?`, { thread_ts: threadTs });
    const call = await h.fake.waitFor(() => postsTo('C0NEWS')[before], 5000, 'the threaded answer');
    expect(call.args.thread_ts).toBe(threadTs);
    expect(visibleText(call.args)).toContain('Mohamed Bazoum');
  });

  it('sends help and errors from a mention privately (chat.postEphemeral to the asker)', async () => {
    const before = postsTo('C0NEWS', 'chat.postEphemeral').length;
    await mention(`<@${h.fake.botUserId}>`);
    const call = await h.fake.waitFor(() => postsTo('C0NEWS', 'chat.postEphemeral')[before], 5000, 'the ephemeral help');
    expect(call.args.user).toBe('U0ANN');
    expect(visibleText(call.args)).toContain('troops');
  });

  it('answers a direct message in the DM', async () => {
    const event = { type: 'message', channel_type: 'im', channel: 'D0ANN', user: 'U0ANN', text: 'who rules Niger?', ts: slackTs() };
    await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, event));
    const call = await h.fake.waitFor(() => postsTo('D0ANN')[0], 5000, 'the DM answer');
    expect(visibleText(call.args)).toContain('Tiani');
  });

  it('ignores the bot’s own messages, edits and channel messages, and answers a redelivered event once', async () => {
    const ignored = [
      { type: 'message', channel_type: 'im', channel: 'D0SELF', user: h.fake.botUserId, bot_id: h.fake.botId, text: 'who rules Niger?', ts: slackTs() },
      { type: 'message', subtype: 'message_changed', channel_type: 'im', channel: 'D0SELF', ts: slackTs(), message: { text: 'x' } },
      { type: 'message', channel_type: 'channel', channel: 'C0SELF', user: 'U0ANN', text: 'who rules Niger?', ts: slackTs() },
    ];
    for (const event of ignored) expect((await sendEvent(h.appUrl, SIGNING_SECRET, eventCallback(h.fake, event))).status).toBe(200);
    const body = eventCallback(h.fake, { type: 'app_mention', user: 'U0ANN', text: `<@${h.fake.botUserId}> ruler`, ts: slackTs(), channel: 'C0ONCE' });
    await sendEvent(h.appUrl, SIGNING_SECRET, body);
    await sendEvent(h.appUrl, SIGNING_SECRET, body, { omitHeaders: [] });
    await h.fake.waitFor(() => postsTo('C0ONCE')[0], 5000, 'the answer');
    // A later mention elsewhere is answered after both deliveries were processed.
    await mention(`<@${h.fake.botUserId}> ruler`, { channel: 'C0LATER' });
    await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0LATER'), 5000, 'the later answer');
    expect(postsTo('C0ONCE')).toHaveLength(1);
    expect(h.fake.calls.some((c) => c.args.channel === 'D0SELF' || c.args.channel === 'C0SELF')).toBe(false);
  });

  it('rejects unsigned events with 401', async () => {
    const body = eventCallback(h.fake, { type: 'app_mention', user: 'U0ANN', text: `<@${h.fake.botUserId}> ruler`, ts: slackTs(), channel: 'C0UNSIGNED' });
    const res = await sendEvent(h.appUrl, 'f'.repeat(32), body);
    expect(res.status).toBe(401);
  });
});

describe('hostile input', () => {
  const INJECTIONS = ['<!channel>', '<!here>', '<!everyone>', '<@U123>', '<#C123|general>', '<!subteam^S1|@team>'];

  it.each([
    ['who &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;', 'escaped by Slack (as a real client sends it)'],
    ['who <!channel> <!here> <@U123> <!everyone>', 'as markup'],
    ['who &amp; *bold* _x_ ~y~ `code` &lt;#C123|general&gt;', 'with formatting'],
    ['troops <!channel> <!subteam^S1|@team>', 'in a command option'],
  ])('"%s" (%s) comes back neutralised', async (text) => {
    const { message } = await slash(text);
    expect(checkMessage(message)).toBeUndefined();
    for (const raw of rawTexts(message)) {
      for (const injection of INJECTIONS) expect(raw).not.toContain(injection);
      expect(raw).not.toMatch(/<[!@#]/);
    }
    // Reply text is plain_text (no formatting, no mentions); only the sources line is mrkdwn.
    const objects = (message.blocks as { text?: { type: string }; fields?: { type: string }[] }[])
      .flatMap((b) => [b.text, ...(b.fields ?? [])])
      .filter(Boolean);
    expect(objects.every((o) => o!.type === 'plain_text')).toBe(true);
  });

  it('shows echoed text to the user literally, including & and formatting characters', async () => {
    const { message } = await slash('who &lt;!here&gt; &amp; *bold* _x_');
    expect(visibleText(message)).toContain('<!here> & *bold* _x_');
  });

  it('answers 10,000 characters within the limits', async () => {
    const text = `ask ${'&lt;!channel&gt; &amp; '.repeat(500)}`;
    expect(text.length).toBeGreaterThanOrEqual(10_000);
    const { message } = await slash(text);
    expect(checkMessage(message)).toBeUndefined();
    expect(visibleText(message)).toContain('<!channel> &');
    for (const raw of rawTexts(message)) expect(raw).not.toContain('<!channel>');
    const { message: ask } = await slash(`ask ${'x'.repeat(10_000)}`);
    expect(checkMessage(ask)).toBeUndefined();
  });

  it.each(['timeline limit:50', 'sources limit:100', 'timeline order:oldest limit:50'])(
    'the oversized "%s" is accepted by Slack’s limits and says what it left out',
    async (text) => {
      const { message } = await slash(text);
      expect(checkMessage(message)).toBeUndefined();
      const blocks = message.blocks as unknown[];
      expect(blocks.length).toBeLessThanOrEqual(50);
      expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(13_000);
      expect(visibleText(message)).toMatch(/…\d+ more not shown/);
    },
  );
});

describe('rate limits and retries', () => {
  it('retries a 429 with Retry-After on chat.postMessage and the answer arrives once', async () => {
    h.fake.failNext('chat.postMessage', { rateLimited: 1 });
    const channel = 'C0RATE';
    const t0 = Date.now();
    const body = eventCallback(h.fake, { type: 'app_mention', user: 'U0ANN', text: `<@${h.fake.botUserId}> ruler June 2023`, ts: slackTs(), channel });
    await sendEvent(h.appUrl, SIGNING_SECRET, body);
    const ok = await h.fake.waitFor(
      () => h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === channel && c.status === 200),
      8000,
      'the retried post',
    );
    const attempts = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(ok.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(visibleText(ok.args)).toContain('Mohamed Bazoum');
  });
});

describe('channel permissions (Caller.canManageChannel)', () => {
  let asked = 0;
  /** The caller the core saw for a command it had not answered before (a known answer needs no caller). */
  async function callerFor(userId: string) {
    const before = h.handled.length;
    await slash(`who nobody-${userId}-${++asked}`, { user_id: userId });
    return h.handled[before]!.caller;
  }
  const lookups = (user: string) => h.fake.callsTo('users.info').filter((c) => c.args.user === user).length;

  // users.info (include_locale) answers both questions Slack's payloads leave open, the user's language and
  // role: asked once per user when a command comes in, and cached for both.
  it('asks users.info once per user, for the language and the role, and caches the answer', async () => {
    h.fake.setUser({ id: 'U0ADMIN', is_admin: true });
    const caller = await callerFor('U0ADMIN');
    expect(lookups('U0ADMIN')).toBe(1);
    expect(h.fake.callsTo('users.info').at(-1)!.args.include_locale).toBe('true');
    expect(await caller.canManageChannel()).toBe(true);
    expect(await caller.canManageChannel()).toBe(true);
    expect(await (await callerFor('U0ADMIN')).canManageChannel()).toBe(true);
    expect(lookups('U0ADMIN')).toBe(1);
    expect(h.fake.callsTo('users.info').at(-1)!.token).toBe(BOT_TOKEN);
  });

  it('allows owners, denies members, and denies when users.info fails', async () => {
    h.fake.setUser({ id: 'U0OWNER', is_owner: true });
    h.fake.setUser({ id: 'U0MEMBER' });
    expect(await (await callerFor('U0OWNER')).canManageChannel()).toBe(true);
    expect(await (await callerFor('U0MEMBER')).canManageChannel()).toBe(false);
    // Both lookups fail: the language one (the answer is in English) and the permission one.
    h.fake.failNext('users.info', { error: 'user_not_found' }, 2);
    const flaky = await callerFor('U0FLAKY');
    expect(await flaky.canManageChannel()).toBe(false);
    // A failure is not cached.
    h.fake.setUser({ id: 'U0FLAKY', is_admin: true });
    expect(await flaky.canManageChannel()).toBe(true);
  });

  it('allows the users listed in SLACK_ADMIN_USER_IDS without asking Slack about their role', async () => {
    const caller = await callerFor('U0CONFIGURED');
    const asked = lookups('U0CONFIGURED');
    expect(await caller.canManageChannel()).toBe(true);
    expect(lookups('U0CONFIGURED')).toBe(asked);
  });
});

describe('logs', () => {
  it('never contain the bot token, the app token or the signing secret', () => {
    const out = h.logLines().join('\n');
    expect(out).toContain('Slack adapter listening');
    expect(out.length).toBeGreaterThan(1000);
    for (const secret of [BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, BOT_TOKEN.slice(5)]) expect(out).not.toContain(secret);
  });
});
