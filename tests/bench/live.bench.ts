// Live knowledge (`npm run bench live`): an approval on one instance until another instance on the same PostgreSQL
// answers from it (NOTIFY → version check → rebuild → swap), p50/p99; and with 100,000 revisions in the store, on
// SQLite and PostgreSQL: the start-up import, the rebuild of the knowledge base from the store, a query, and the
// first and a cached `known:` query.
import { performance } from 'node:perf_hooks';
import { createBot } from '../../src/app.ts';
import type { Caller } from '../../src/core/command.ts';
import type { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { DEFAULT_DATA_DIR, type KnowledgeData } from '../../src/knowledge/load.ts';
import { knowledgeOf, LiveKnowledge } from '../../src/live-knowledge.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { importSeed, readSeed, REVISIONED_KINDS, type SeedEntry } from '../../src/storage/seed.ts';
import { captureLogger } from '../helpers/bot.ts';
import { postgresBackend, postgresProblem, sqliteBackend, type Backend } from '../storage/backends.ts';
import { fmt, percentiles, row } from './stats.ts';
import { syntheticFigures } from './synthetic.ts';

const NOW = Date.parse('2026-12-02T07:00:00Z');
const SYNTHETIC = 100_000;
const ROUNDS = 100;
const READER: Caller = { platform: 'bench', userId: 'reader', channelId: 'bench', canManageChannel: async () => true };
const seedEntries = (data: KnowledgeData) => REVISIONED_KINDS.reduce((n, kind) => n + data[kind].length, 0);

async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const result = await work();
  return [performance.now() - t0, result];
}

/** A Bot answering live from `store`, every swap of its knowledge base announced to `swapped`. */
async function liveBot(
  store: Parameters<typeof importSeed>[0] & ConstructorParameters<typeof LiveKnowledge>[0]['store'],
  swapped: (kb: KnowledgeBase) => void = () => {},
) {
  const log = captureLogger('silent').log;
  const bot = await createBot({ now: () => new Date(NOW), log, answerCacheSize: 0 });
  const target = {
    get kb() {
      return bot.kb;
    },
    replaceKnowledge(kb: KnowledgeBase) {
      bot.replaceKnowledge(kb);
      swapped(kb);
    },
  };
  const live = new LiveKnowledge({ store, target, words: bot.kb.data, seedEntries: seedEntries(bot.kb.data), log, now: () => NOW });
  Object.assign(bot.services, { knowledgeAt: (day: string) => live.knowledgeAt(day) });
  return { bot, live };
}

async function approvalToOtherInstance(): Promise<void> {
  process.stdout.write(`\n### approval on one instance → answered by another (PostgreSQL, data/ seed, ${ROUNDS} approvals one at a time)\n\n`);
  const db = await postgresBackend.open();
  try {
    await importSeed(db.store, DEFAULT_DATA_DIR, { now: NOW });
    // The approving instance's own reload is not part of this: it is the rebuild measured below.
    const approving = new StoreProposalService(db.store, () => NOW);
    let waiting: { id: string; done: (at: number) => void } | undefined;
    const other = await liveBot(await db.reopen(), (kb) => {
      if (waiting && kb.data.deployments.some((d) => d.id === waiting!.id)) waiting.done(performance.now());
    });
    await other.live.start();
    const visible: number[] = [];
    const approveMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const day = new Date(Date.parse('2026-06-01T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10);
      const p = await approving.propose({
        kind: 'deployments',
        entryId: null,
        entry: { id: `italy-${day}`, country: 'Italy', host: 'Niger', count: i, approximate: false, asOf: day, sources: [`ansa-${day}`], added: '2026-12-02' },
        source: { url: 'https://example.org/italy', publisher: 'ANSA', title: 'Figures', published: day },
        author: 'bench:alice',
      });
      const seen = new Promise<number>((done) => {
        waiting = { id: `italy-${day}`, done };
      });
      const t0 = performance.now();
      await approving.approve(p.id, 'bench:bob');
      approveMs.push(performance.now() - t0);
      visible.push((await seen) - t0);
    }
    const answer = await other.bot.handleText('troops Italy', READER);
    if (!answer.body.includes(String(ROUNDS - 1))) throw new Error(`the other instance answers: ${answer.body}`);
    await other.live.stop();
    const v = percentiles(visible);
    const a = percentiles(approveMs);
    process.stdout.write(
      [
        row(['what', 'p50', 'p99', 'max']),
        row(['---', '---', '---', '---']),
        row(['approval transaction (with pg_notify)', fmt(a.p50), fmt(a.p99), fmt(a.max)]),
        row(['approval start → the other instance answers from it', fmt(v.p50), fmt(v.p99), fmt(v.max)]),
      ]
        .map((line) => `${line}\n`)
        .join(''),
    );
  } finally {
    await db.cleanup();
  }
}

function synthetic(n: number): SeedEntry[] {
  const seed = readSeed(DEFAULT_DATA_DIR);
  return [...seed, ...syntheticFigures(n, { first: seed.length, added: '2026-11-30', years: 13 })];
}

async function large(backend: Backend): Promise<void> {
  process.stdout.write(`\n### ${SYNTHETIC.toLocaleString('en')} revisions on ${backend.name} (data/ plus synthetic troop figures)\n\n`);
  const entries = synthetic(SYNTHETIC);
  const db = await backend.open();
  try {
    const [importMs] = await time(() => importSeed(db.store, entries, { now: NOW }));
    const { bot, live } = await liveBot(db.store);
    // The store holds more than data/: the start builds the knowledge base from it.
    const [startMs] = await time(() => live.start());
    if (live.rebuilds !== 1) throw new Error('the start did not build from the store');
    const [readMs, rows] = await time(() => db.store.currentRevisions());
    const [buildMs] = await time(async () => knowledgeOf(rows, bot.kb.data));
    const queries: number[] = [];
    for (let i = 0; i < 50; i++) queries.push((await time(() => bot.handleText(`troops France 20${10 + (i % 13)}-06`, READER)))[0]);
    const [firstKnownMs, first] = await time(() => bot.handleText('troops France 2015-06 known:2026-12-01', READER));
    if (first.kind === 'error') throw new Error(first.body);
    const cached: number[] = [];
    for (let i = 0; i < 20; i++) cached.push((await time(() => bot.handleText(`troops France 20${10 + (i % 13)}-03 known:2026-12-01`, READER)))[0]);
    await live.stop();
    const q = percentiles(queries);
    const c = percentiles(cached);
    process.stdout.write(
      [
        row(['what', 'time']),
        row(['---', '---']),
        row([`start-up import of ${entries.length.toLocaleString('en')} new entries (one transaction)`, fmt(importMs)]),
        row(['start: the knowledge base built from the store (read + validate + index)', fmt(startMs)]),
        row([`… of which reading every current revision (${rows.length.toLocaleString('en')} rows)`, fmt(readMs)]),
        row(['… of which validating and indexing them (knowledgeOf)', fmt(buildMs)]),
        row(['a query, `troops France <month>` (answer cache off; p50 / p99 of 50)', `${fmt(q.p50)} / ${fmt(q.p99)}`]),
        row(['first `known:` query of a day (revisionsKnownAt + build)', fmt(firstKnownMs)]),
        row(['later `known:` queries of that day (kept knowledge base; p50 / p99 of 20)', `${fmt(c.p50)} / ${fmt(c.p99)}`]),
      ]
        .map((line) => `${line}\n`)
        .join(''),
    );
  } finally {
    await db.cleanup();
  }
}

export default async function run(): Promise<void> {
  const problem = await postgresProblem();
  if (problem) process.stdout.write(`\n(PostgreSQL skipped: ${problem})\n`);
  else await approvalToOtherInstance();
  await large(sqliteBackend);
  if (!problem) await large(postgresBackend);
}
