// `npm run eval`: how well `ask` answers the question sets in tests/fixtures/ask/, per split, category and
// language. `dev` is for development; `heldout` was written apart from the code, from the facts only, and
// is never tuned on: its failures are not printed unless asked (`-- --show-heldout`).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { ConfigError, loadEnvFile } from '../../src/config.ts';
import type { FeedbackService } from '../../src/core/feedback-port.ts';
import { StoreFeedbackService } from '../../src/storage/feedback-service.ts';
import { openStore, StorageError } from '../../src/storage/open.ts';
import { createBot } from '../../src/app.ts';
import type { Bot } from '../../src/core/bot.ts';
import { renderText } from '../../src/core/render-text.ts';
import { createLogger } from '../../src/logger.ts';
import { TEST_CALLER, TEST_NOW } from '../helpers/bot.ts';
import { leakDetector, ownWording, type LeakDetector } from '../i18n/leaks.ts';

export const SPLITS = ['dev', 'heldout'] as const;
export type Split = (typeof SPLITS)[number];

export interface AskCase {
  q: string;
  lang: 'en' | 'fr' | 'de';
  category: string;
  answered?: boolean;
  contains?: string[];
  excludes?: string[];
}

export type Verdict = { outcome: 'right' } | { outcome: 'declined' | 'wrong'; why: string };

/** The files of each split. A second round of questions was split between the two (see dev2.yaml). */
const FILES: Record<Split, string[]> = {
  dev: ['dev.yaml', 'dev2.yaml', 'dev3.yaml', 'dev4.yaml', 'dev5.yaml'],
  heldout: ['heldout.yaml', 'heldout2.yaml', 'heldout3.yaml', 'heldout4.yaml', 'heldout5.yaml'],
};

export function loadAskCases(split: Split): AskCase[] {
  return FILES[split].flatMap((file) => parse(readFileSync(fileURLToPath(new URL(`../fixtures/ask/${file}`, import.meta.url)), 'utf8')) as AskCase[]);
}

/** A short word ("No", "Yes", "50") counts only as a whole word: "no" is in "November", "50" in "1,500". */
function includes(text: string, wanted: string): boolean {
  const lower = text.toLowerCase();
  const w = wanted.toLowerCase();
  if (w.length > 3) return lower.includes(w);
  return new RegExp(`(^|[^\\p{L}\\p{N}])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'u').test(lower);
}

/**
 * Right, declined (an answerable question the bot said it could not answer) or wrong (answered, but
 * missing what a correct answer must say, saying what it must not, or answering what it should decline).
 */
export function judge(c: AskCase, r: { answered: boolean; text: string }): Verdict {
  const expectAnswered = c.answered ?? true;
  if (!expectAnswered) return r.answered ? { outcome: 'wrong', why: 'answered a question it should decline' } : { outcome: 'right' };
  if (!r.answered) return { outcome: 'declined', why: 'declined' };
  const missing = (c.contains ?? []).filter((s) => !includes(r.text, s));
  const present = (c.excludes ?? []).filter((s) => includes(r.text, s));
  if (missing.length || present.length) {
    const why = [
      missing.length ? `missing ${missing.map((m) => JSON.stringify(m)).join(', ')}` : '',
      present.length ? `says ${present.map((m) => JSON.stringify(m)).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return { outcome: 'wrong', why };
  }
  return { outcome: 'right' };
}

export interface Tally {
  total: number;
  right: number;
  declined: number;
  wrong: number;
}

/**
 * Correctness is judged on the English answer (the fixtures' `contains` are English facts: "22 December 2023",
 * "1,500"): every question is asked with `lang: 'en'`, whatever language it is in.
 */
export async function evaluate(bot: Bot, cases: AskCase[]): Promise<{ verdicts: { c: AskCase; v: Verdict; text: string }[]; tally: Tally }> {
  const verdicts: { c: AskCase; v: Verdict; text: string }[] = [];
  const tally: Tally = { total: 0, right: 0, declined: 0, wrong: 0 };
  for (const c of cases) {
    const r = await bot.run('ask', { question: c.q, lang: 'en' }, TEST_CALLER);
    const text = renderText(r);
    const v = judge(c, { answered: r.answered, text });
    tally.total++;
    tally[v.outcome]++;
    verdicts.push({ c, v, text });
  }
  return { verdicts, tally };
}

export interface LanguageVerdict {
  c: AskCase;
  /** The language the answer was given in. */
  lang: string;
  /** English sentences in a French or German answer (see tests/i18n/leaks.ts). */
  leaks: string[];
  inLanguage: boolean;
}

/**
 * The second measure: asked naturally (no `lang:`, by a reader whose platform gives no language), is the answer
 * in the question's language, with no English sentence in a French or German one? The leak detector counts
 * the English catalog's sentences and the knowledge base's English text where a translation exists, in the
 * bot's own wording (not in citations or quotes).
 */
export async function evaluateLanguage(bot: Bot, cases: AskCase[]): Promise<LanguageVerdict[]> {
  const detectors = new Map<string, LeakDetector>();
  const out: LanguageVerdict[] = [];
  for (const c of cases) {
    const r = await bot.run('ask', { question: c.q }, TEST_CALLER);
    const lang = r.lang ?? 'en';
    let detector = detectors.get(c.lang);
    if (!detector) detectors.set(c.lang, (detector = leakDetector(bot.kb, c.lang)));
    const leaks = c.lang === 'en' ? [] : detector.leaks(ownWording(r));
    out.push({ c, lang, leaks, inLanguage: lang === c.lang && leaks.length === 0 });
  }
  return out;
}

function pct(n: number, d: number): string {
  return d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`;
}

function line(label: string, t: Tally): string {
  return `  ${label.padEnd(16)} ${String(t.right).padStart(4)}/${String(t.total).padEnd(4)} ${pct(t.right, t.total).padStart(6)} right  ${pct(t.wrong, t.total).padStart(6)} wrong  ${pct(t.declined, t.total).padStart(6)} declined`;
}

function languageLine(label: string, vs: LanguageVerdict[]): string {
  const n = vs.filter((v) => v.inLanguage).length;
  const wrongLang = vs.filter((v) => v.lang !== v.c.lang).length;
  const leaked = vs.filter((v) => v.lang === v.c.lang && v.leaks.length > 0).length;
  return `  ${label.padEnd(16)} ${String(n).padStart(4)}/${String(vs.length).padEnd(4)} ${pct(n, vs.length).padStart(6)} in language  ${pct(wrongLang, vs.length).padStart(6)} other language  ${pct(leaked, vs.length).padStart(6)} with English`;
}

function groupBy(verdicts: { c: AskCase; v: Verdict }[], key: (c: AskCase) => string): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const { c, v } of verdicts) {
    const k = key(c);
    const t = out.get(k) ?? { total: 0, right: 0, declined: 0, wrong: 0 };
    t.total++;
    t[v.outcome]++;
    out.set(k, t);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * `npm run eval -- --feedback`: the answers people marked "Not helpful" (issue 14), as candidate cases in the fixtures'
 * YAML shape, each with what the bot said as a comment; a desk fills in `contains` and moves the case to a split.
 */
export async function feedbackCandidates(service: FeedbackService, limit = 200): Promise<string> {
  const rows = await service.notHelpful(limit);
  if (rows.length === 0) return '# No "not helpful" feedback yet.\n';
  const lines = [`# ${rows.length} answer(s) marked "not helpful", newest first: candidate test cases.`];
  for (const r of rows) {
    const said = r.answer.split('\n').filter(Boolean).slice(0, 4).join(' | ').slice(0, 300);
    lines.push(
      '',
      `# ${r.at.toISOString()} ${r.platform} ${r.userId} (${r.command}): ${said}`,
      stringify([{ q: r.question, lang: r.lang, category: 'feedback', contains: [] }]).trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--feedback')) {
  try {
    loadEnvFile();
    const store = await openStore(process.env.DATABASE_URL);
    try {
      process.stdout.write(await feedbackCandidates(new StoreFeedbackService(store)));
    } finally {
      await store.close();
    }
  } catch (err) {
    if (!(err instanceof StorageError || err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const showHeldout = process.argv.includes('--show-heldout');
  const quiet = process.argv.includes('--quiet');
  const bot = await createBot({ now: () => TEST_NOW, log: createLogger({ level: 'silent' }), answerCacheSize: 0 });
  for (const split of SPLITS) {
    const { verdicts, tally } = await evaluate(bot, loadAskCases(split));
    const printFailures = !quiet && (split === 'dev' || showHeldout);
    if (printFailures) {
      for (const { c, v, text } of verdicts) {
        if (v.outcome === 'right') continue;
        process.stdout.write(`✗ [${split} ${c.category} ${c.lang}] ${c.q}\n    ${v.why}\n    ${text.split('\n').slice(0, 3).join(' | ').slice(0, 240)}\n`);
      }
    }
    process.stdout.write(`\n${split}:\n${line('all', tally)}\n`);
    for (const [lang, t] of groupBy(verdicts, (c) => c.lang)) process.stdout.write(`${line(`lang ${lang}`, t)}\n`);
    for (const [category, t] of groupBy(verdicts, (c) => c.category)) process.stdout.write(`${line(category, t)}\n`);
    const languages = await evaluateLanguage(bot, loadAskCases(split));
    if (printFailures && process.argv.includes('--show-language')) {
      for (const v of languages) {
        if (v.inLanguage) continue;
        process.stdout.write(
          `✗ [${split} language ${v.c.lang}] ${v.c.q}\n    answered in ${v.lang}${
            v.leaks.length
              ? `; English: ${v.leaks
                  .slice(0, 3)
                  .map((l) => JSON.stringify(l))
                  .join(', ')}`
              : ''
          }\n`,
        );
      }
    }
    process.stdout.write(`${split}, answered in the asked language (asked without lang:):\n${languageLine('all', languages)}\n`);
    for (const lang of [...new Set(languages.map((v) => v.c.lang))].sort()) {
      process.stdout.write(
        `${languageLine(
          `lang ${lang}`,
          languages.filter((v) => v.c.lang === lang),
        )}\n`,
      );
    }
  }
}
