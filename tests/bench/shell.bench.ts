// The shell's rendering (`npm run bench shell`): a long timeline answer (50 events, `timeline limit:50`) wrapped to
// 80 and 40 columns, in colour and without, against core's renderText for the same reply (what piped output and
// Slack's fallback cost). The answer is computed once: this measures what the shell adds per answer it prints. Then
// Tab completion, which runs on a keypress.
import { performance } from 'node:perf_hooks';
import { shellCompleter } from '../../src/adapters/shell/complete.ts';
import { renderTerminal } from '../../src/adapters/shell/terminal.ts';
import { createBot } from '../../src/app.ts';
import { renderText } from '../../src/core/render-text.ts';
import { createLogger } from '../../src/logger.ts';
import { TEST_CALLER, TEST_NOW } from '../helpers/bot.ts';
import { fmt, percentiles, row } from './stats.ts';

const RUNS = 5_000;

function measure(label: string, render: () => string | number): string {
  for (let i = 0; i < 200; i++) render(); // warm-up: the JIT has compiled the wrapper before the samples
  const samples: number[] = [];
  let chars = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const out = render();
    chars = typeof out === 'number' ? out : out.length;
    samples.push(performance.now() - t0);
  }
  const p = percentiles(samples);
  return row([label, RUNS, fmt(p.p50), fmt(p.p99), fmt(p.max), chars]);
}

export default async function bench(): Promise<void> {
  const bot = await createBot({ now: () => TEST_NOW, log: createLogger({ level: 'silent' }) });
  const reply = await bot.handleText('timeline limit:50', TEST_CALLER);
  process.stdout.write(`A ${reply.items.length}-event timeline, ${renderText(reply).split('\n').length} lines unwrapped.\n\n`);
  process.stdout.write(`${row(['rendering', 'runs', 'p50', 'p99', 'max', 'characters'])}\n${row(['---', '---', '---', '---', '---', '---'])}\n`);
  process.stdout.write(`${measure('renderText (piped shell, Slack fallback)', () => renderText(reply))}\n`);
  process.stdout.write(`${measure('terminal, 80 columns, no colour', () => renderTerminal(reply, { width: 80, colour: false }))}\n`);
  process.stdout.write(`${measure('terminal, 80 columns, colour', () => renderTerminal(reply, { width: 80, colour: true }))}\n`);
  process.stdout.write(`${measure('terminal, 40 columns, colour', () => renderTerminal(reply, { width: 40, colour: true }))}\n`);
  // Tab completion runs on the keypress: the largest pool it searches is the time zones.
  const complete = shellCompleter(bot);
  process.stdout.write(`\n${row(['Tab completion', 'runs', 'p50', 'p99', 'max', 'candidates'])}\n${row(['---', '---', '---', '---', '---', '---'])}\n`);
  for (const line of ['tr', 'troops country:', 'digest subscribe timezone:Europe/', 'timeline topic:w']) {
    process.stdout.write(`${measure(`\`${line}\``, () => complete(line)[0].length)}\n`);
  }
}
