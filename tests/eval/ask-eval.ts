// `npm run eval`: the accuracy of `ask` on tests/fixtures/ask-questions.yaml.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createBot } from '../../src/app.ts';
import { renderText } from '../../src/core/render-text.ts';
import { createLogger } from '../../src/logger.ts';
import { TEST_CALLER, TEST_NOW } from '../helpers/bot.ts';

export interface AskCase {
  q: string;
  command: string;
  answered?: boolean;
  contains?: string[];
}

export function loadAskCases(): AskCase[] {
  const path = fileURLToPath(new URL('../fixtures/ask-questions.yaml', import.meta.url));
  return parse(readFileSync(path, 'utf8')) as AskCase[];
}

/** Why an answer is wrong, or null when it is right. */
export function judge(c: AskCase, r: { command: string; answered: boolean; text: string }): string | null {
  const expectAnswered = c.answered ?? true;
  if (r.command !== c.command) return `routed to ${r.command}, expected ${c.command}`;
  if (r.answered !== expectAnswered) return `answered=${r.answered}, expected ${expectAnswered}`;
  const missing = (c.contains ?? []).filter((s) => !r.text.includes(s));
  return missing.length ? `missing ${missing.map((m) => JSON.stringify(m)).join(', ')}` : null;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bot = await createBot({ now: () => TEST_NOW, log: createLogger({ level: 'silent' }) });
  const cases = loadAskCases();
  let right = 0;
  for (const c of cases) {
    const r = await bot.run('ask', { question: c.q }, TEST_CALLER);
    const verdict = judge(c, { command: r.command, answered: r.answered, text: renderText(r) });
    if (verdict === null) right++;
    else process.stdout.write(`✗ ${c.q}\n    ${verdict}\n`);
  }
  process.stdout.write(`\nask accuracy: ${right}/${cases.length} = ${((100 * right) / cases.length).toFixed(1)}%\n`);
}
