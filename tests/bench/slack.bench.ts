// Slack adapter throughput and latency: signed slash commands through Bolt's HTTP receiver, loopback only.
// Side by side on the same fake Slack: a bare Bolt app that acks a fixed text; the real Niger Watch adapter
// answering in the ack (the default), with its answer cache on and off; a bare Bolt app that acks and then
// posts a fixed text to the response_url; and the adapter doing the same. Per request: sent → HTTP 200 ack
// received, and sent → reply received (the ack body, or the response_url post).
// The apps run alone on the main thread; the load generator and the fake Slack run in a worker thread,
// so what is measured is the apps' own work, not the client's or the fake's.
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { App, LogLevel } from '@slack/bolt';
import { createSlackApp } from '../../src/adapters/slack/app.ts';
import { createBot } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { signedSlashCommand, slashCommandFields, startFakeSlack, type FakeSlack } from '../fakes/slack.ts';
import { TEST_NOW } from '../helpers/bot.ts';
import { fmt, percentiles, row, threadCpuMs } from './stats.ts';

const N = 2000;
const WARMUP = 300;
/** Rounds per app; more give steadier figures on a busy machine. */
const ROUNDS = Number(process.env.SLACK_BENCH_ROUNDS ?? 5);
const CONCURRENCY = 16;
const TOKEN = 'xoxb-1111-2222-benchbenchbench';
const SECRET = '0123456789abcdef0123456789abcdef';

const TEXTS = [
  'troops France 2023-09',
  'ruler June 2023',
  'who Tiani',
  'timeline from:2023-07 order:oldest limit:5',
  'sources AFP limit:3',
  'places Ouallam',
  'ask how many French soldiers were in Niger in September 2023?',
  'help',
];

interface Target {
  name: string;
  url: string;
  /** The reply comes in the ack's body (containing this text) rather than through the response_url. */
  replyInAck: string | false;
  stop: () => Promise<unknown>;
}

interface Result {
  name: string;
  reqPerSec: number;
  ack: ReturnType<typeof percentiles>;
  reply: ReturnType<typeof percentiles>;
  errors: number;
}

function post(agent: Agent, url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(fake: FakeSlack, target: Target, count: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const acks: number[] = [];
  const replies: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const id = `${target.name.length}-${i}-${Math.random().toString(36).slice(2, 8)}`;
      const fields = slashCommandFields(fake, { text: TEXTS[i % TEXTS.length]!, response_url: fake.responseUrl(id) });
      const { body, headers } = signedSlashCommand(SECRET, fields);
      const start = performance.now();
      const res = await post(agent, target.url, body, headers);
      const acked = performance.now();
      if (res.status !== 200) errors++;
      acks.push(acked - start);
      if (target.replyInAck) {
        if (!res.body.includes(target.replyInAck)) errors++;
        replies.push(acked - start);
      } else {
        const reply = await fake.waitForResponse(id, 10_000);
        if (reply.status !== 200) errors++;
        replies.push(performance.now() - start);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { name: target.name, reqPerSec: count / elapsed, ack: percentiles(acks), reply: percentiles(replies), errors };
}

async function bareApp(fake: Pick<FakeSlack, 'apiUrl'>, respondToo: boolean): Promise<Target> {
  const app = new App({
    token: TOKEN,
    signingSecret: SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });
  if (respondToo) {
    app.command('/niger', async ({ ack, respond }) => {
      await ack();
      await respond({ response_type: 'in_channel', text: 'fixed' });
    });
  } else {
    app.command('/niger', async ({ ack }) => {
      await ack({ response_type: 'in_channel', text: 'fixed' });
    });
  }
  const server = await app.start({ port: 0, host: '127.0.0.1' });
  const port = (server.address() as { port: number }).port;
  return {
    name: respondToo ? 'bare Bolt: ack, then respond(fixed text)' : 'bare Bolt: ack(fixed text)',
    url: `http://127.0.0.1:${port}/slack/events`,
    replyInAck: respondToo ? false : 'fixed',
    stop: () => app.stop(),
  };
}

type ToWorker = { type: 'run'; target: Omit<Target, 'stop'>; count: number } | { type: 'reset' } | { type: 'stop' };
type FromWorker = { type: 'ready'; apiUrl: string } | { type: 'result'; result: Result } | { type: 'done' };

/** The worker thread: fake Slack + load generator, driven by messages from the main thread. */
async function loadWorker(): Promise<void> {
  const fake = await startFakeSlack();
  const port = parentPort!;
  const send = (m: FromWorker) => port.postMessage(m);
  port.on('message', (m: ToWorker) => {
    void (async () => {
      if (m.type === 'run') send({ type: 'result', result: await load(fake, { ...m.target, stop: async () => {} }, m.count) });
      else if (m.type === 'reset') {
        fake.reset();
        send({ type: 'done' });
      } else {
        await fake.close();
        send({ type: 'done' });
        port.close();
      }
    })();
  });
  send({ type: 'ready', apiUrl: fake.apiUrl });
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'slack-bench-load') void loadWorker();

/** Starts the worker (loading TypeScript through tsx) and returns a request/response channel to it. */
async function startLoadWorker(): Promise<{ apiUrl: string; ask: (m: ToWorker) => Promise<FromWorker>; worker: Worker }> {
  const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(code, { eval: true, workerData: { role: 'slack-bench-load' } });
  const queue: ((m: FromWorker) => void)[] = [];
  const first = new Promise<FromWorker>((resolve, reject) => {
    queue.push(resolve);
    worker.once('error', reject);
  });
  worker.on('message', (m: FromWorker) => queue.shift()?.(m));
  const ready = await first;
  if (ready.type !== 'ready') throw new Error('load worker did not start');
  return {
    apiUrl: ready.apiUrl,
    worker,
    ask: (m) =>
      new Promise<FromWorker>((resolve) => {
        queue.push(resolve);
        worker.postMessage(m);
      }),
  };
}

export default async function slackBench(): Promise<void> {
  const load = await startLoadWorker();
  const fake = { apiUrl: load.apiUrl } as FakeSlack;
  const log = createLogger({ level: 'warn' });
  const bot = await createBot({ now: () => TEST_NOW, log });
  // The same core with its answer cache off: every request parses, answers and renders from scratch.
  const uncached = await createBot({ now: () => TEST_NOW, log, answerCacheSize: 0 });
  const config = { botToken: TOKEN, mode: 'http' as const, signingSecret: SECRET, apiUrl: fake.apiUrl, port: 0, adminUserIds: [] };
  const inline = createSlackApp(bot, config, log, { host: '127.0.0.1' });
  const inlineUncached = createSlackApp(uncached, config, log, { host: '127.0.0.1' });
  const viaUrl = createSlackApp(bot, config, log, { host: '127.0.0.1', inlineReplyMs: 0 });
  for (const a of [inline, inlineUncached, viaUrl]) await a.start();
  const url = (a: typeof inline) => `http://127.0.0.1:${a.port()}/slack/events`;
  const targets: Target[] = [
    await bareApp(fake, false),
    { name: 'Niger Watch: answer in the ack (default)', url: url(inline), replyInAck: '"blocks"', stop: () => inline.stop() },
    { name: '↳ the same, answer cache off', url: url(inlineUncached), replyInAck: '"blocks"', stop: () => inlineUncached.stop() },
    await bareApp(fake, true),
    { name: 'Niger Watch: ack, then respond (inlineReplyMs: 0)', url: url(viaUrl), replyInAck: false, stop: () => viaUrl.stop() },
  ];
  const run = async (t: Target, count: number): Promise<Result & { cpuMs: number | null }> => {
    const { stop: _stop, ...target } = t;
    const before = threadCpuMs();
    const m = await load.ask({ type: 'run', target, count });
    const after = threadCpuMs();
    if (m.type !== 'result') throw new Error('unexpected message from the load worker');
    await load.ask({ type: 'reset' });
    return { ...m.result, cpuMs: before === null || after === null ? null : after - before };
  };
  const rounds = new Map<string, (Result & { cpuMs: number | null })[]>(targets.map((t) => [t.name, []]));
  try {
    for (const t of targets) await run(t, WARMUP);
    // Rounds interleave the apps (in alternating order), so a busy moment of the machine hits all of them.
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 ? [...targets].reverse() : targets) rounds.get(t.name)!.push(await run(t, N));
    }
  } finally {
    for (const t of targets) await t.stop();
    await load.ask({ type: 'stop' });
    await load.worker.terminate();
  }

  const summary = targets.map((t) => {
    const rs = rounds.get(t.name)!;
    const byRate = [...rs].sort((a, b) => a.reqPerSec - b.reqPerSec);
    const median = byRate[Math.floor(byRate.length / 2)]!;
    const cpu = rs.every((r) => r.cpuMs !== null) ? rs.reduce((n, r) => n + r.cpuMs!, 0) / (rs.length * N) : null;
    return { ...median, cpuPerRequest: cpu, errors: rs.reduce((n, r) => n + r.errors, 0) };
  });
  const [bareAck, oursInline, oursUncached, bareRespond, oursRespond] = summary as [
    (typeof summary)[number],
    (typeof summary)[number],
    (typeof summary)[number],
    (typeof summary)[number],
    (typeof summary)[number],
  ];
  const pct = (a: { reqPerSec: number }, b: { reqPerSec: number }) => `${((a.reqPerSec / b.reqPerSec) * 100).toFixed(0)}%`;
  const cpuPct = (a: { cpuPerRequest: number | null }, b: { cpuPerRequest: number | null }) =>
    a.cpuPerRequest && b.cpuPerRequest ? `${((b.cpuPerRequest / a.cpuPerRequest) * 100).toFixed(0)}%` : 'n/a';
  const lines = [
    `${N} signed slash commands per app and round, ${ROUNDS} interleaved rounds (median round shown, after ${WARMUP} warm-up), ` +
      `concurrency ${CONCURRENCY}, loopback, a mix of ${TEXTS.length} commands;`,
    'apps on the main thread, load generator and fake Slack in a worker thread. "reply" = sent → answer received',
    "(the ack body, or the response_url post). CPU = the apps' thread, per request, over all rounds.",
    '',
    row(['app', 'req/s', 'ack p50', 'ack p99', 'reply p50', 'reply p99', 'CPU/request', 'errors']),
    row(['---', '---', '---', '---', '---', '---', '---', '---']),
    ...summary.map((r) =>
      row([
        r.name,
        r.reqPerSec.toFixed(0),
        fmt(r.ack.p50),
        fmt(r.ack.p99),
        fmt(r.reply.p50),
        fmt(r.reply.p99),
        r.cpuPerRequest === null ? 'n/a' : fmt(r.cpuPerRequest),
        r.errors,
      ]),
    ),
    '',
    `Ours / bare ack(fixed text), goal ≥ 90%: throughput ${pct(oursInline, bareAck)}, capacity from CPU per request ${cpuPct(oursInline, bareAck)}` +
      ` (answer cache off: ${pct(oursUncached, bareAck)} and ${cpuPct(oursUncached, bareAck)}).`,
    `Through the response_url, ours / bare ack + respond(fixed text): throughput ${pct(oursRespond, bareRespond)}, capacity ${cpuPct(oursRespond, bareRespond)}.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
