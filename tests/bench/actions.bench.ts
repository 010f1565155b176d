// The cost of the buttons under answers (issue 14): rendering an answer with its actions vs the same answer without
// them, as Slack Block Kit (renderMessage: the datepicker, buttons and feedback_buttons, and the answer laid out in
// what they leave of the limits) and as Discord components (renderReply: the month select and buttons); and the
// core's own work, listing an answer's actions. Per call, p50/p99 over many calls, on the main thread alone.
import { performance } from 'node:perf_hooks';
import { renderReply as renderDiscord } from '../../src/adapters/discord/render.ts';
import { renderMessage as renderSlack } from '../../src/adapters/slack/render.ts';
import { answerActions } from '../../src/core/answer-actions.ts';
import type { Reply } from '../../src/core/reply.ts';
import { createBot } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { TEST_CALLER, TEST_NOW } from '../helpers/bot.ts';
import { fmt, percentiles, row } from './stats.ts';

const N = Number(process.env.ACTIONS_BENCH_N ?? 20_000);
const TEXTS = ['troops France', 'troops France 2023-09-05', 'ruler June 2023', 'who Tiani', 'timeline from:2023-07 order:oldest limit:5'];

function time(replies: Reply[], fn: (r: Reply) => unknown): ReturnType<typeof percentiles> {
  for (let i = 0; i < 2000; i++) fn(replies[i % replies.length]!);
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const r = replies[i % replies.length]!;
    const t0 = performance.now();
    fn(r);
    samples.push(performance.now() - t0);
  }
  return percentiles(samples);
}

export default async function main(): Promise<void> {
  const bot = await createBot({ now: () => TEST_NOW, log: createLogger({ level: 'silent' }), answerCacheSize: 0 });
  // Fresh objects (not frozen), so every render is real work rather than a cached rendering.
  const withActions = await Promise.all(TEXTS.map(async (t) => ({ ...(await bot.handleText(t, TEST_CALLER)) })));
  const without = withActions.map(({ actions: _a, ...r }) => r as Reply);
  const counts = withActions.map((r) => r.actions?.length ?? 0);
  process.stdout.write(`${N} calls each over ${TEXTS.length} answers (${counts.join(', ')} actions)\n\n`);
  process.stdout.write(`${row(['what', 'p50', 'p99', 'mean'])}\n${row(['---', '---', '---', '---'])}\n`);
  const line = (name: string, p: ReturnType<typeof percentiles>) => process.stdout.write(`${row([name, fmt(p.p50), fmt(p.p99), fmt(p.mean)])}\n`);
  line(
    'Slack renderMessage, no actions',
    time(without, (r) => renderSlack(r)),
  );
  line(
    'Slack renderMessage, with actions',
    time(withActions, (r) => renderSlack(r)),
  );
  line(
    'Discord renderReply, no actions',
    time(without, (r) => renderDiscord(r)),
  );
  line(
    'Discord renderReply, with actions',
    time(withActions, (r) => renderDiscord(r)),
  );
  const troops = bot.registry.resolve('troops')!;
  const figures = bot.kb.troopHistory('France').map((d) => (d.until ?? d.asOf).end);
  const answer = withActions[1]!;
  line(
    'core: an answer’s actions (troops)',
    time([answer], (r) => answerActions(r, troops, r.rerun!, figures, 'en')),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
