// Start-up and one-shot figures of the real processes, compiled (what `npm start` and `npm run ask` run) and
// through tsx (npm run dev; what npm start ran before the production build): time to the shell prompt, to "running" with
// Slack in HTTP mode against the fake Slack, and the wall time of a one-shot `ask`. Each process's CPU time
// (user + system, from /proc) is reported too: unlike wall time it hardly depends on what else the machine
// runs. Then the cost of the metrics on an answered request, in process.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBot } from '../../src/app.ts';
import { createMetrics } from '../../src/ops/metrics.ts';
import { startFakeSlack } from '../fakes/slack.ts';
import { captureLogger, TEST_CALLER, TEST_NOW } from '../helpers/bot.ts';
import { slackHttpEnv } from '../helpers/bot-process.ts';
import { ASK_JS, MAIN_JS, ROOT } from '../helpers/entry.ts';
import { fmt, percentiles, row } from './stats.ts';

const RUNS = 5;
const VARIANTS = {
  'compiled (dist/)': { main: [MAIN_JS], ask: [ASK_JS] },
  'tsx (npm run dev)': { main: ['--import', 'tsx', 'src/main.ts'], ask: ['--import', 'tsx', 'src/adapters/shell/ask.ts'] },
} as const;

/** User + system CPU of a live process, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Starts `node args`, resolves when its output matches `ready`: wall ms and the CPU it used by then; then ends it. */
function untilReady(args: readonly string[], env: Record<string, string>, ready: RegExp): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LANG: 'C.UTF-8', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`exited (${code}) before ${ready}:\n${out}`));
    const check = (d: Buffer) => {
      out += String(d);
      if (!ready.test(out)) return;
      const wall = performance.now() - t0;
      const cpu = cpuMs(child.pid!);
      child.stdout.off('data', check);
      child.stderr.off('data', check);
      child.off('exit', early);
      child.kill('SIGTERM');
      child.once('exit', () => resolve({ wall, cpu }));
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', early);
  });
}

/** A one-shot process from start to exit: wall ms, and its CPU from GNU time. */
function oneShot(args: readonly string[]): { wall: number; cpu: number } {
  if (!existsSync('/usr/bin/time')) {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, LANG: 'C.UTF-8' }, stdio: 'ignore' });
    return { wall: performance.now() - t0, cpu: Number.NaN };
  }
  const t0 = performance.now();
  const timed = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wall = performance.now() - t0;
  if (timed.status !== 0) throw new Error(`${args.join(' ')} failed:\n${String(timed.stderr)}`);
  const [user, sys] = String(timed.stderr).trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall, cpu: ((user ?? 0) + (sys ?? 0)) * 1000 };
}

function summary(label: string, samples: { wall: number; cpu: number }[]): string {
  const wall = percentiles(samples.map((s) => s.wall));
  const cpu = percentiles(samples.map((s) => s.cpu));
  return row([label, samples.length, fmt(Math.min(...samples.map((s) => s.wall))), fmt(wall.p50), fmt(cpu.p50)]);
}

export default async function startupBench(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'niger-watch-bench-'));
  const fake = await startFakeSlack();
  try {
    process.stdout.write(
      `load average at start: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (2 cores)\n\n`,
    );
    process.stdout.write(`${row(['what', 'runs', 'wall, best', 'wall, median', 'CPU, median'])}\n${row(['---', '---', '---', '---', '---'])}\n`);
    for (const [name, v] of Object.entries(VARIANTS)) {
      const shell: { wall: number; cpu: number }[] = [];
      const slack: { wall: number; cpu: number }[] = [];
      const ask: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < RUNS; i++) {
        shell.push(await untilReady(v.main, { DATABASE_URL: `file:${join(dir, `shell-${i}.sqlite`)}` }, /niger> /));
        slack.push(await untilReady(v.main, slackHttpEnv(fake.apiUrl, `file:${join(dir, `slack-${i}.sqlite`)}`), /running; SIGTERM or SIGINT stops it/));
        ask.push(oneShot([...v.ask, 'who rules niger?']));
      }
      process.stdout.write(`${summary(`${name}: shell prompt`, shell)}\n`);
      process.stdout.write(`${summary(`${name}: Slack HTTP ready ("running")`, slack)}\n`);
      process.stdout.write(`${summary(`${name}: one-shot ask, start to exit`, ask)}\n`);
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }

  // The metrics' cost: the same cached and uncached answers with and without prom-client counting them.
  const log = captureLogger('silent').log;
  const plain = await createBot({ now: () => TEST_NOW, log, answerCacheSize: 0 });
  const metrics = createMetrics({ platforms: ['test'], commands: plain.registry.runnable().map((r) => r.path) });
  const counted = await createBot({ now: () => TEST_NOW, log, answerCacheSize: 0, metrics: metrics.requests });
  const cachedPlain = await createBot({ now: () => TEST_NOW, log });
  const cachedCounted = await createBot({ now: () => TEST_NOW, log, metrics: metrics.requests });
  const N = 20_000;
  const time = async (bot: typeof plain) => {
    for (let i = 0; i < 200; i++) await bot.run('ruler', {}, TEST_CALLER);
    const samples: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await bot.run('ruler', {}, TEST_CALLER);
      samples.push(performance.now() - t0);
    }
    return percentiles(samples);
  };
  process.stdout.write(`\n${row(['request (ruler, structured)', 'n', 'p50', 'p99'])}\n${row(['---', '---', '---', '---'])}\n`);
  for (const [label, bot] of [
    ['computed, no metrics', plain],
    ['computed, metrics', counted],
    ['cached, no metrics', cachedPlain],
    ['cached, metrics', cachedCounted],
  ] as const) {
    const p = await time(bot);
    process.stdout.write(`${row([label, N, fmt(p.p50), fmt(p.p99)])}\n`);
  }
  const t0 = performance.now();
  const text = await metrics.text();
  process.stdout.write(
    `\none /metrics scrape: ${fmt(performance.now() - t0)}, ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples\n`,
  );
}
