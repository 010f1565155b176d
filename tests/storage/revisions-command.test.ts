import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { parse, stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runShell } from '../../src/adapters/shell/shell.ts';
import type { Bot } from '../../src/core/bot.ts';
import { renderText } from '../../src/core/render-text.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { StoreRevisionService } from '../../src/storage/revision-service.ts';
import { importSeed } from '../../src/storage/seed.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { MAIN_JS } from '../helpers/entry.ts';
import { openStore } from '../../src/storage/open.ts';
import { backendMatrix, type TestDb } from './backends.ts';

const matrix = await backendMatrix();
const LATER = Date.parse('2026-12-03T09:30:00Z');

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`revisions command on ${backend.name}`, () => {
    let db: TestDb;
    let bot: Bot;
    let dir: string;
    beforeEach(async () => {
      db = await backend.open();
      dir = mkdtempSync(join(tmpdir(), 'niger-watch-seed-'));
      cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
      await importSeed(db.store, dir, { now: LATER - 86_400_000 });
      bot = await testBot({ services: { revisions: new StoreRevisionService(db.store) } });
    });
    afterEach(async () => {
      await db?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lists every revision with its number, author, approver, recorded time and sources', async () => {
      const path = join(dir, 'deployments.yaml');
      const list = parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
      list.find((e) => e.id === 'france-2023-07')!.sources = ['afp-dpa-2023-09-05'];
      writeFileSync(path, stringify(list));
      await importSeed(db.store, dir, { now: LATER });
      const [, r2] = await db.store.revisionsOf('deployments', 'france-2023-07');
      await db.store.appendRevisions([
        { after: 2, revision: { ...r2!, author: 'U-EDITOR', approver: 'U-SECOND', contentHash: 'x', recordedAt: LATER + 3_600_000 } },
      ]);

      const r = await bot.handleText('/niger revisions france-2023-07', TEST_CALLER);
      expect(r).toMatchObject({ command: 'revisions', kind: 'admin', title: 'Revisions of france-2023-07' });
      expect(r.body).toBe('3 revisions (deployments), oldest first.');
      expect(r.items).toEqual([
        'deployments #1 · recorded Sunday 29 November 2026, 00:00 UTC (UTC+00:00) · by data/ · no approver · sources: afp-dpa-2023-09-05, tagesspiegel-2023-09-05, vol-at-2023-09-05, kuna-2023-09-24',
        'deployments #2 · recorded Thursday 3 December 2026, 09:30 UTC (UTC+00:00) · by data/ · no approver · sources: afp-dpa-2023-09-05',
        'deployments #3 (current) · recorded Thursday 3 December 2026, 10:30 UTC (UTC+00:00) · by U-EDITOR · approved by U-SECOND · sources: afp-dpa-2023-09-05',
      ]);
      // The sources are cited as every answer cites them.
      expect(r.citations.map((c) => c.sourceId)).toEqual(['afp-dpa-2023-09-05', 'tagesspiegel-2023-09-05', 'vol-at-2023-09-05', 'kuna-2023-09-24']);
      const fr = await bot.handleText('revisions france-2023-07 lang:fr', TEST_CALLER);
      expect(fr.items[2]).toBe(
        'deployments n° 3 (actuelle) · enregistrée le jeudi 3 décembre 2026 à 10:30 UTC (UTC+00:00) · par U-EDITOR · approuvée par U-SECOND · sources : afp-dpa-2023-09-05',
      );
    });

    it("an office term's id shows its office's revisions, saying so", async () => {
      const r = await bot.handleText('revisions salou-djibo-csrd', TEST_CALLER);
      expect(r.title).toBe('Revisions of niger-head-of-state');
      expect(r.items).toHaveLength(1);
      expect(r.items[0]).toMatch(/^offices #1 \(current\) · recorded Tuesday 1 December 2026, 00:00 UTC .* · sources: grioo-afp-2011-04-07, /);
      expect(r.notes).toEqual([
        '“salou-djibo-csrd” is a term of the office niger-head-of-state: terms are revised with their office, whose revisions these are.',
      ]);
    });

    it('refuses an unknown id, naming it', async () => {
      for (const [text, shown] of [
        ['revisions france-2099-01', 'france-2099-01'],
        ['revisions id:France 2023 <!channel>', 'France 2023 <!channel>'],
      ] as const) {
        const r = await bot.handleText(text, TEST_CALLER);
        expect(r.kind).toBe('error');
        expect(r.visibility).toBe('ephemeral');
        expect(r.body).toContain(`No knowledge entry has the id “${shown}”.`);
        expect(r.body).toContain('revisions france-2023-07');
      }
      // What the user typed is cleaned before it is quoted back (no control characters reach the platform).
      const r = await bot.handleText('revisions id:abc\u0007\u202Edef', TEST_CALLER);
      expect(r.body).toContain('“abcdef”');
    });

    it('answers in the shell text syntax', async () => {
      const input = new PassThrough();
      const output = new PassThrough();
      let printed = '';
      output.on('data', (d) => (printed += String(d)));
      const done = runShell(bot, { input, output });
      input.end('revisions france-2023-07\nrevisions nothing-like-this\n');
      await done;
      expect(printed).toContain('Revisions of france-2023-07');
      expect(printed).toContain('deployments #1 (current) · recorded Sunday 29 November 2026');
      expect(printed).toContain('No knowledge entry has the id “nothing-like-this”.');
    });
  });
}

describe('revisions command without a store', () => {
  it('says history needs a database', async () => {
    const r = await (await testBot()).handleText('revisions france-2023-07', TEST_CALLER);
    expect(r.kind).toBe('error');
    expect(renderText(r)).toContain('Revision history is not available here: this bot runs without a database.');
  });
});

/** The bot as `npm start` runs it, in the shell, on a SQLite file. */
function runMain(databaseUrl: string, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENV_FILE: '', DATABASE_URL: databaseUrl };
  const child = spawn(process.execPath, [MAIN_JS], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('the bot at start', () => {
  it('imports data/ into its store once: revisions answers at the first start, and the second start adds nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'niger-watch-main-'));
    try {
      const url = `file:${join(dir, 'bot.sqlite')}`;
      const first = await runMain(url, 'revisions france-2023-07\nexit\n');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('deployments #1 (current) · recorded Sunday 29 November 2026, 00:00 UTC');
      expect(first.stderr).toBe('');
      const second = await runMain(url, 'exit\n');
      expect(second.code).toBe(0);
      const store = await openStore(url);
      try {
        expect(await store.countCurrentRevisions()).toBe((await store.currentRevisions()).length);
        expect((await store.revisionsOf('deployments', 'france-2023-07')).length).toBe(1);
        const all = await store.currentRevisions();
        expect(all.length).toBeGreaterThan(200);
        expect(all.every((r) => r.revision === 1)).toBe(true);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
