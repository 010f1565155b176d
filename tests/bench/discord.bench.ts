// Discord adapter throughput and latency through the fake gateway, loopback only: interactions are dispatched
// as INTERACTION_CREATE and timed until their callback reaches the fake. Side by side with a bare discord.js
// client answering a fixed text, in interleaved rounds so machine load affects every client alike. The fakes
// run (and take the timings) in a worker thread, so this thread runs only the clients.
//
// Two extra rows split the difference: the adapter with the core's answer cache off (every answer computed and
// rendered), and a bare client sending the adapter's embeds (precomputed: the cost of the bigger message).
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { createBot } from '../../src/app.ts';
import { startDiscord } from '../../src/adapters/discord/client.ts';
import { renderReply, type DiscordMessage } from '../../src/adapters/discord/render.ts';
import type { Bot } from '../../src/core/bot.ts';
import { createLogger } from '../../src/logger.ts';
import type { InteractionSpec } from '../fakes/discord.ts';
import { fakeDiscordWorker, type FakeDiscordWorker } from '../fakes/discord-worker.ts';
import { TEST_CALLER, TEST_NOW } from '../helpers/bot.ts';
import { fmt, percentiles, row, threadCpuMs } from './stats.ts';

const TOTAL = 4000;
const ROUNDS = 10;
const WARMUP = 200;
/** Interactions in flight at once. */
const CONCURRENCY = 16;
const TOKEN = 'MTE5MDAwMDAwMDAwMDAwMDAwMg.BeNcHx.benchbenchbenchbenchbenchbenchbenchbench';

const MIX: InteractionSpec[] = [
  { path: 'troops', options: { country: 'France', date: '2023-09' } },
  { path: 'ruler', options: { date: 'June 2023' } },
  { path: 'timeline', options: { from: '2023-07', order: 'oldest', limit: 5 } },
  { path: 'who', options: { name: 'Tiani' } },
  { path: 'places', options: { place: 'Ouallam' } },
  { path: 'sources', options: { search: 'AFP', limit: 3 } },
  { path: 'ask', options: { question: 'how many French soldiers were in Niger in September 2023?' } },
  { path: 'help', options: {} },
];

interface Side {
  name: string;
  /** Interactions measured (the diagnostic rows use fewer). */
  total: number;
  fake: { id: number; apiUrl: string; applicationId: string };
  stop: () => Promise<void>;
  samples: number[];
  failures: number;
  elapsed: number;
  /** CPU time of this (the clients') thread while the side was driven, ms; null where it cannot be read. */
  cpu: number | null;
}

async function bareClient(
  worker: FakeDiscordWorker,
  name: string,
  total: number,
  answer: (sub: string) => Parameters<import('discord.js').ChatInputCommandInteraction['reply']>[0],
): Promise<Side> {
  const fake = await worker.start({ token: TOKEN });
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl, version: '10' } });
  client.on(Events.Error, () => undefined);
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) void interaction.reply(answer(interaction.options.getSubcommand())).catch(() => undefined);
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(TOKEN);
  await ready;
  return { name, total, fake, stop: () => client.destroy(), samples: [], failures: 0, elapsed: 0, cpu: 0 };
}

async function adapterSide(worker: FakeDiscordWorker, name: string, total: number, bot: Bot): Promise<Side> {
  const fake = await worker.start({ token: TOKEN });
  const adapter = await startDiscord(bot, { token: TOKEN, applicationId: fake.applicationId, apiUrl: fake.apiUrl }, createLogger({ level: 'silent' }), {
    checkRegistration: false,
  });
  return { name, total, fake, stop: () => adapter.stop(), samples: [], failures: 0, elapsed: 0, cpu: 0 };
}

export default async function discordBench(): Promise<void> {
  const bot = await createBot({ now: () => TEST_NOW, log: createLogger({ level: 'silent' }) });
  const uncached = await createBot({ now: () => TEST_NOW, log: createLogger({ level: 'silent' }), answerCacheSize: 0 });
  const rendered = new Map<string, DiscordMessage>();
  for (const m of MIX) rendered.set(m.path!, renderReply(await bot.run(m.path!, m.options ?? {}, TEST_CALLER)).message);

  const worker = await fakeDiscordWorker();
  const sides: Side[] = [];
  try {
    sides.push(
      await bareClient(worker, 'bare discord.js, fixed text', TOTAL, () => ({ content: 'ok' })),
      await adapterSide(worker, 'Niger Watch adapter (core + embeds)', TOTAL, bot),
      await adapterSide(worker, '↳ the same, answer cache off', TOTAL / 2, uncached),
      await bareClient(worker, '↳ bare discord.js sending the same embeds', TOTAL / 2, (sub) => {
        const m = rendered.get(sub)!;
        return { embeds: m.embeds, allowedMentions: { parse: [] }, ...(m.flags ? { flags: m.flags } : {}) };
      }),
    );
    for (const side of sides) await worker.drive(side.fake.id, { count: WARMUP, concurrency: CONCURRENCY, mix: MIX });
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const before = threadCpuMs();
        const run = await worker.drive(side.fake.id, { count: side.total / ROUNDS, concurrency: CONCURRENCY, mix: MIX });
        const after = threadCpuMs();
        side.cpu = before === null || after === null || side.cpu === null ? null : side.cpu + after - before;
        side.samples.push(...run.samples);
        side.failures += run.failures;
        side.elapsed += run.elapsedMs;
      }
    }
  } finally {
    for (const side of sides) await side.stop();
    await worker.close();
  }
  const rate = (s: Side) => (s.samples.length / s.elapsed) * 1000;
  const cpuPer = (s: Side) => (s.cpu === null ? null : s.cpu / s.samples.length);
  const bare = sides[0]!;
  const ours = sides[1]!;
  const lines = [
    `${TOTAL} interactions (${ROUNDS} interleaved rounds, ${CONCURRENCY} in flight, a mix of 8 commands), dispatch → interaction callback at the fake; loopback only.`,
    '',
    row(['client', 'answered', 'failed', 'interactions/s', 'vs bare', 'p50', 'p99', 'max', 'CPU/interaction']),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---']),
    ...sides.map((s) => {
      const p = percentiles(s.samples);
      const cpu = cpuPer(s);
      return row([
        s.name,
        s.samples.length,
        s.failures,
        rate(s).toFixed(0),
        `${((rate(s) / rate(bare)) * 100).toFixed(0)}%`,
        fmt(p.p50),
        fmt(p.p99),
        fmt(p.max),
        cpu === null ? 'n/a' : fmt(cpu),
      ]);
    }),
    '',
    `Throughput ratio (adapter / bare): ${((rate(ours) / rate(bare)) * 100).toFixed(1)}% — goal ≥ 90%.`,
  ];
  const [cb, co] = [cpuPer(bare), cpuPer(ours)];
  if (cb !== null && co !== null && co > 0) {
    lines.push(`Capacity ratio from CPU per interaction (bare / adapter, steadier on a busy machine): ${((cb / co) * 100).toFixed(1)}%.`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
