/**
 * Bad input reaching the real processes: a knowledge-base file with a wrong type given to
 * `npm run data:check`, and direction-control characters sent to the running bot in a signed slash command.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawTexts, sendSlashCommand, slashCommandFields, startFakeSlack, type FakeSlack } from '../fakes/slack.ts';
import { slackHttpEnv, startBot, type BotProcess } from '../helpers/bot-process.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../slack/harness.ts';

const run = promisify(execFile);
let dir: string;
let fake: FakeSlack;
let bot: BotProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'niger-watch-input-'));
  fake = await startFakeSlack({ botToken: BOT_TOKEN });
});
afterAll(async () => {
  bot?.kill();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bad input to the real processes', () => {
  it('data:check names a wrong type as a wrong type (count: many), not as a missing field, and exits 1', async () => {
    const data = join(dir, 'data');
    cpSync('data', data, { recursive: true });
    const file = join(data, 'deployments.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('count: 1050', 'count: many'));
    const failed = await run(process.execPath, ['--import', 'tsx', 'src/knowledge/check.ts', data]).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/deployments\.yaml.*count.*must be a number \(got "many"\)/);
    expect(failed?.stderr).not.toMatch(/is missing/);
  });

  it('direction controls (U+061C and the rest) in a slash command never reach the reply', async () => {
    bot = startBot(slackHttpEnv(fake.apiUrl, `file:${join(dir, 'bot.sqlite')}`));
    const m = await bot.waitForOutput(/"port":(\d+),"path":"\/slack\/events"/, 60_000);
    const controls = '\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069';
    const res = await sendSlashCommand(
      `http://127.0.0.1:${m[1]}/slack/events`,
      SIGNING_SECRET,
      slashCommandFields(fake, { text: `troops ${controls}Atlantis${controls}` }),
    );
    expect(res.status).toBe(200);
    const texts = rawTexts(JSON.parse(res.body) as Record<string, unknown>).join('\n');
    expect(texts).toContain('Atlantis');
    expect(texts).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
  });
});
