// Charts in the terminal: the shell writes an answer's chart to its folder and prints the path; the one-shot CLI
// writes it where `--chart` says (a real process, compiled as `npm run ask` runs it).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { runShell } from '../../src/adapters/shell/shell.ts';
import { chartService } from '../../src/charts/service.ts';
import { testBot } from '../helpers/bot.ts';
import { ASK_JS } from '../helpers/entry.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'nw-charts-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { LC_ALL: _all, LC_MESSAGES: _messages, LANG: _lang, ...env } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [ASK_JS, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function png(path: string): PNG {
  return PNG.sync.read(readFileSync(path));
}

describe('shell', () => {
  it('writes the chart of an answer to its folder and prints the path under the answer; an answer without one prints none', async () => {
    const bot = await testBot({ services: { charts: chartService() } });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d) => (printed += String(d)));
    const chartDir = join(dir, 'shell');
    const done = runShell(bot, { input, output, chartDir });
    input.end('troops show:history\ntroops France 2023-09\n');
    await done;
    const path = join(chartDir, 'troops-france-history.png');
    expect(printed).toContain(`Chart: ${path}`);
    expect(printed.match(/Chart: /g)).toHaveLength(1);
    expect(printed.indexOf('Chart: ')).toBeGreaterThan(printed.indexOf('Sources:'));
    expect(png(path).width).toBeGreaterThan(600);
  });

  it('a chart folder it cannot write: the answer is printed whole, with a line saying the chart was not saved', async () => {
    const bot = await testBot({ services: { charts: chartService() } });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d) => (printed += String(d)));
    // A file where the folder should be: mkdir fails (EEXIST/ENOTDIR), as on a read-only or odd temp folder.
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'not a folder');
    const done = runShell(bot, { input, output, chartDir: join(blocked, 'charts') });
    input.end('troops show:history\n');
    await done;
    expect(printed).toContain('about 1,500');
    expect(printed).toMatch(/The chart could not be saved as .*troops-france-history\.png \(E[A-Z]+\); the answer above says what it shows\./);
  });
});

describe('npm run ask -- --chart', () => {
  it('writes the PNG to the path given and prints the path after the answer', async () => {
    const out = join(dir, 'out.png');
    const { code, stdout } = await cli('--chart', out, 'troops', 'show:history');
    expect(code).toBe(0);
    expect(stdout).toContain('French troops in Niger');
    expect(stdout.trimEnd().endsWith(`Chart: ${out}`)).toBe(true);
    const image = png(out);
    expect(image.width).toBeGreaterThan(600);
    expect(image.height).toBeGreaterThan(300);
  });

  it('with --json, says in the JSON where the chart is, with its alt text and caption', async () => {
    const out = join(dir, 'json.png');
    const { code, stdout } = await cli('--json', `--chart=${out}`, 'places');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.chart.path).toBe(out);
    expect(r.chart.alt).toMatch(/^Map of Niger/);
    expect(r.chart.caption).toContain('Natural Earth');
    expect(png(out).width).toBeGreaterThan(600);
  });

  it('an answer without a chart is printed, exit 0, with a note on stderr and no file', async () => {
    const out = join(dir, 'none.png');
    const { code, stdout, stderr } = await cli('--chart', out, 'troops France 2023-09');
    expect(code).toBe(0);
    expect(stdout).toContain('1,500');
    expect(stderr).toContain(`This answer has no chart: nothing was written to “${out}”.`);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a path it cannot write before asking, exit 1, in the terminal’s language; nothing is written', async () => {
    const missing = join(dir, 'no-such-folder', 'x.png');
    const bad = await cli('--chart', missing, 'troops show:history');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain(`Cannot write the chart to “${missing}”: its folder does not exist.`);
    expect(existsSync(missing)).toBe(false);
    const folder = await cli('--chart', dir, 'troops show:history');
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('that is a folder');
    const { LC_ALL: _a, LC_MESSAGES: _m, ...env } = process.env;
    const fr = await run(process.execPath, [ASK_JS, '--chart', missing, 'troops'], { env: { ...env, LANG: 'fr_FR.UTF-8' } }).catch((e) => e);
    expect(fr.stderr).toContain('son dossier n’existe pas');
  });

  it('--chart with no path is a user error that names the flag', async () => {
    const { code, stderr } = await cli('troops', '--chart');
    expect(code).toBe(1);
    expect(stderr).toContain('--chart needs a file path');
  });
});
