/**
 * The Slack HTTP receiver of the real bot process (src/main.ts) under hostile traffic: connections that pin
 * memory without a signature, signed requests with a timestamp far off, replayed requests, and Slack's
 * retries landing on another instance that shares the store.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventCallback,
  responseUrlId,
  signedHeaders,
  signedSlashCommand,
  slackTs,
  slashCommandFields,
  startFakeSlack,
  visibleText,
  type AppResponse,
  type FakeSlack,
} from '../fakes/slack.ts';
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET } from '../slack/harness.ts';
import { PG_URL, postgresEnabled } from '../storage/backends.ts';
import { slackHttpEnv, startBot, type BotProcess } from '../helpers/bot-process.ts';

const MB = 1024 * 1024;
const LISTENING = /"port":(\d+),"path":"\/slack\/events","msg":"Slack adapter listening \(HTTP\)"/;

let dir: string;
let fake: FakeSlack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'niger-watch-receiver-'));
  fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface RunningBot {
  bot: BotProcess;
  url: string;
  port: number;
}

async function startHttpBot(databaseUrl: string): Promise<RunningBot> {
  const bot = startBot(slackHttpEnv(fake.apiUrl, databaseUrl));
  try {
    const m = await bot.waitForOutput(LISTENING, 60_000);
    const port = Number(m[1]);
    return { bot, port, url: `http://127.0.0.1:${port}/slack/events` };
  } catch (err) {
    bot.kill();
    throw err;
  }
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<AppResponse> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/** A signed "/niger ruler June 2023" (answered in the ack), with its response_url id. */
function rulerCommand(timestamp?: number) {
  const fields = slashCommandFields(fake, { text: 'ruler June 2023' });
  return { ...signedSlashCommand(SIGNING_SECRET, fields, timestamp === undefined ? {} : { timestamp }), id: responseUrlId(fields.response_url!) };
}

function answeredRuler(res: AppResponse): boolean {
  return res.status === 200 && visibleText(JSON.parse(res.body || '{}') as Record<string, unknown>).includes('Mohamed Bazoum');
}

/**
 * One attacking connection: headers with a fresh timestamp and a made-up signature, then a body of
 * `declared` bytes of which only `declared - 1` are sent. `settled` resolves once the bot has taken every
 * byte sent (the write flushed) or closed the connection; `response` is what the bot answered, if anything.
 */
interface Held {
  settled: Promise<void>;
  closed: Promise<void>;
  response(): string;
  socket: Socket;
}

function holdBody(port: number, declared: number, chunked: boolean, body: Buffer): Held {
  const socket = connect(port, '127.0.0.1');
  let response = '';
  socket.on('data', (d: Buffer) => {
    response += d.toString('latin1');
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const head =
    'POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `X-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=${'0'.repeat(64)}\r\n` +
    (chunked ? `Transfer-Encoding: chunked\r\n\r\n${declared.toString(16)}\r\n` : `Content-Length: ${declared}\r\n\r\n`);
  const written = new Promise<void>((resolve) => {
    socket.write(head);
    socket.write(body.subarray(0, declared - 1), () => resolve());
  });
  return { socket, closed, settled: Promise.race([written, closed]), response: () => response };
}

describe('memory pinned without a signature', () => {
  it('150 connections holding back the last byte of ~4 MB bodies raise RSS by < 50 MB, and a signed command is still answered', async () => {
    const { bot, port, url } = await startHttpBot(`file:${join(dir, 'memory.sqlite')}`);
    const sockets: Socket[] = [];
    try {
      // Warm up (the first command loads the answer path), then take the baseline.
      const warm = rulerCommand();
      expect(answeredRuler(await post(url, warm.body, warm.headers))).toBe(true);
      const before = bot.rss();
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, bot.rss());
      }, 25);
      try {
        const body = Buffer.alloc(4 * MB, 'a');
        // Half declare their length, half stream it chunked (no length to refuse up front).
        const big = Array.from({ length: 150 }, (_, i) => holdBody(port, 4 * MB, i % 2 === 1, body));
        // And 100 stay within any body limit, holding their last byte until the bot gives up on them.
        const small = Array.from({ length: 100 }, () => holdBody(port, 40 * 1024, false, body));
        sockets.push(...[...big, ...small].map((h) => h.socket));
        await Promise.all([...big, ...small].map((h) => h.settled));
        peak = Math.max(peak, bot.rss());
        // During the attack (the small ones are still open), a properly signed command is answered.
        const during = rulerCommand();
        const res = await post(url, during.body, during.headers);
        peak = Math.max(peak, bot.rss());
        expect(small.filter((h) => h.socket.readyState === 'open').length).toBeGreaterThan(0);
        expect(answeredRuler(res)).toBe(true);
        console.log(
          `slack receiver memory: RSS ${(before / MB).toFixed(0)} MB before, peak ${(peak / MB).toFixed(0)} MB during the attack (+${((peak - before) / MB).toFixed(1)} MB)`,
        );
        expect(peak - before).toBeLessThan(50 * MB);
        // The oversized bodies were refused (413) and their connections closed, not read to the end.
        await Promise.all(big.map((h) => h.closed));
        expect(big.every((h) => h.response() === '' || h.response().startsWith('HTTP/1.1 413'))).toBe(true);
        expect(big.some((h) => h.response().startsWith('HTTP/1.1 413'))).toBe(true);
        // The stalled small bodies are cut off (408) once the body-read timeout passes, not after minutes.
        await Promise.race([
          Promise.all(small.map((h) => h.closed)),
          new Promise((_, reject) => setTimeout(() => reject(new Error('stalled bodies still open after 30 s')), 30_000)),
        ]);
        expect(small.every((h) => h.response().startsWith('HTTP/1.1 408'))).toBe(true);
      } finally {
        clearInterval(sampler);
      }
    } finally {
      for (const s of sockets) s.destroy();
      bot.kill();
    }
  });
});

describe('timestamps and replays', () => {
  let running: RunningBot;
  beforeAll(async () => {
    running = await startHttpBot(`file:${join(dir, 'replay.sqlite')}`);
  });
  afterAll(() => running?.bot.kill());

  it.each([
    ['10 minutes in the future', 10 * 60],
    ['a year in the future', 365 * 24 * 3600],
    ['6 minutes in the past', -6 * 60],
  ])('a correctly signed command with a timestamp %s gets 401 and is not answered', async (_label, offset) => {
    const cmd = rulerCommand(Math.floor(Date.now() / 1000) + offset);
    const res = await post(running.url, cmd.body, cmd.headers);
    expect(res.status).toBe(401);
    expect(res.body).toBe('');
    // A fresh command is answered; by then the rejected one would have been too.
    const ok = rulerCommand();
    expect(answeredRuler(await post(running.url, ok.body, ok.headers))).toBe(true);
    expect(fake.responses.some((r) => r.id === cmd.id)).toBe(false);
  });

  it('the same signed request sent three times is answered once', async () => {
    const cmd = rulerCommand();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await post(running.url, cmd.body, cmd.headers));
    expect(answeredRuler(results[0]!)).toBe(true);
    expect(results.slice(1).map((r) => r.status)).toEqual([401, 401]);
    expect(results.slice(1).every((r) => r.body === '')).toBe(true);
  });
});

/** A signed Events API delivery, with Slack's retry headers when `retryNum` is given. */
function eventHeaders(raw: string, retryNum?: number, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    ...signedHeaders(SIGNING_SECRET, raw, 'application/json', { timestamp }),
    ...(retryNum === undefined ? {} : { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' }),
  };
}

const pgOn = await postgresEnabled();

interface SharedStore {
  url: string;
  cleanup(): Promise<void>;
}

async function sqliteShared(): Promise<SharedStore> {
  return { url: `file:${join(dir, `shared-${randomBytes(3).toString('hex')}.sqlite`)}`, cleanup: async () => undefined };
}

/** A schema of its own in the test database; both processes find their tables there through search_path. */
async function postgresShared(): Promise<SharedStore> {
  const schema = `nw_fault_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), cleanup: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

describe.each([
  ['SQLite file', sqliteShared, false],
  ['PostgreSQL', postgresShared, !pgOn],
] as const)('two instances on one %s', (_name, makeStore, skip) => {
  let shared: SharedStore;
  let a: RunningBot;
  let b: RunningBot;
  beforeAll(async () => {
    if (skip) return;
    shared = await makeStore();
    a = await startHttpBot(shared.url);
    b = await startHttpBot(shared.url);
  }, 120_000);
  afterAll(async () => {
    a?.bot.kill();
    b?.bot.kill();
    await shared?.cleanup();
  });

  const postsTo = (channel: string) =>
    fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.status === 200 && (c.response as { ok?: boolean }).ok);

  it.skipIf(skip)('a retried app_mention (same event_id, x-slack-retry-num: 1) reaching the other instance is answered once', async () => {
    const channel = `C0RETRY${randomBytes(3).toString('hex').toUpperCase()}`;
    const body = eventCallback(fake, { type: 'app_mention', user: 'U0ANN', text: `<@${fake.botUserId}> ruler June 2023`, ts: slackTs(), channel });
    const raw = JSON.stringify(body);
    const sent = Math.floor(Date.now() / 1000);
    expect((await post(a.url, raw, eventHeaders(raw, undefined, sent - 2))).status).toBe(200);
    await fake.waitFor(() => postsTo(channel)[0], 10_000, 'the first answer');
    // Slack's retry is signed afresh (a later timestamp, so another signature); it lands on the other instance.
    expect((await post(b.url, raw, eventHeaders(raw, 1, sent))).status).toBe(200);
    // A later mention to the same instance is answered after the retry was processed.
    const later = `C0LATER${randomBytes(3).toString('hex').toUpperCase()}`;
    const next = JSON.stringify(eventCallback(fake, { type: 'app_mention', user: 'U0ANN', text: `<@${fake.botUserId}> ruler`, ts: slackTs(), channel: later }));
    await post(b.url, next, eventHeaders(next));
    await fake.waitFor(() => postsTo(later)[0], 10_000, 'the later answer');
    expect(postsTo(channel)).toHaveLength(1);
  });

  it.skipIf(skip)('a signed request replayed to the other instance is refused there', async () => {
    const cmd = rulerCommand();
    expect(answeredRuler(await post(a.url, cmd.body, cmd.headers))).toBe(true);
    const replay = await post(b.url, cmd.body, cmd.headers);
    expect(replay.status).toBe(401);
    expect(replay.body).toBe('');
  });
});
