// `known:` as a Discord option: real discord.js against the fake Discord, a real SQLite store with the seed and an
// approved figure, the live knowledge base of src/live-knowledge.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import type { Caller } from '../../src/core/command.ts';
import { buildCommands } from '../../src/adapters/discord/definitions.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { LiveKnowledge } from '../../src/live-knowledge.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { StoreRevisionService } from '../../src/storage/revision-service.ts';
import { importSeed, REVISIONED_KINDS } from '../../src/storage/seed.ts';
import { visibleText } from '../fakes/discord.ts';
import { captureLogger, TEST_CALLER, TEST_NOW, testBot } from '../helpers/bot.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { startHarness, type Harness } from './harness.ts';

const NOW = TEST_NOW.getTime();
const editor = (userId: string): Caller => ({ ...TEST_CALLER, userId, isEditor: async () => true });
let db: TestDb;
let bot: Bot;
let live: LiveKnowledge;
let h: Harness;

beforeAll(async () => {
  db = await sqliteBackend.open();
  await importSeed(db.store, DEFAULT_DATA_DIR, { now: NOW - 86_400_000 });
  const log = captureLogger('silent').log;
  const services = {
    revisions: new StoreRevisionService(db.store),
    proposals: new StoreProposalService(
      db.store,
      () => NOW,
      async () => live.refresh(),
    ),
    knowledgeAt: (day: string) => live.knowledgeAt(day),
  };
  bot = await testBot({ log, services });
  const seedEntries = REVISIONED_KINDS.reduce((n, kind) => n + bot.kb.data[kind].length, 0);
  live = new LiveKnowledge({ store: db.store, target: bot, words: bot.kb.data, seedEntries, log });
  await live.start();
  const proposed = await bot.handleText(
    'propose troops country:Italy count:0 date:2026-11-20 source:https://example.org/italy publisher:ANSA title:Withdrawal published:2026-11-21',
    editor('alice'),
  );
  await bot.handleText(`approve ${proposed.title.slice('Proposal '.length)}`, editor('bob'));
  h = await startHarness(bot);
});

afterAll(async () => {
  await h?.close();
  await live?.stop();
  await db?.cleanup();
});

async function troopsItaly(known?: string) {
  const sent = h.fake.dispatchInteraction({
    path: 'troops',
    options: { country: { type: 3, value: 'Italy' }, ...(known === undefined ? {} : { known: { type: 3, value: known } }) },
  });
  const result = await sent.result();
  return { result, text: visibleText(result.message) };
}

describe('known: on Discord', () => {
  it('is an option of the registered subcommand', () => {
    const [root] = buildCommands(bot.registry);
    const troops = root!.options.find((o) => o.name === 'troops')!;
    expect(troops.options!.map((o) => o.name)).toContain('known');
  });

  it('answers as the bot knew it that day; without it, as it knows it now', async () => {
    const now = await troopsItaly();
    expect(now.text).toContain('There are no Italian troops in Niger');
    const then = await troopsItaly('2026-11-28');
    expect(then.result.ephemeral).toBe(false);
    expect(then.text).toContain('250 Italian troops');
    expect(then.text).toContain('As the bot knew it at the end of 2026-11-28 (UTC).');
  });

  it('a day in the future is a private error, and nothing else changes', async () => {
    const { result, text } = await troopsItaly('2027-01-01');
    expect(result.ephemeral).toBe(true);
    expect(text).toContain('`known:` takes a day that has begun');
    expect((await troopsItaly()).text).toContain('There are no Italian troops in Niger');
  });
});
