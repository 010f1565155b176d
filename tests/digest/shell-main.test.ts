// `npm start` with no platform token: the shell plus embedded SQLite, digests printed to stdout.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreDigestService } from '../../src/digest/service.ts';
import { openStore } from '../../src/storage/open.ts';
import { MAIN_JS } from '../helpers/entry.ts';
import { testKb } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'niger-watch-shell-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runMain(databaseUrl: string, input: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENV_FILE: '', DATABASE_URL: databaseUrl };
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN_JS], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
}

describe('shell mode (no tokens): digest commands on SQLite, digests printed', () => {
  it('subscribes through the shell and keeps the subscription in the SQLite file', async () => {
    const url = `file:${join(dir, 'a', 'digests.sqlite')}`;
    const first = await runMain(url, 'digest subscribe 18:30 Europe/Paris\nexit\n');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Daily digest turned on');
    const second = await runMain(url, 'digest status\nexit\n');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Every day at 18:30 \(Europe\/Paris\)/);
    expect(second.stderr).toBe('');
  });

  it('a digest due while the bot was off (within the catch-up window) is printed when the shell starts', async () => {
    const url = `file:${join(dir, 'b', 'digests.sqlite')}`;
    const store = await openStore(url);
    const now = Date.now();
    const due = new Date(now - 10 * 60_000);
    const time = `${String(due.getUTCHours()).padStart(2, '0')}:${String(due.getUTCMinutes()).padStart(2, '0')}`;
    await new StoreDigestService(store, testKb()).subscribe(
      { platform: 'shell', channelId: 'local' },
      { time, timeZone: 'UTC' },
      'local-user',
      new Date(now - 20 * 60_000),
    );
    await store.close();
    const run = await runMain(url, 'exit\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[digest for #local]');
    expect(run.stdout).toContain('Niger Watch daily digest');
    expect(run.stdout).toContain('Abdourahamane Tiani');
    const check = await openStore(url);
    const [entry] = await check.history({ platform: 'shell', channelId: 'local' }, 1);
    await check.close();
    expect(entry?.status).toBe('late');
  });
});
