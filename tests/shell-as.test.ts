// `npm start -- --as NAME`: the shell's user, by name, in proposals (default: the OS user). A real process on a real
// SQLite file, as npm start runs it; two editors share one terminal in turn.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN_JS } from './helpers/entry.ts';

const dir = mkdtempSync(join(tmpdir(), 'niger-watch-as-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DB = `file:${join(dir, 'shell.sqlite')}`;

function shell(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENV_FILE: '', DATABASE_URL: DB, LANG: 'C' };
  const child = spawn(process.execPath, [MAIN_JS, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const PROPOSE = 'propose troops country:Italy count:0 date:2026-11-20 source:https://example.org/it publisher:ANSA title:Ritiro published:2026-11-21';

describe('shell --as', () => {
  it('names the author and the approver; the author cannot approve their own; the OS user by default', async () => {
    const proposed = await shell(['--as', 'alice'], `${PROPOSE}\nexit\n`);
    expect(proposed.code).toBe(0);
    const id = /Proposal (P-[A-Z2-9]{6})/.exec(proposed.stdout)?.[1];
    expect(id).toBeDefined();
    const own = await shell(['--as=alice'], `approve ${id}\nexit\n`);
    expect(own.stdout).toMatch(/is yours: another editor must approve it/);
    const byOs = await shell([], `review\nexit\n`);
    expect(byOs.stdout).toContain(`by shell:alice`);
    const approved = await shell(['--as', 'bob'], `approve ${id}\nrevisions italy-2026-11-20\nexit\n`);
    expect(approved.stdout).toContain('by shell:alice, approved by shell:bob');
    const other = await shell([], `${PROPOSE.replace('Italy', 'Spain')}\nreview\nexit\n`);
    expect(other.stdout).toContain(`by shell:${userInfo().username}`);
  });

  it('refuses a name that could inject markup, naming the flag', async () => {
    const bad = await shell(['--as', '<!channel> x'], 'exit\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--as takes a name/);
  });
});
