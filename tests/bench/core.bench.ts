// Core latency: knowledge-base load, structured commands and `ask`, 10,000 queries each, computed every time
// (answer cache off), then the same answered from the answer cache.
import { performance } from 'node:perf_hooks';
import { createBot } from '../../src/app.ts';
import { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { createLogger } from '../../src/logger.ts';
import { QuestionReader } from '../../src/knowledge/understand.ts';
import { loadAskCases, SPLITS } from '../eval/ask-eval.ts';
import { TEST_CALLER, TEST_NOW } from '../helpers/bot.ts';
import { fmt, percentiles, row } from './stats.ts';

const N = 10_000;

const STRUCTURED: [string, Record<string, unknown>][] = [
  ['troops', {}],
  ['troops', { country: 'France', date: '2023-09' }],
  ['troops', { country: 'United States', date: '2024-07-07' }],
  ['troops', { country: 'Germany', show: 'history' }],
  ['ruler', {}],
  ['ruler', { date: '2023-07-26' }],
  ['timeline', { from: '2023-07', limit: 10 }],
  ['timeline', { topic: 'withdrawal', order: 'oldest', limit: 5 }],
  ['places', { place: 'Ouallam' }],
  ['who', { name: 'Tiani' }],
  ['sources', { search: 'AFP', limit: 5 }],
];

/** Each call once, unwarmed: a question nobody asked before (the memo tables have not seen its words). */
async function measureFirst(label: string, calls: (() => Promise<unknown>)[]): Promise<string> {
  const samples: number[] = [];
  for (const call of calls) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  const p = percentiles(samples);
  return row([label, calls.length, fmt(p.p50), fmt(p.p99), fmt(p.max)]);
}

async function measure(label: string, calls: (() => Promise<unknown>)[]): Promise<string> {
  for (const call of calls) await call(); // warm-up: every call once, so the samples are the steady state
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await calls[i % calls.length]!();
    samples.push(performance.now() - t0);
  }
  const p = percentiles(samples);
  return row([label, N, fmt(p.p50), fmt(p.p99), fmt(p.max)]);
}

export default async function coreBench(): Promise<void> {
  const loads: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    KnowledgeBase.load();
    loads.push(performance.now() - t0);
  }
  const load = percentiles(loads);
  // The search index and the question reader are built at load; measured apart, on a loaded knowledge base.
  const kb = KnowledgeBase.load();
  const builds: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    new QuestionReader(kb, kb.data.lexicon);
    builds.push(performance.now() - t0);
  }
  const build = percentiles(builds);
  const askCases = SPLITS.flatMap((split) => loadAskCases(split));
  const log = createLogger({ level: 'silent' });
  const bot = await createBot({ now: () => TEST_NOW, log, answerCacheSize: 0 });
  const cachingBot = await createBot({ now: () => TEST_NOW, log });
  const structured = STRUCTURED.map(([path, options]) => () => bot.run(path, options, TEST_CALLER));
  const questions = askCases.map((c) => () => bot.run('ask', { question: c.q }, TEST_CALLER));
  const text = STRUCTURED.map(([path]) => () => bot.handleText(`${path} ${path === 'troops' ? 'France 2023-09' : ''}`, TEST_CALLER));
  const fromCache = [
    ...STRUCTURED.map(([path, options]) => () => cachingBot.run(path, options, TEST_CALLER)),
    ...askCases.map((c) => () => cachingBot.handleText(`ask ${c.q}`, TEST_CALLER)),
  ];

  // Before anything else has run on this bot: every evaluation question asked for the first time.
  const firstTime = await measureFirst('ask, each question the first time', questions);
  const lines = [
    `Knowledge base load + validation (20 runs): p50 ${fmt(load.p50)}, max ${fmt(load.max)} — target < 300 ms`,
    `Search index + question reader build (20 runs, included above): p50 ${fmt(build.p50)}, max ${fmt(build.max)} — target < 100 ms`,
    '',
    row(['query', 'count', 'p50', 'p99', 'max']),
    row(['---', '---', '---', '---', '---']),
    await measure('structured commands (run)', structured),
    await measure('text syntax (handleText)', text),
    firstTime,
    await measure('ask (free-text questions)', questions),
    await measure('all of the above from the answer cache', fromCache),
    '',
    `Targets: structured p99 < 0.5 ms, ask p99 < 1 ms (uncached, over the ${askCases.length} evaluation questions).`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
