import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { ADMINISTRATOR, MANAGE_CHANNELS, MEMBER_PERMISSIONS, messageViolations, visibleText, type RecordedRequest } from '../fakes/discord.ts';
import { botWithTestCommands } from '../helpers/test-commands.ts';
import { GUILD_ID, interactionFor, startHarness, type Harness } from './harness.ts';

let bot: Bot;
let h: Harness;

beforeAll(async () => {
  bot = await botWithTestCommands();
  h = await startHarness(bot);
});

afterAll(async () => {
  await h?.close();
});

async function send(text: string, extra: Parameters<Harness['fake']['dispatchInteraction']>[0] = {}) {
  const { path, options } = interactionFor(bot, text);
  const sent = h.fake.dispatchInteraction({ path, options, ...extra });
  const result = await sent.result();
  expect(result.callback.status, JSON.stringify(result.callback.response)).toBe(204);
  return { sent, result, text: visibleText(result.message) };
}

/** Requests that carry a message the bot sends. */
function messageBodies(requests: RecordedRequest[]): unknown[] {
  return requests.flatMap((r) => {
    if (r.route === 'POST /interactions/:id/:token/callback' && (r.body?.type === 4 || r.body?.type === 7)) return [r.body.data];
    if (r.route === 'PATCH /webhooks/:app/:token/messages/@original' || r.route === 'POST /webhooks/:app/:token') return [r.body];
    if (r.route === 'POST /channels/:id/messages') return [r.body];
    return [];
  });
}

describe('Discord adapter, real discord.js against the fake gateway', () => {
  it('the client itself defaults to pinging nobody (allowed_mentions parse [])', () => {
    expect(h.adapter.client.options.allowedMentions).toEqual({ parse: [] });
  });

  it('identifies with the Guilds intent only', async () => {
    const identify = await h.fake.waitForFrame((f) => f.direction === 'in' && f.op === 2);
    expect(identify.d.intents).toBe(1);
    expect(identify.d.shard).toEqual([0, 1]);
  });

  it.each([
    ['troops France 2023-09', ['1,500', 'French troops in Niger', 'AFP/dpa', 'As of September 2023']],
    ['troops', ['22 December 2023']],
    ['ruler June 2023', ['Mohamed Bazoum', 'Ruler of Niger']],
    ['ruler', ['Tiani']],
    ['timeline from:2023-07 order:oldest limit:3', ['July 2023', 'Timeline']],
    ['places Ouallam', ['Ouallam', 'Coordinates']],
    ['who Colonna', ['Catherine Colonna']],
    ['sources AFP limit:3', ['AFP', '3 of']],
    ['ask how many French soldiers were in Niger in September 2023?', ['1,500']],
  ])('"%s" is answered with a public embed carrying the facts and sources', async (line, facts) => {
    const expected = await bot.handleText(line, { platform: 'discord', userId: 'u', channelId: 'c', canManageChannel: async () => false });
    const { result, text } = await send(line);
    expect(result.deferred).toBe(false);
    expect(result.callback.body.type).toBe(4);
    expect(result.ephemeral).toBe(false);
    expect(result.message.embeds.length).toBeGreaterThan(0);
    expect(result.message.embeds[0].title).toBeTruthy();
    for (const fact of facts) expect(text).toContain(fact);
    for (const c of expected.citations.slice(0, 3)) expect(text).toContain(c.publisher);
    expect(result.message.allowed_mentions).toEqual({ parse: [] });
  });

  it('a question asked again is answered with the same bytes, as JSON, to the interaction it belongs to', async () => {
    const first = await send('who Tiani');
    const again = await send('who Tiani');
    expect(again.result.callback.rawBody).toBe(first.result.callback.rawBody);
    expect(again.result.callback.path).not.toBe(first.result.callback.path);
    expect(again.result.callback.path).toContain(again.sent.id);
    expect(again.result.callback.path).toContain(again.sent.token);
    expect(again.result.callback.headers['content-type']).toBe('application/json');
    // Interaction callbacks are authorized by the token in the URL, never by the bot token.
    expect(again.result.callback.headers.authorization).toBeUndefined();
    expect(again.text).toContain('Abdourahamane Tiani');
  });

  it('help is ephemeral (flags 64) and lists the commands', async () => {
    const { result, text } = await send('help');
    expect(result.ephemeral).toBe(true);
    expect(result.message.flags).toBe(64);
    for (const name of ['troops', 'ruler', 'timeline', 'places', 'who', 'sources', 'ask']) expect(text).toContain(name);
  });

  it('an error (unknown country) is ephemeral and says what to do', async () => {
    const { result, text } = await send('troops country:Narnia');
    expect(result.ephemeral).toBe(true);
    expect(text).toContain('Narnia');
    expect(text).toContain('France');
  });

  it('a subcommand the definitions do not know gets an ephemeral error, not silence', async () => {
    const sent = h.fake.dispatchInteraction({ path: 'nonsense', options: {} });
    const result = await sent.result();
    expect(result.ephemeral).toBe(true);
    expect(visibleText(result.message)).toContain('no command');
  });

  it.each([
    ['troops', 'country', 'fr', 'France'],
    ['timeline', 'actor', 'tia', 'Abdourahamane Tiani'],
    ['who', 'name', 'bazo', 'Mohamed Bazoum'],
    ['places', 'place', 'oual', 'Ouallam'],
    ['timeline', 'topic', 'withd', 'withdrawal'],
    ['digest subscribe', 'timezone', 'africa/nia', 'Africa/Niamey'],
  ])('autocomplete %s %s:"%s" offers %s', async (path, option, partial, wanted) => {
    const sent = h.fake.dispatchInteraction({ kind: 'autocomplete', path, options: { [option]: partial }, focused: option });
    const result = await sent.result();
    expect(result.callback.status).toBe(204);
    expect(result.callback.body.type).toBe(8);
    const names = result.choices!.map((c) => c.name);
    expect(names).toContain(wanted);
    expect(names.length).toBeLessThanOrEqual(25);
    for (const c of result.choices!) expect(c.name.length).toBeLessThanOrEqual(100);
  });

  it('autocomplete for an option without a kind answers with no choices', async () => {
    const result = await h.fake.dispatchInteraction({ kind: 'autocomplete', path: 'ruler', options: { date: '2023' }, focused: 'date' }).result();
    expect(result.choices).toEqual([]);
  });

  it('slow work is deferred within the window (type 5 after ~1.5 s), then the answer edits @original', async () => {
    const sent = h.fake.dispatchInteraction({ path: 'slow', options: { ms: 1800 } });
    const result = await sent.result(8000);
    expect(result.deferred).toBe(true);
    const waited = result.callback.at - sent.at;
    expect(waited).toBeGreaterThan(1300);
    expect(waited).toBeLessThan(3000);
    const edit = result.requests.find((r) => r.route === 'PATCH /webhooks/:app/:token/messages/@original')!;
    expect(edit.status).toBe(200);
    expect(edit.body.allowed_mentions).toEqual({ parse: [] });
    expect(visibleText(result.message)).toContain('Done after 1800 ms');
  });

  it('a slow private answer replaces the deferred response with an ephemeral follow-up', async () => {
    const sent = h.fake.dispatchInteraction({ path: 'slow', options: { ms: 1700, private: true } });
    const result = await sent.result(8000);
    expect(result.deferred).toBe(true);
    expect(result.ephemeral).toBe(true);
    const routes = result.requests.map((r) => `${r.route} ${r.status}`);
    expect(routes).toEqual([
      'POST /interactions/:id/:token/callback 204',
      'DELETE /webhooks/:app/:token/messages/@original 204',
      'POST /webhooks/:app/:token 200',
    ]);
    expect(result.requests[2]!.body.flags).toBe(64);
    expect(visibleText(result.message)).toContain('Done after 1700 ms');
  });

  it('a quick answer is not deferred', async () => {
    const result = await h.fake.dispatchInteraction({ path: 'slow', options: { ms: 50 } }).result();
    expect(result.deferred).toBe(false);
    expect(result.callback.body.type).toBe(4);
  });

  it.each([
    ['a member without Manage Channels', { permissions: MEMBER_PERMISSIONS }, 'false', GUILD_ID],
    ['a member with Manage Channels', { permissions: (BigInt(MEMBER_PERMISSIONS) | BigInt(MANAGE_CHANNELS)).toString() }, 'true', GUILD_ID],
    ['an administrator', { permissions: ADMINISTRATOR }, 'true', GUILD_ID],
    ['a DM', { dm: true, permissions: ADMINISTRATOR }, 'false', 'none'],
  ])('%s: canManageChannel() is %s', async (_name, extra, manage, workspace) => {
    const result = await h.fake
      .dispatchInteraction({ path: 'caller', options: {}, userId: '1190000000000000777', channelId: '1190000000000000888', ...extra })
      .result();
    const fields = Object.fromEntries(result.message.embeds[0].fields.map((f: { name: string; value: string }) => [f.name, f.value]));
    expect(fields).toMatchObject({ platform: 'discord', user: '1190000000000000777', channel: '1190000000000000888', workspace, manage });
  });

  it.each([
    ['mentions', 'ask @everyone @here <@123456789012345678> <@&123456789012345678> <#123456789012345678> hello?'],
    ['markdown', 'ask **bold** __under__ ~~strike~~ ||spoiler|| [click](https://evil.example) `code` ```block```'],
    ['a person with mentions', 'who @everyone <@&123456789012345678>'],
    ['help for mentions', 'help <@123456789012345678>'],
    ['10,000 characters', `ask ${'a'.repeat(10_000)}`],
    ['10,000 characters of mentions', `ask ${'<@&123456789012345678> @everyone '.repeat(300)}`],
    ['a line start', 'ask # heading\n> quote\n-# small'],
  ])('hostile input (%s) never pings and never breaks a limit', async (_name, line) => {
    const question = line.replace(/^(ask|who|help) /, '');
    const path = line.split(' ')[0]!;
    const option = path === 'ask' ? 'question' : path === 'who' ? 'name' : 'command';
    const result = await h.fake.dispatchInteraction({ path, options: { [option]: question } }).result();
    // The fake answers 400 (Invalid Form Body) to anything over a limit.
    expect(result.callback.status).toBe(204);
    expect(messageViolations(result.message, { requireContent: true })).toEqual([]);
    expect(result.message.allowed_mentions).toEqual({ parse: [] });
    const raw = JSON.stringify(result.message.embeds);
    expect(raw).not.toMatch(/@(everyone|here)/);
    expect(raw).not.toMatch(/(?<!\\\\)<[@#]&?\d+>/);
    expect(raw).not.toMatch(/(?<!\\\\)\*\*bold/);
    expect(raw).not.toMatch(/(?<!\\\\)\[click\]\(/);
  });

  it('every message the bot sent in this file carried allowed_mentions {parse: []}', () => {
    const bodies = messageBodies(h.fake.requests);
    expect(bodies.length).toBeGreaterThan(20);
    for (const b of bodies) expect((b as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
  });
});
