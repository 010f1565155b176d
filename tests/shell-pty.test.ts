// `npm start` in a real terminal: the compiled bot (dist/, as production runs it) under a pseudo-terminal made by
// util-linux `script`, 40 columns wide. Keys reach it as a terminal sends them in raw mode: Ctrl-C is the byte 0x03
// read by readline, not a signal, and must not end the bot; Ctrl-D on an empty line ends it through the usual
// shutdown (digests stopped, exit 0).
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { t } from '../src/core/i18n.ts';
import { ASK_JS, MAIN_JS } from './helpers/entry.ts';

const dir = mkdtempSync(join(tmpdir(), 'niger-watch-pty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Terminal {
  /** Writes keys, one chunk, as a terminal sends one keypress (or one paste). */
  type(keys: string): void;
  /** Resolves once the screen, escape sequences taken out, shows `text` after what was read so far. */
  see(text: string): Promise<void>;
  raw(): string;
  exit: Promise<{ code: number | null; stderr: string }>;
}

function terminal(env: NodeJS.ProcessEnv, entry = MAIN_JS, args = ''): Terminal {
  const child: ChildProcessWithoutNullStreams = spawn(
    'script',
    ['--quiet', '--flush', '--return', '--command', `stty cols 40 rows 30; exec '${process.execPath}' '${entry}' ${args}`, '/dev/null'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        ENV_FILE: '',
        TERM: 'xterm-256color',
        LANG: 'C.UTF-8',
        DATABASE_URL: `file:${join(dir, 'digests.sqlite')}`,
        ...env,
      },
    },
  );
  let raw = '';
  let stderr = '';
  let seenUpTo = 0;
  let onData = () => {};
  child.stdout.on('data', (d: Buffer) => {
    raw += d.toString();
    onData();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    type: (keys) => child.stdin.write(keys),
    see: (text) =>
      new Promise((resolve) => {
        onData = () => {
          const at = stripVTControlCharacters(raw).indexOf(text, seenUpTo);
          if (at >= 0) {
            seenUpTo = at + text.length;
            resolve();
          }
        };
        onData();
      }),
    raw: () => raw,
    // 'close', not 'exit': everything the terminal printed has been read by then.
    exit: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr }))),
  };
}

describe.skipIf(!hasScript())('npm start in a pseudo-terminal', () => {
  const history = join(dir, 'state', 'niger-watch', 'history');

  it('wraps to the terminal, completes with Tab, clears the line on Ctrl-C, quits on Ctrl-D, and keeps the history', async () => {
    const term = terminal({ XDG_STATE_HOME: join(dir, 'state') });
    await term.see('niger> ');
    term.type('troops Germ');
    await term.see('troops Germ');
    term.type('\u0003'); // Ctrl-C: the line is cleared, the bot runs on
    await term.see('niger> ');
    term.type('\u0003'); // Ctrl-C on an empty line: how to quit
    await term.see(t('en', 'shell.ctrlC'));
    term.type('tro');
    await term.see('tro');
    term.type('\t');
    await term.see('ops ');
    term.type('France 2023-09\r');
    await term.see('Sources:');
    await term.see('niger> ');
    term.type('\u0004'); // Ctrl-D
    const { code, stderr } = await term.exit;
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const screen = stripVTControlCharacters(term.raw()).replace(/\r/g, '');
    expect(screen).toContain('1,500');
    expect(screen).not.toContain('German troops');
    for (const line of screen.split('\n')) if (!/^ *https?:\/\//.test(line)) expect(line.length, line).toBeLessThanOrEqual(40);
    expect(term.raw()).toContain('\u001b[1mFrench troops');
    expect(readFileSync(history, 'utf8')).toBe('troops France 2023-09\n');
    expect(statSync(history).mode & 0o777).toBe(0o600);
  });

  it('a second session recalls the first one’s line with the up arrow; NO_COLOR turns colour off', async () => {
    const term = terminal({ XDG_STATE_HOME: join(dir, 'state'), NO_COLOR: '1' });
    await term.see('niger> ');
    term.type('\u001b[A');
    await term.see('troops France 2023-09');
    term.type('\r');
    await term.see('Sources:');
    await term.see('niger> ');
    term.type('\u0004');
    expect((await term.exit).code).toBe(0);
    expect(stripVTControlCharacters(term.raw())).toContain('1,500');
    expect(term.raw()).not.toContain('\u001b[1m');
    expect(term.raw()).not.toContain('\u001b[2m');
  });

  it('npm run ask at a terminal wraps and colours its one answer too', async () => {
    const term = terminal({}, ASK_JS, "'troops France 2023-09'");
    const { code } = await term.exit;
    expect(code).toBe(0);
    const screen = stripVTControlCharacters(term.raw()).replace(/\r/g, '');
    expect(screen).toContain('1,500');
    for (const line of screen.split('\n')) if (!/^ *https?:\/\//.test(line)) expect(line.length, line).toBeLessThanOrEqual(40);
    expect(term.raw()).toContain('\u001b[1m');
  });
});
