/**
 * The bot as a process under the operator's hands: stopped through `npm start` by SIGTERM and SIGINT (as a
 * container runtime and a terminal do), started on a database it cannot write or at an impossible path,
 * and stopped while nobody reads its log pipe. Each case starts the real bot (src/main.ts) against the fake
 * Slack; none mocks our code.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.ts';
import { BOT_TOKEN } from '../slack/harness.ts';
import { childrenOf, isRunning, slackHttpEnv, startBot, type BotProcess, type StartOptions } from '../helpers/bot-process.ts';

/** Longer than any graceful stop or failed start takes here; past it the process is taken to hang. */
const BOUND_MS = 20_000;
/** Logged once the signal handlers are in place; before it a signal kills the bot. */
const RUNNING = /"pid":(\d+),[^\n]*"msg":"running; SIGTERM or SIGINT stops it"/;

let fake: FakeSlack;
let dir: string;
const started: BotProcess[] = [];
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ botToken: BOT_TOKEN });
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'niger-watch-process-'));
});
afterEach(() => {
  for (const p of started.splice(0)) p.kill();
  for (const c of cleanups.splice(0).reverse()) c();
  rmSync(dir, { recursive: true, force: true });
});

function slackEnv(extra: Record<string, string> = {}): Record<string, string> {
  return slackHttpEnv(fake.apiUrl, `file:${join(dir, 'bot.sqlite')}`, extra);
}

function start(env: Record<string, string>, options: StartOptions = {}): BotProcess {
  const p = startBot(env, options);
  started.push(p);
  return p;
}

describe('npm start and signals', () => {
  it.each([
    ['SIGTERM', 'npm'],
    ['SIGINT', 'npm'],
    ['SIGTERM', 'the process npm started'],
    ['SIGINT', 'the process npm started'],
  ] as const)('%s to %s stops the bot gracefully: exit 0, nothing left running', async (signal, target) => {
    const p = start(slackEnv(), { viaNpm: true });
    const botPid = Number((await p.waitForOutput(RUNNING))[1]);
    p.descendants(); // remembered, so that a broken stop leaves no orphan behind this test
    const npmStarted = childrenOf(p.pid);
    expect(npmStarted).toHaveLength(1);
    process.kill(target === 'npm' ? p.pid : npmStarted[0]!, signal);
    expect(await p.exitedWithin(BOUND_MS), p.output()).toBe(0);
    expect(p.output()).toContain(`"signal":"${signal}","msg":"shutting down"`);
    expect(p.output()).toContain('Slack adapter stopped');
    expect(isRunning(botPid), `bot pid ${botPid} still running after npm exited`).toBe(false);
  });
});

/**
 * Makes `path` unwritable for the bot: chmod for an ordinary user; as root (who writes through any mode),
 * the immutable attribute, or else the bot runs as nobody on files it does not own.
 */
function unwritable(path: string, mode: number): StartOptions {
  if (process.getuid?.() !== 0) {
    chmodSync(path, mode);
    cleanups.push(() => chmodSync(path, 0o755));
    return {};
  }
  try {
    execFileSync('chattr', ['+i', path], { stdio: 'ignore' });
    cleanups.push(() => execFileSync('chattr', ['-i', path], { stdio: 'ignore' }));
    return {};
  } catch {
    chownSync(dir, 65534, 65534);
    chmodSync(path, mode);
    return { uid: 65534, gid: 65534 };
  }
}

describe('a database the bot cannot write', () => {
  async function migratedDatabase(): Promise<string> {
    const path = join(dir, 'bot.sqlite');
    const store = await openStore(`file:${path}`);
    await store.close();
    return path;
  }

  it('a read-only SQLite file stops the start with exit 2 and the path', async () => {
    const path = await migratedDatabase();
    const p = start({ ...slackEnv(), HOME: dir }, unwritable(path, 0o444));
    expect(await p.exitedWithin(BOUND_MS), p.output()).toBe(2);
    expect(p.output()).toContain(path);
    expect(p.output()).toMatch(/read-only/);
    expect(p.output()).not.toMatch(/Slack adapter listening/);
  });

  it('a SQLite file in a directory the bot cannot write (no room for -wal and -shm) stops with exit 2 and the path', async () => {
    const path = await migratedDatabase();
    const p = start({ ...slackEnv(), HOME: tmpdir() }, unwritable(dir, 0o555));
    expect(await p.exitedWithin(BOUND_MS), p.output()).toBe(2);
    expect(p.output()).toContain(path);
    expect(p.output()).toMatch(/read-only/);
  });

  it('DATABASE_URL=file:/proc/… fails fast with exit 2 and the path', async () => {
    const path = '/proc/niger-watch/digests.sqlite';
    const p = start(slackEnv({ DATABASE_URL: `file:${path}` }));
    expect(await p.exitedWithin(BOUND_MS), p.output()).toBe(2);
    expect(p.output()).toContain(path);
  });
});

describe('the log pipe', () => {
  it('SIGTERM still stops the bot (exit 0) after the reader of its stdout and stderr is gone', async () => {
    const p = start(slackEnv());
    await p.waitForOutput(RUNNING);
    p.child.stdout!.destroy();
    p.child.stderr!.destroy();
    p.child.kill('SIGTERM');
    expect(await p.exitedWithin(BOUND_MS)).toBe(0);
  });
});

describe('the shell (no platform token)', () => {
  it('SIGTERM stops it with exit 0 while it waits at the prompt', async () => {
    const p = start({ DATABASE_URL: `file:${join(dir, 'shell.sqlite')}`, LANG: 'C.UTF-8' });
    await p.waitForOutput(/niger> /);
    p.child.kill('SIGTERM');
    expect(await p.exitedWithin(BOUND_MS)).toBe(0);
  });
});
