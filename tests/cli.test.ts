import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ASK_JS, ROOT } from './helpers/entry.ts';

const run = promisify(execFile);

/** The CLI exactly as `npm run ask` runs it (compiled, dist/): a real process, real data. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliIn({}, ...args);
}

/**
 * The same in a terminal whose locale is `env`'s (LANG and friends), the rest of the environment kept but for
 * FORCE_COLOR, which a test run may set for its own output and which would colour the answers read here.
 */
async function cliIn(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { LC_ALL: _all, LC_MESSAGES: _messages, LANG: _lang, FORCE_COLOR: _force, ...rest } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [ASK_JS, ...args], { env: { ...rest, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run ask', () => {
  it('--json prints command, text, citations, asOf and answered', async () => {
    const { code, stdout } = await cli('--json', 'who ruled Niger in June 2023?');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.command).toBe('ruler');
    expect(r.answered).toBe(true);
    expect(r.text).toMatch(/Mohamed Bazoum/);
    expect(r.asOf).toBe('2023-06');
    expect(r.citations.length).toBeGreaterThan(0);
    for (const c of r.citations) expect(Object.keys(c)).toEqual(expect.arrayContaining(['title', 'publisher', 'published']));
    expect(r.facts).toEqual([expect.objectContaining({ type: 'office', office: 'niger-head-of-state', holder: 'Mohamed Bazoum', since: '2021-04-02' })]);
  });

  it('--json facts carry the structured answer, so scripts need not parse the text', async () => {
    const { stdout } = await cli('--json', 'how many French troops were in Niger in October 2023?');
    expect(JSON.parse(stdout).facts).toEqual([{ type: 'troops', country: 'France', count: 1400, approximate: true, asOf: '2023-10' }]);
  });

  it('answers in plain text and exits 1 on a user error', async () => {
    const ok = await cli('how many French soldiers are in Niger?');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/22 December 2023/);
    const bad = await cli('troops', 'date:2023-02-30');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/not a real date/);
  });

  it('a declined question exits 0 with answered:false', async () => {
    const { code, stdout } = await cli('--json', 'what is the GDP of Niger?');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).answered).toBe(false);
  });

  it('--help lists every flag and exits 0 without answering; in the terminal’s language', async () => {
    const en = await cli('--help', 'troops');
    expect(en.code).toBe(0);
    for (const flag of ['--json', '--lang', '--version', '--help']) expect(en.stdout).toContain(flag);
    expect(en.stdout).not.toContain('French troops in Niger');
    const fr = await cliIn({ LANG: 'fr_FR.UTF-8' }, '-h');
    expect(fr.code).toBe(0);
    expect(fr.stdout).toMatch(/^Usage :/);
    expect(fr.stdout).toContain('--lang');
  });

  it('--version prints the name and version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    for (const flag of ['--version', '-v']) {
      const { code, stdout } = await cli(flag);
      expect(code).toBe(0);
      expect(stdout).toBe(`${pkg.name} ${pkg.version}\n`);
    }
  });

  it('an unknown flag is a user error: exit 1, a friendly message naming it on stderr, no answer', async () => {
    const { code, stdout, stderr } = await cli('--verbose', 'troops France');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('Unknown option --verbose.');
    expect(stderr).toContain('--help');
    expect(stderr).not.toMatch(/ERR_PARSE_ARGS|at .*\.js/);
    const de = await cliIn({ LANG: 'de_DE.UTF-8' }, '-x', 'troops');
    expect(de.code).toBe(1);
    expect(de.stderr).toContain('Unbekannte Option -x.');
  });

  it('a flag given a wrong value is a user error too', async () => {
    const switched = await cli('--json=yes', 'troops');
    expect(switched.code).toBe(1);
    expect(switched.stderr).toContain('--json takes no value');
    const missing = await cli('--lang');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--lang needs a value');
    const unknown = await cli('--lang', 'xx', 'troops');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/`--lang` must be one of: en, de, fr \(got “xx”\)/);
    expect(unknown.stdout).toBe('');
  });

  it('--lang answers in that language, whatever the terminal’s, in both spellings', async () => {
    const fr = await cliIn({ LANG: 'de_DE.UTF-8' }, '--lang', 'fr', '--json', 'troops France 2023-09');
    expect(fr.code).toBe(0);
    expect(JSON.parse(fr.stdout).text).toMatch(/^Militaires français au Niger — septembre 2023/);
    const de = await cli('--lang=de', 'troops France 2023-09');
    expect(de.code).toBe(0);
    expect(de.stdout).toMatch(/^Französische Soldaten im Niger — September 2023/);
  });

  it('words after -- are the question, even one that starts with a dash', async () => {
    const { code, stdout, stderr } = await cli('--json', '--', '--who', 'rules', 'Niger?');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The dash is the question's, not a flag: the question is read (and its dashes cleaned) like any other.
    expect(JSON.parse(stdout).command).toBe('ruler');
  });
});

describe('npm run ask --as', () => {
  it('refuses a name with spaces or markup in the terminal’s language, and answers nothing', async () => {
    const en = await cli('--as', '<!channel> x', 'troops');
    expect(en.code).toBe(2);
    expect(en.stderr).toMatch(/--as takes a name of up to 64 letters/);
    expect(en.stdout).toBe('');
    const fr = await cliIn({ LANG: 'fr_FR.UTF-8' }, '--as=a b', 'troops');
    expect(fr.code).toBe(2);
    expect(fr.stderr).toMatch(/--as attend un nom de 64 caractères au plus/);
  });
});

describe('npm run ask with a store', () => {
  it('answers, proposes and approves as the running bot does: from the store DATABASE_URL names', async () => {
    const env = { DATABASE_URL: `file:${join(mkdtempSync(join(tmpdir(), 'nw-ask-')), 'bot.sqlite')}`, ENV_FILE: '', LANG: 'C' };
    const proposed = await cliIn(
      env,
      '--as',
      'alice',
      'propose troops country:Italy count:0 date:2026-11-20 source:https://example.org/a publisher:ANSA title:Withdrawal published:2026-11-21',
    );
    expect(proposed.code, proposed.stderr).toBe(0);
    const id = /Proposal (P-\w+)/.exec(proposed.stdout)?.[1];
    expect(id).toBeDefined();
    // Four eyes across processes too: the author cannot approve it.
    expect((await cliIn(env, '--as', 'alice', `approve ${id}`)).stdout).toMatch(/another editor|other than/i);
    const approved = await cliIn(env, '--as', 'bob', `approve ${id}`);
    expect(approved.stdout).toMatch(new RegExp(`Approved ${id}`));
    const now = await cliIn(env, 'troops Italy');
    expect(now.stdout).toMatch(/no Italian troops in Niger.*20 November 2026/);
    // What the bot knew yesterday (the seed) is still what it said then.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await cliIn(env, `troops Italy known:${yesterday}`)).stdout).toMatch(/250 Italian troops/);
    // Without a store, data/ alone.
    const none = await cliIn({ DATABASE_URL: '', ENV_FILE: '', LANG: 'C' }, 'troops Italy');
    expect(none.stdout).toMatch(/250 Italian troops/);
  }, 60_000);

  it('says on stderr when DATABASE_URL names a store it cannot use, and answers from data/', async () => {
    const r = await cliIn({ DATABASE_URL: 'mysql://nowhere', ENV_FILE: '', LANG: 'C' }, 'troops Italy');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/knowledge store cannot be used \(DATABASE_URL must start with file: or postgres:\/\/\): answering from data\/ alone/);
    expect(r.stdout).toMatch(/250 Italian troops/);
  });
});
