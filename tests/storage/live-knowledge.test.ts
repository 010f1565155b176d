import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import type { Caller } from '../../src/core/command.ts';
import type { KnowledgeData } from '../../src/knowledge/load.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { buildDigest } from '../../src/digest/content.ts';
import { LiveKnowledge } from '../../src/live-knowledge.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { StoreRevisionService } from '../../src/storage/revision-service.ts';
import { contentHash, importSeed, readSeed, REVISIONED_KINDS } from '../../src/storage/seed.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import { captureLogger, TEST_CALLER, TEST_NOW, testBot } from '../helpers/bot.ts';
import { backendMatrix, type TestDb } from './backends.ts';

const matrix = await backendMatrix();
const NOW = TEST_NOW.getTime();
const SEED = readSeed(DEFAULT_DATA_DIR);
const editor = (userId: string): Caller => ({ ...TEST_CALLER, userId, isEditor: async () => true });
const ALICE = editor('alice');
const BOB = editor('bob');
const READER: Caller = { ...TEST_CALLER, userId: 'reader' };
const ITALY = 'propose troops country:Italy count:0 date:2026-11-20 source:https://example.org/italy publisher:ANSA title:Withdrawal published:2026-11-21';

const seedEntries = (data: KnowledgeData) => REVISIONED_KINDS.reduce((n, kind) => n + data[kind].length, 0);

/** One instance: a Bot whose approvals reload its live knowledge base, over its own store connection. */
interface Instance {
  bot: Bot;
  live: LiveKnowledge;
  lines: () => string[];
}

async function instance(store: SqlDigestStore, options: { pollMs?: number; listen?: boolean; approveAt?: number } = {}): Promise<Instance> {
  const { log, lines } = captureLogger('info');
  let live: LiveKnowledge | undefined;
  const services = {
    revisions: new StoreRevisionService(store),
    proposals: new StoreProposalService(
      store,
      () => options.approveAt ?? NOW,
      async () => live?.refresh(),
    ),
  };
  const bot = await testBot({ log, services });
  const watched = options.listen === false ? { ...storeParts(store), watchKnowledge: async () => null } : store;
  live = new LiveKnowledge({ store: watched, target: bot, words: bot.kb.data, seedEntries: seedEntries(bot.kb.data), log, pollMs: options.pollMs ?? 60_000 });
  await live.start();
  Object.assign(services, { knowledgeAt: (day: string) => live!.knowledgeAt(day) });
  return { bot, live, lines };
}

function storeParts(store: SqlDigestStore) {
  return {
    currentRevisions: store.currentRevisions.bind(store),
    revisionsKnownAt: store.revisionsKnownAt.bind(store),
    knowledgeState: store.knowledgeState.bind(store),
  };
}

async function proposeAndApprove(by: Instance, text = ITALY): Promise<string> {
  const proposed = await by.bot.handleText(text, ALICE);
  const id = proposed.title.slice('Proposal '.length);
  expect(id).toMatch(/^P-/);
  const approved = await by.bot.handleText(`approve ${id}`, BOB);
  expect(approved.kind).toBe('admin');
  return id;
}

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - started;
}

const italyAnswer = async (i: Instance) => (await i.bot.handleText('troops Italy', READER)).body;

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`live knowledge on ${backend.name}`, () => {
    let db: TestDb;
    const running: Instance[] = [];
    beforeEach(async () => {
      db = await backend.open();
      await importSeed(db.store, SEED, { now: NOW - 86_400_000 });
    });
    afterEach(async () => {
      for (const i of running.splice(0)) await i.live.stop();
      await db?.cleanup();
    });

    it('starts from the files when the store holds what data/ holds, and from the store once it holds more', async () => {
      const a = await instance(db.store);
      running.push(a);
      expect(a.live.rebuilds).toBe(0);
      await proposeAndApprove(a);
      expect(a.live.rebuilds).toBe(1);
      // A later start of the same store builds from the store: the approval is there from the first answer.
      const b = await instance(await db.reopen());
      running.push(b);
      expect(b.live.rebuilds).toBe(1);
      expect(await italyAnswer(b)).toMatch(/no Italian troops in Niger/);
    });

    it('an approval is answered at once on the instance that approved it, the cached answer gone', async () => {
      const a = await instance(db.store);
      running.push(a);
      const before = await italyAnswer(a);
      expect(before).toMatch(/250 Italian troops/);
      expect(a.bot.knownAnswer('troops Italy')).toBeDefined();
      await proposeAndApprove(a);
      expect(a.bot.knownAnswer('troops Italy')).toBeUndefined();
      const after = await a.bot.handleText('troops Italy', READER);
      expect(after.body).toMatch(/There are no Italian troops in Niger: the newest sourced figure is none, as of 20 November 2026/);
      expect(after.citations.map((c) => c.publisher)).toContain('ANSA');
      expect(a.bot.kb.approvedAt.get('deployments/italy-2026-11-20')).toBe(NOW);
    });

    it('a burst of changes during a rebuild is one more rebuild, never two at once, and the last has them all', async () => {
      const a = await instance(db.store);
      running.push(a);
      // The rebuild's read waits at a gate the test opens, so the burst lands while a rebuild is under way.
      let open: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      let reading = 0;
      let overlapped = false;
      const currentRevisions = db.store.currentRevisions.bind(db.store);
      db.store.currentRevisions = async (kind?: string) => {
        if (++reading > 1) overlapped = true;
        try {
          await gate;
          return await currentRevisions(kind);
        } finally {
          reading--;
        }
      };
      const days = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05'];
      const ids: string[] = [];
      for (const day of days) {
        const p = await db.store.propose(
          {
            kind: 'deployments',
            entryId: null,
            entry: { id: `italy-${day}`, country: 'Italy', host: 'Niger', count: 10, approximate: false, asOf: day, sources: [`ansa-${day}`], added: day },
            source: { url: 'https://example.org/italy', publisher: 'ANSA', title: 'Figures', published: day },
            author: 'test:alice',
          },
          NOW,
        );
        ids.push(p.id);
      }
      const before = a.live.rebuilds;
      // Approvals by another instance (straight into the store), each followed by its notification's refresh.
      await db.store.approveProposal(ids[0]!, 'test:bob', NOW);
      const refreshes = [a.live.refresh()];
      await eventually(async () => reading === 1);
      for (const id of ids.slice(1)) {
        await db.store.approveProposal(id, 'test:bob', NOW);
        refreshes.push(a.live.refresh(), a.live.refresh());
      }
      open();
      await Promise.all(refreshes);
      expect(a.live.rebuilds - before).toBe(2);
      expect(overlapped).toBe(false);
      for (const day of days) expect(a.bot.kb.data.deployments.some((d) => d.id === `italy-${day}`)).toBe(true);
      // Ten refreshes of an unchanged store: checked, not rebuilt.
      await Promise.all(Array.from({ length: 10 }, () => a.live.refresh()));
      expect(a.live.rebuilds - before).toBe(2);
    });

    it('a revision that fails validation keeps the knowledge base answering as it was, with a warning naming it', async () => {
      const a = await instance(db.store);
      running.push(a);
      const kb = a.bot.kb;
      const head = (await db.store.revisionsOf('deployments', 'france-2023-07')).at(-1)!;
      const broken = { ...head.entry, count: 'many' };
      await db.store.appendRevisions([
        {
          revision: { ...head, entry: broken, contentHash: contentHash(broken), recordedAt: NOW, author: 'test:mallory', approver: 'test:eve' },
          after: head.revision,
        },
      ]);
      await a.live.refresh();
      expect(a.bot.kb).toBe(kb);
      const warning = a.lines().find((l) => l.includes('a revision in the store is not valid'));
      expect(warning).toContain('store deployments, entry \\"france-2023-07\\", field \\"count\\": must be a number (got \\"many\\")');
      expect(await italyAnswer(a)).toMatch(/250 Italian troops/);
    });

    it('known:DAY answers as the bot knew it at the end of that day: before the approval the old figure, after it the new', async () => {
      const a = await instance(db.store);
      running.push(a);
      await proposeAndApprove(a);
      // The seed was recorded on 2026-11-28, the approval on 2026-11-29 (today).
      const then = await a.bot.handleText('troops Italy known:2026-11-28', READER);
      expect(then.body).toMatch(/250 Italian troops/);
      expect(then.notes.at(-1)).toBe('As the bot knew it at the end of 2026-11-28 (UTC).');
      // What the bot knew then stays what it knew then: no later correction is threaded under it (issue 13).
      expect(then.entries).toBeUndefined();
      expect((await a.bot.handleText('troops Italy', READER)).entries).toEqual(['deployments/italy-2026-11-20']);
      const today = await a.bot.handleText('known:2026-11-29 troops Italy', READER);
      expect(today.body).toMatch(/no Italian troops in Niger/);
      // Structured options (Discord) take it as an option too, and other languages say so in theirs.
      const structured = await a.bot.run('troops', { country: 'Italy', known: '2026-11-28', lang: 'fr' }, READER);
      expect(structured.body).toMatch(/250/);
      expect(structured.notes.at(-1)).toBe('Tel que le bot le savait à la fin du 2026-11-28 (UTC).');
      // A past day's knowledge base is built once and kept; the current one is untouched.
      expect(await a.live.knowledgeAt('2026-11-28')).toBe(await a.live.knowledgeAt('2026-11-28'));
      expect(await italyAnswer(a)).toMatch(/no Italian troops/);
    });

    it('known: refuses a day in the future, a day that does not exist, other text, and a day before anything was recorded', async () => {
      const a = await instance(db.store);
      running.push(a);
      const kb = a.bot.kb;
      for (const [text, body] of [
        ['troops Italy known:2026-11-30', '`known:` takes a day that has begun, written YYYY-MM-DD (today is 2026-11-29); “2026-11-30” is not one.'],
        ['troops Italy known:2026-02-30', '`known:` takes a day that has begun, written YYYY-MM-DD (today is 2026-11-29); “2026-02-30” is not one.'],
        ['troops Italy known:yesterday', '`known:` takes a day that has begun, written YYYY-MM-DD (today is 2026-11-29); “yesterday” is not one.'],
        ['troops Italy known:', '`known:` takes a day that has begun, written YYYY-MM-DD (today is 2026-11-29); “” is not one.'],
        ['troops Italy known:2024-01-01', 'On 2024-01-01 the knowledge base held nothing yet: ask about a later day.'],
      ] as const) {
        const r = await a.bot.handleText(text, READER);
        expect(r.kind, text).toBe('error');
        expect(r.body, text).toBe(body);
      }
      expect((await a.bot.run('troops', { country: 'Italy', known: '<@everyone>' }, READER)).body).toMatch(/“<@everyone>” is not one/);
      expect(a.bot.kb).toBe(kb);
    });

    it('the next digest lists an approved figure as new, by its approval time, and the one after does not', async () => {
      const approveAt = Date.parse('2026-12-02T10:30:00Z');
      const a = await instance(db.store, { approveAt });
      running.push(a);
      // The previous digest covered the seed: its newest `added` day.
      const before = buildDigest(a.bot.kb, { localDate: '2026-12-02', since: '2026-11-29' });
      expect(before.newEvents).toBe(0);
      expect(before.watermark).toBe('2026-11-29');
      await proposeAndApprove(a);
      const next = buildDigest(a.bot.kb, { localDate: '2026-12-03', since: before.watermark });
      expect(next.newEvents).toBe(1);
      expect(next.reply.items).toEqual(['New figure, approved 2 December 2026: Italian troops — none, as of 20 November 2026']);
      expect(next.reply.body).toBe('The newest key figures, 1 troop figure approved and no event added since the previous digest.');
      expect(next.reply.citations.map((c) => c.publisher)).toContain('ANSA');
      expect(next.watermark).toBe('2026-12-02T10:30:00.000Z');
      const fr = buildDigest(a.bot.kb, { localDate: '2026-12-03', since: before.watermark, lang: 'fr' });
      expect(fr.reply.items[0]).toMatch(/^Nouveau chiffre, approuvé le 2 décembre 2026 : Italie — aucun soldat, au 20 novembre 2026$/);
      const after = buildDigest(a.bot.kb, { localDate: '2026-12-04', since: next.watermark });
      expect(after.newEvents).toBe(0);
      expect(after.reply.notes[0]).toBe('Nothing new since the previous digest: no event was added after 2 December 2026.');
    });

    it.skipIf(backend.name !== 'postgres')('two instances on one database: an approval on one is answered by the other (NOTIFY)', async () => {
      const a = await instance(db.store);
      const b = await instance(await db.reopen());
      running.push(a, b);
      expect(await italyAnswer(b)).toMatch(/250 Italian troops/);
      await proposeAndApprove(a);
      const ms = await eventually(async () => /no Italian troops/.test(await italyAnswer(b)), 3000);
      expect(ms).toBeLessThan(3000);
    });

    it.skipIf(backend.name !== 'postgres')('the listening connection, cut by the server, is reopened and notifications arrive again', async () => {
      const a = await instance(db.store);
      const b = await instance(await db.reopen());
      running.push(a, b);
      // This test's two listeners (the schema names them), cut by the server as a restart or a proxy would.
      const listeners = `SELECT pid FROM pg_stat_activity WHERE application_name = 'niger-watch listen ${db.schema}' AND query ILIKE 'LISTEN%'`;
      const before = (await db.raw(listeners)).map((r) => Number(r.pid));
      expect(before).toHaveLength(2);
      await db.raw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (${before.join(', ')})`);
      await eventually(async () => (await db.raw(listeners)).filter((r) => !before.includes(Number(r.pid))).length === 2, 5000);
      await proposeAndApprove(a);
      await eventually(async () => /no Italian troops/.test(await italyAnswer(b)), 3000);
    });

    it.skipIf(backend.name !== 'postgres')('two instances: without notifications the poll brings the approval', async () => {
      const a = await instance(db.store);
      const b = await instance(await db.reopen(), { listen: false, pollMs: 200 });
      running.push(a, b);
      expect(await italyAnswer(b)).toMatch(/250 Italian troops/);
      await proposeAndApprove(a);
      await eventually(async () => /no Italian troops/.test(await italyAnswer(b)), 5000);
    });
  });
}

describe('known: without a store', () => {
  it('says the history lives in the database, and help shows the option', async () => {
    const bot = await testBot();
    const r = await bot.handleText('troops Italy known:2026-11-28', READER);
    expect(r.kind).toBe('error');
    expect(r.body).toBe('`known:` answers from the history of revisions, which is kept in the database; this bot runs without one.');
    const help = await bot.handleText('help', READER);
    expect(help.notes).toContain('`known:YYYY-MM-DD` on any command answers as the bot knew it at the end of that day (what did we say then?).');
  });
});
