import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ASK_JS } from './helpers/entry.ts';

const run = promisify(execFile);

/** The CLI exactly as `npm run ask` runs it (compiled, dist/): a real process, real data. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [ASK_JS, ...args]);
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
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
});
