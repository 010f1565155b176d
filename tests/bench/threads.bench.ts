// Thread follow-ups (src/core/conversations.ts): what a conversation costs the core. The same question asked in a
// thread and outside one, an elliptical follow-up re-run with the thread's command, and the check every other
// message of a thread the bot answered in goes through (message.channels delivers them all). Answer cache on, as
// the bot runs: a follow-up's merged command is answered like any structured request.
import { performance } from 'node:perf_hooks';
import { createBot } from '../../src/app.ts';
import type { Caller } from '../../src/core/command.ts';
import { createLogger } from '../../src/logger.ts';
import { TEST_NOW } from '../helpers/bot.ts';
import { fmt, percentiles, row } from './stats.ts';

const N = 5_000;

export default async function threadsBench(): Promise<void> {
  const bot = await createBot({ now: () => TEST_NOW, log: createLogger({ level: 'silent' }) });
  const caller = (conversation?: string): Caller => ({
    platform: 'bench',
    userId: 'u',
    channelId: 'c',
    canManageChannel: async () => false,
    ...(conversation ? { conversation } : {}),
  });
  const question = 'how many French soldiers were in Niger in September 2023?';
  const lines = [row(['request', 'count', 'p50', 'p99', 'max']), row(['---', '---', '---', '---', '---'])];
  const measure = async (label: string, call: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 50; i++) await call(i);
    const samples: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await call(i);
      samples.push(performance.now() - t0);
    }
    const p = percentiles(samples);
    lines.push(row([label, N, fmt(p.p50), fmt(p.p99), fmt(p.max)]));
  };
  await measure('question, no conversation', () => bot.handleText(question, caller()));
  await measure('question, in a thread (remembered)', (i) => bot.handleText(question, caller(`t${i}`)));
  const years = ['and in 2024?', 'and in 2022?', 'what about Germany?', 'and the Americans?'];
  await measure('question, then an elliptical follow-up (merged, re-run)', async (i) => {
    const c = caller(`f${i}`);
    await bot.handleText(question, c);
    return bot.handleText(years[i % years.length]!, c);
  });
  await measure('other message in an answered thread (no reply)', (i) => bot.followUpIn(i % 2 ? 'thanks, that is what I needed' : 'great', caller('t1')));
  process.stdout.write(`${lines.join('\n')}\n`);
}
