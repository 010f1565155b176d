import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, visibleText, type FakeDiscord } from '../fakes/discord.ts';
import { APPLICATION_ID, TEST_TOKEN } from './harness.ts';
import { MAIN_JS } from '../helpers/entry.ts';
import { runJs } from './spawn.ts';

/** `npm start` (dist/src/main.js) with Discord settings, end to end against the fake. */
let fake: FakeDiscord;
let dir: string;

beforeAll(async () => {
  fake = await startFakeDiscord({ token: TEST_TOKEN, applicationId: APPLICATION_ID });
  dir = mkdtempSync(join(tmpdir(), 'niger-watch-discord-'));
});

afterAll(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const base = () => ({
  DISCORD_TOKEN: TEST_TOKEN,
  DISCORD_APPLICATION_ID: APPLICATION_ID,
  DISCORD_API_URL: fake.apiUrl,
  DATABASE_URL: `file:${join(dir, 'digests.sqlite')}`,
});

/** Resolves with the first match of `pattern` in the process's log (stderr), looking again as it grows. */
function logged(run: ReturnType<typeof runJs>, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const look = () => {
      const m = pattern.exec(run.stderr());
      if (m) {
        run.child.stderr!.off('data', look);
        clearTimeout(timer);
        resolve(m);
      }
    };
    const timer = setTimeout(() => {
      run.child.stderr!.off('data', look);
      reject(new Error(`not logged within ${timeoutMs} ms: ${pattern}\n${run.stderr()}`));
    }, timeoutMs);
    run.child.stderr!.on('data', look);
    look();
  });
}

describe('starting with Discord settings', () => {
  // Each case starts a real process (several seconds on a busy machine): one per kind of failure.
  it.each<[string, () => Record<string, string>, RegExp]>([
    ['a missing application id', () => ({ DISCORD_TOKEN: TEST_TOKEN }), /DISCORD_APPLICATION_ID is missing/],
    [
      'a malformed setting',
      () => ({ ...base(), DISCORD_APPLICATION_ID: 'my-app', DISCORD_API_URL: 'ftp://example.com' }),
      /DISCORD_APPLICATION_ID must be the numeric application id.*DISCORD_API_URL/,
    ],
    [
      'a token Discord refuses',
      () => ({ ...base(), DISCORD_TOKEN: 'MTE5MDAwMDAwMDAwMDAwMDAwMg.WrOnGx.wrongwrongwrongwrongwrongwrongwrong' }),
      /refused DISCORD_TOKEN/,
    ],
    ['an API that cannot be reached', () => ({ ...base(), DISCORD_API_URL: 'http://127.0.0.1:1/api' }), /cannot reach .*DISCORD_API_URL/],
  ])(
    '%s stops the start with one clear message naming the variable',
    async (_name, env, message) => {
      const run = runJs(MAIN_JS, env());
      const code = await run.exit;
      expect(code, run.stderr()).toBe(2);
      expect(run.stderr()).toMatch(message);
      expect(run.stderr()).not.toContain(TEST_TOKEN.split('.')[2]!);
      expect(run.stderr()).not.toContain('wrongwrong');
      expect(run.stderr()).not.toMatch(/\n\s+at /); // a message, not a stack trace
    },
    60_000,
  );

  it('valid settings: connects with the Guilds intent, answers /niger, reports ready, stops cleanly on SIGTERM', async () => {
    const since = fake.frames.length;
    const run = runJs(MAIN_JS, { ...base(), LOG_LEVEL: 'debug', METRICS_PORT: '0' });
    try {
      const identify = await fake.waitForFrame((f) => f.direction === 'in' && f.op === 2, 20_000, since);
      expect(identify.d.intents).toBe(1);
      await fake.waitForFrame((f) => f.direction === 'out' && f.t === 'READY', 5000, since);
      const result = await fake.dispatchInteraction({ path: 'ruler', options: { date: 'June 2023' } }).result(8000);
      expect(visibleText(result.message)).toContain('Mohamed Bazoum');
      // main's adapter loop gave /readyz the gateway's readiness, under the adapter's platform name.
      const port = (await logged(run, /"port":(\d+),"paths":\["\/healthz","\/readyz","\/metrics"\],"msg":"health and metrics listening"/))[1];
      await logged(run, /"msg":"running; SIGTERM or SIGINT stops it"/);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { accepting: 'ok', knowledge: 'ok', database: 'ok', discord: 'ok' },
        failed: [],
      });
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exit, run.stderr()).toBe(0);
    expect(run.stderr()).toContain('Discord connected');
    expect(run.stderr() + run.stdout()).not.toContain(TEST_TOKEN.split('.')[2]!);
  }, 60_000);
});
