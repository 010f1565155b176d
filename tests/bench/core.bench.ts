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

/**
 * The same calls answered in each language, interleaved (call i in English, in French and in German, in turn) so
 * that the machine's load weighs on every language alike; one row per language, and each p99 against English's.
 */
async function measureLanguages(label: string, variants: Record<string, (() => Promise<unknown>)[]>): Promise<string[]> {
  const langs = Object.keys(variants);
  for (const lang of langs) for (const call of variants[lang]!) await call(); // warm-up
  const samples: Record<string, number[]> = Object.fromEntries(langs.map((l) => [l, []]));
  for (let i = 0; i < N; i++) {
    // Each round starts with another language, so none always runs first (right after the previous round's last).
    for (let j = 0; j < langs.length; j++) {
      const lang = langs[(i + j) % langs.length]!;
      const calls = variants[lang]!;
      const t0 = performance.now();
      await calls[i % calls.length]!();
      samples[lang]!.push(performance.now() - t0);
    }
  }
  const english = percentiles(samples.en!);
  return langs.map((lang) => {
    const p = percentiles(samples[lang]!);
    const vs = lang === 'en' ? '' : ` (p99 ${((100 * p.p99) / english.p99 - 100).toFixed(0).replace(/^(?!-)/, '+')}% vs en)`;
    return row([`${label}, answered in ${lang}${vs}`, N, fmt(p.p50), fmt(p.p99), fmt(p.max)]);
  });
}

/**
 * Per call, the fastest of `runs` in each language (which the machine's load cannot make faster), then the
 * percentiles over the calls: a steadier comparison of languages than single samples on a busy machine.
 */
async function fastestByLanguage(label: string, variants: Record<string, (() => Promise<unknown>)[]>, runs = 15): Promise<string[]> {
  const langs = Object.keys(variants);
  const fastest: Record<string, number[]> = Object.fromEntries(langs.map((l) => [l, []]));
  const count = variants[langs[0]!]!.length;
  for (let i = 0; i < count; i++) {
    const best: Record<string, number> = Object.fromEntries(langs.map((l) => [l, Infinity]));
    for (let r = 0; r < runs; r++) {
      for (let j = 0; j < langs.length; j++) {
        const lang = langs[(r + j) % langs.length]!;
        const t0 = performance.now();
        await variants[lang]![i]!();
        best[lang] = Math.min(best[lang]!, performance.now() - t0);
      }
    }
    for (const lang of langs) fastest[lang]!.push(best[lang]!);
  }
  const english = percentiles(fastest.en!);
  return langs.map((lang) => {
    const p = percentiles(fastest[lang]!);
    const vs = lang === 'en' ? '' : ` (p99 ${((100 * p.p99) / english.p99 - 100).toFixed(0).replace(/^(?!-)/, '+')}% vs en)`;
    return row([`${label}, answered in ${lang}${vs}`, count, fmt(p.p50), fmt(p.p99), fmt(p.max)]);
  });
}

export default async function coreBench(): Promise<void> {
  const loads: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    KnowledgeBase.load();
    loads.push(performance.now() - t0);
  }
  const load = percentiles(loads);
  // The question reader is built at load; measured apart, on a loaded knowledge base. (Its search index and each
  // language's stemmed phrases are built by the first question that needs them: "each question the first time".)
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
  const structured = STRUCTURED.map(
    ([path, options]) =>
      () =>
        bot.run(path, options, TEST_CALLER),
  );
  const questions = askCases.map((c) => () => bot.run('ask', { question: c.q }, TEST_CALLER));
  const text = STRUCTURED.map(
    ([path]) =>
      () =>
        bot.handleText(`${path} ${path === 'troops' ? 'France 2023-09' : ''}`, TEST_CALLER),
  );
  const fromCache = [
    ...STRUCTURED.map(
      ([path, options]) =>
        () =>
          cachingBot.run(path, options, TEST_CALLER),
    ),
    ...askCases.map((c) => () => cachingBot.handleText(`ask ${c.q}`, TEST_CALLER)),
  ];

  const askInEach = Object.fromEntries(
    ['en', 'fr', 'de'].map((lang) => [lang, askCases.map((c) => () => bot.run('ask', { question: c.q, lang }, TEST_CALLER))]),
  );

  // Before anything else has run on this bot: every evaluation question asked for the first time.
  const firstTime = await measureFirst('ask, each question the first time', questions);
  const lines = [
    `Knowledge base load + validation (20 runs): p50 ${fmt(load.p50)}, max ${fmt(load.max)} — target < 300 ms`,
    `Question reader build (20 runs, included above): p50 ${fmt(build.p50)}, max ${fmt(build.max)} — target < 100 ms`,
    '',
    row(['query', 'count', 'p50', 'p99', 'max']),
    row(['---', '---', '---', '---', '---']),
    await measure('structured commands (run)', structured),
    await measure('text syntax (handleText)', text),
    firstTime,
    await measure('ask (free-text questions)', questions),
    // The same questions, understood the same way, worded in each language: what a localized answer costs.
    ...(await measureLanguages('ask', askInEach)),
    ...(await fastestByLanguage('ask, fastest of 15 per question', askInEach)),
    await measure('all of the above from the answer cache', fromCache),
    '',
    `Targets: structured p99 < 0.5 ms, ask p99 < 1 ms (uncached, over the ${askCases.length} evaluation questions); a localized ask's p99 within 10% of English.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
