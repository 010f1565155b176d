// The shell on a terminal: wrapping, colour, tab completion, history across sessions, Ctrl-C and Ctrl-D. The real
// REPL (node:readline in terminal mode) is driven through streams that say they are a TTY, keys typed as a terminal
// sends them (Tab, Ctrl-C, Ctrl-D, Enter).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { shellCompleter } from '../src/adapters/shell/complete.ts';
import { appendHistory, HISTORY_LINES, historyPath, loadHistory } from '../src/adapters/shell/history.ts';
import { shellAdapter } from '../src/adapters/shell/shell.ts';
import { colourEnabled, renderTerminal, terminalWidth, wrapLine, wrapText } from '../src/adapters/shell/terminal.ts';
import { t } from '../src/core/i18n.ts';
import { renderText } from '../src/core/render-text.ts';
import type { Bot } from '../src/core/bot.ts';
import { TEST_CALLER, testBot } from './helpers/bot.ts';
import { botWithTestCommands } from './helpers/test-commands.ts';

const dir = mkdtempSync(join(tmpdir(), 'niger-watch-shell-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ESC = '\u001b';
const BOLD = `${ESC}[1m`;
const DIM = `${ESC}[2m`;

/** A stream that says it is a terminal `columns` wide, as process.stdout does on a TTY. */
function ttyOutput(columns: number | undefined): PassThrough & { isTTY: true; columns?: number } {
  return Object.assign(new PassThrough(), { isTTY: true as const, ...(columns ? { columns } : {}) });
}

/** One shell session on a fake terminal: keys are written to it, everything it prints is read back. */
async function terminalSession(options: { columns?: number; env?: NodeJS.ProcessEnv; history?: string | null; keyboard?: boolean; bot?: Bot } = {}) {
  // A keyboard: a TTY on input too (completion, Ctrl-C and history are for someone typing, not for a file).
  const input = options.keyboard === false ? new PassThrough() : Object.assign(new PassThrough(), { isTTY: true as const });
  const output = ttyOutput(options.columns ?? 80);
  let printed = '';
  let onPrint = () => {};
  output.on('data', (d) => {
    printed += String(d);
    onPrint();
  });
  const shell = shellAdapter(options.bot ?? (await testBot()), {
    input,
    output,
    lang: 'en',
    env: options.env ?? {},
    history: options.history ?? null,
  });
  await shell.start();
  /** Resolves once what is printed after `from` contains `text`. */
  const waitFor = (text: string, from = 0) =>
    new Promise<string>((resolve) => {
      onPrint = () => {
        // What the terminal shows: readline's cursor moves taken out (the colours with them).
        const plain = stripVTControlCharacters(printed.slice(from));
        if (plain.includes(text)) resolve(printed.slice(from));
      };
      onPrint();
    });
  return {
    shell,
    type: (keys: string) => input.write(keys),
    printed: () => printed,
    waitFor,
    /** Types a line and waits for the next prompt after its answer: what was printed for it. */
    async ask(line: string): Promise<string> {
      const from = printed.length;
      input.write(`${line}\r`);
      return waitFor('\n\nniger> ', from);
    },
    async quit() {
      input.write('\u0004'); // Ctrl-D on an empty line
      await shell.ended;
    },
  };
}

describe('wrapping', () => {
  it('breaks at spaces, never inside a word, and keeps a list entry under its text', () => {
    const lines = wrapLine('• 5 September 2023: France says its troops will stay in Niger for now, despite the junta', 40);
    expect(lines).toEqual(['• 5 September 2023: France says its', '  troops will stay in Niger for now,', '  despite the junta']);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    const source = wrapLine('  [1] Reuters, "France to pull troops out of Niger", 24 September 2023', 40);
    expect(source[1]).toMatch(/^ {6}\S/);
  });

  it('cuts only a word wider than the line, and never a URL', () => {
    const long = 'x'.repeat(50);
    expect(wrapLine(`a ${long}`, 20)).toEqual(['a', 'x'.repeat(20), 'x'.repeat(20), 'x'.repeat(10)]);
    const url = `see https://example.org/${'a'.repeat(60)}`;
    expect(wrapLine(url, 40)).toEqual(['see', `https://example.org/${'a'.repeat(60)}`]);
  });

  it('ends on any width, and never splits a character outside the BMP in two', () => {
    expect(wrapLine('😀😀😀 ok', 3)).toEqual(['😀', '😀', '😀', 'ok']);
    expect(wrapLine('😀😀', 1)).toEqual(['😀', '😀']);
    expect(wrapLine('  [1] Reuters, 5 September 2023', 3)).toEqual(['  [1] Reuters,', '5', 'Sep', 'tem', 'ber', '202', '3']);
  });

  it('counts accented letters as one column', () => {
    expect(wrapLine('Déclaration du général Abdourahamane Tiani à la télévision', 30)).toEqual([
      'Déclaration du général',
      'Abdourahamane Tiani à la',
      'télévision',
    ]);
  });

  it('without wrapping or colour, an answer reads exactly as core renderText writes it', async () => {
    const bot = await testBot();
    for (const q of ['troops France history', 'timeline limit:20', 'help', 'troops date:2023-02-30', 'who Tiani', 'sources Reuters', 'digest status']) {
      const r = await bot.handleText(q, TEST_CALLER);
      expect(renderTerminal(r, { width: Number.POSITIVE_INFINITY, colour: false }), q).toBe(renderText(r));
    }
  });

  it('a wrapped answer holds the same words as the unwrapped one', async () => {
    const r = await (await testBot()).handleText('timeline limit:20', TEST_CALLER);
    const wrapped = renderTerminal(r, { width: 40, colour: false });
    for (const line of wrapped.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(wrapped.replace(/\s+/g, ' ')).toBe(renderText(r).replace(/\s+/g, ' '));
  });
});

describe('colour', () => {
  it('is on for a terminal, off with NO_COLOR or when piped; FORCE_COLOR forces it', () => {
    const tty = ttyOutput(80);
    const pipe = new PassThrough();
    expect(colourEnabled(tty, {})).toBe(true);
    expect(colourEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(terminalWidth(pipe)).toBe(Number.POSITIVE_INFINITY);
    expect(terminalWidth(ttyOutput(undefined))).toBe(80);
    expect(terminalWidth(ttyOutput(40))).toBe(40);
  });

  it('makes the title bold and the sources dim, each line closed at its end', async () => {
    const r = await (await testBot()).handleText('troops France 2023-09', TEST_CALLER);
    const out = renderTerminal(r, { width: 60, colour: true });
    expect(out.startsWith(BOLD)).toBe(true);
    expect(out).toContain(`${DIM}Sources:`);
    for (const line of out.split('\n')) {
      const opened = (line.match(/\u001b\[[12]m/g) ?? []).length;
      const closed = (line.match(/\u001b\[22m/g) ?? []).length;
      expect(opened, line).toBe(closed);
    }
    expect(stripVTControlCharacters(out)).toBe(renderTerminal(r, { width: 60, colour: false }));
  });
});

describe('the shell on a terminal', () => {
  it('wraps answers to a 40-column terminal, in colour', async () => {
    const s = await terminalSession({ columns: 40 });
    const out = await s.ask('timeline topic:withdrawal limit:5');
    const answer = stripVTControlCharacters(out.slice(0, out.lastIndexOf('niger> ')));
    const lines = answer.split(/\r?\n/).filter((l) => !l.includes('timeline topic'));
    expect(lines.length).toBeGreaterThan(8);
    // A URL is never cut (see wrapLine): it stands alone on its line, however long.
    for (const line of lines) if (!/^ *https?:\/\//.test(line)) expect(line.length, line).toBeLessThanOrEqual(40);
    expect(lines.some((l) => l.startsWith('• ') && l.length > 30)).toBe(true);
    expect(lines.some((l) => /^ {2}\S/.test(l))).toBe(true); // an entry continued under its text
    expect(out).toContain(BOLD);
    expect(stripVTControlCharacters(s.printed())).toContain(wrapText(t('en', 'shell.welcome'), 40));
    await s.quit();
  });

  it('prints no escape sequence of its own with NO_COLOR', async () => {
    const s = await terminalSession({ columns: 40, env: { NO_COLOR: '1' } });
    const out = await s.ask('troops France 2023-09');
    expect(out).toContain('1,500');
    expect(out).not.toContain(BOLD);
    expect(out).not.toContain(DIM);
    await s.quit();
  });

  it('Tab completes a command name, and the completed line is answered', async () => {
    const s = await terminalSession();
    s.type('tro\t');
    s.type(' France 2023-09');
    const out = await s.ask('');
    expect(out).toContain('1,500');
    await s.quit();
  });

  it('Ctrl-C clears the line; on an empty line it says how to quit; Ctrl-D quits', async () => {
    const s = await terminalSession();
    s.type('troops Germany');
    s.type('\u0003'); // Ctrl-C: the typed words are gone
    const out = await s.ask('ruler June 2023');
    expect(out).toContain('Mohamed Bazoum');
    expect(out).not.toContain('German');
    const from = s.printed().length;
    s.type('\u0003');
    await s.waitFor(t('en', 'shell.ctrlC'), from);
    let ended = false;
    void s.shell.ended.then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).toBe(false); // Ctrl-C never ends the shell
    await s.quit();
    expect(ended).toBe(true);
  });
});

describe('digests on a terminal', () => {
  it('a digest printed while the user types is followed by the prompt and what they had typed', async () => {
    const s = await terminalSession();
    s.type('troops Ger');
    await s.waitFor('troops Ger');
    const from = s.printed().length;
    const digest = await (await testBot()).handleText('ruler June 2023', TEST_CALLER);
    await s.shell.poster!().post('local', digest, 'nonce-1');
    const after = await s.waitFor('niger> troops Ger', from);
    expect(stripVTControlCharacters(after)).toContain('[digest for #local]');
    const out = await s.ask('many');
    expect(out).toContain('German troops');
    await s.quit();
  });
});

describe('Ctrl-C while an answer is pending', () => {
  it('says how to quit, and the prompt comes once, after the answer', async () => {
    const s = await terminalSession({ bot: await botWithTestCommands() });
    const from = s.printed().length;
    s.type('slow ms:300\r');
    await new Promise((resolve) => setTimeout(resolve, 50));
    s.type('\u0003');
    await s.waitFor('Done after 300 ms.', from);
    await s.waitFor('niger> ', from);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const out = stripVTControlCharacters(s.printed().slice(from));
    const hint = out.indexOf(t('en', 'shell.ctrlC'));
    expect(hint).toBeGreaterThan(0);
    // One prompt since the line was typed, after the answer: none came with the hint.
    expect(out.split('niger> ')).toHaveLength(2);
    expect(out.indexOf('niger> ')).toBeGreaterThan(out.indexOf('Done after 300 ms.'));
    await s.quit();
  });
});

describe('tab completion', () => {
  it('offers command names, subcommands, option names and values from the definitions', async () => {
    const complete = shellCompleter(await testBot());
    expect(complete('tr')).toEqual([['troops '], 'tr']);
    expect(complete('')[0]).toEqual(expect.arrayContaining(['troops', 'digest', 'help', 'timeline']));
    expect(complete('/niger ti')).toEqual([['timeline '], 'ti']);
    expect(complete('digest s')[0].sort()).toEqual(['status', 'subscribe']);
    expect(complete('digest sub')).toEqual([['subscribe '], 'sub']);
    expect(complete('troops ')[0]).toEqual(['country:', 'date:', 'show:', 'lang:']);
    expect(complete('troops sh')).toEqual([['show:'], 'sh']);
    expect(complete('troops show:')).toEqual([['show:figure', 'show:history'], 'show:']);
    expect(complete('troops show:h')).toEqual([['show:history '], 'show:h']);
    expect(complete('troops country:fr')).toEqual([['country:france '], 'country:fr']);
    expect(complete('troops country:United St')).toEqual([['country:United States '], 'country:United St']);
    expect(complete('troops country:Germany ')[0]).toEqual(['date:', 'show:', 'lang:']);
    expect(complete('help lang:')[0].sort()).toEqual(['lang:de', 'lang:en', 'lang:fr']);
    expect(complete('digest subscribe timezone:Europe/Par')).toEqual([['timezone:Europe/Paris '], 'timezone:Europe/Par']);
  });

  it('offers nothing it does not know', async () => {
    const complete = shellCompleter(await testBot());
    expect(complete('narnia ')[0]).toEqual([]);
    expect(complete('troops country:Narn')[0]).toEqual([]);
    expect(complete('troops nothing')[0]).toEqual([]);
  });
});

describe('history', () => {
  it('lives in $XDG_STATE_HOME/niger-watch, or where NIGER_WATCH_HISTORY says (empty: none)', () => {
    expect(historyPath({ XDG_STATE_HOME: '/state', HOME: '/home/u' })).toBe('/state/niger-watch/history');
    expect(historyPath({ XDG_STATE_HOME: 'relative' })).toMatch(/\/\.local\/state\/niger-watch\/history$/);
    expect(historyPath({})).toMatch(/\/\.local\/state\/niger-watch\/history$/);
    expect(historyPath({ NIGER_WATCH_HISTORY: '/tmp/h' })).toBe('/tmp/h');
    expect(historyPath({ NIGER_WATCH_HISTORY: '' })).toBeNull();
  });

  it('is written readable by the user alone, and a second session reads it back', async () => {
    const file = join(dir, 'state', 'niger-watch', 'history');
    const first = await terminalSession({ history: file });
    await first.ask('troops France 2023-09');
    await first.ask(' who Tiani'); // a leading space: not kept, as in bash
    await first.ask('ruler June 2023');
    await first.quit();
    expect(readFileSync(file, 'utf8')).toBe('troops France 2023-09\nruler June 2023\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await terminalSession({ history: file });
    // Up arrow twice: the line before last of the first session, answered again.
    second.type('\u001b[A\u001b[A');
    const out = await second.ask('');
    expect(out).toContain('1,500');
    await second.quit();
  });

  it('is not filled by a file fed to the terminal (`npm start < questions.txt`)', async () => {
    const file = join(dir, 'fed', 'history');
    const s = await terminalSession({ history: file, keyboard: false, columns: 40 });
    const out = await s.ask('troops France 2023-09');
    expect(out).toContain('1,500');
    expect(out).toContain(BOLD); // still a terminal to print on: wrapped and coloured
    s.type('exit\r');
    await s.shell.ended;
    expect(existsSync(file)).toBe(false);
  });

  it('keeps the newest 500 lines, a repeated line moved to the end', () => {
    const file = join(dir, 'long', 'history');
    for (let i = 0; i < 600; i++) appendHistory(file, `troops ${i}`);
    appendHistory(file, 'troops 300');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(HISTORY_LINES);
    expect(lines[0]).toBe('troops 100');
    expect(lines.at(-1)).toBe('troops 300');
    expect(lines.filter((l) => l === 'troops 300')).toHaveLength(1);
    expect(loadHistory(file)[0]).toBe('troops 300');
    writeFileSync(file, `${Array.from({ length: 600 }, (_, i) => `ruler ${i}`).join('\n')}\n`);
    expect(loadHistory(file)).toHaveLength(HISTORY_LINES);
  });

  it('two shells open at once both keep their lines', async () => {
    const file = join(dir, 'two', 'history');
    const a = await terminalSession({ history: file });
    const b = await terminalSession({ history: file });
    await a.ask('troops France 2023-09');
    await b.ask('ruler June 2023');
    await a.ask('who Tiani');
    await a.quit();
    await b.quit();
    expect(readFileSync(file, 'utf8')).toBe('troops France 2023-09\nruler June 2023\nwho Tiani\n');
  });

  it('a history that cannot be written is said once and the shell goes on answering', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const s = await terminalSession({ history: join(blocker, 'history') });
    const out = await s.ask('troops France 2023-09');
    expect(out).toContain('History is not being saved');
    expect(out).toContain('1,500');
    const again = await s.ask('ruler June 2023');
    expect(again).not.toContain('History is not being saved');
    expect(again).toContain('Mohamed Bazoum');
    await s.quit();
  });
});
