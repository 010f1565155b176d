import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runShell, shellAdapter } from '../src/adapters/shell/shell.ts';
import { testBot } from './helpers/bot.ts';
import { botWithTestCommands } from './helpers/test-commands.ts';

/** Drives the real REPL through its streams, one line at a time, reading what it prints. */
async function shellSession(lines: string[]): Promise<string> {
  const bot = await testBot();
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (d) => (printed += String(d)));
  const done = runShell(bot, { input, output });
  for (const line of lines) input.write(`${line}\n`);
  input.end();
  await done;
  return printed;
}

describe('shell adapter', () => {
  it('answers commands and questions typed at the prompt, in order', async () => {
    const out = await shellSession(['troops France 2023-09', 'who ruled Niger in June 2023?']);
    const troops = out.indexOf('1,500');
    const bazoum = out.indexOf('Mohamed Bazoum');
    expect(troops).toBeGreaterThan(0);
    expect(bazoum).toBeGreaterThan(troops);
    expect(out).toContain('Sources:');
  });

  it('stops at exit without answering later lines', async () => {
    const out = await shellSession(['exit', 'troops']);
    expect(out).not.toContain('French troops in Niger');
  });

  it('stopped from outside (a signal), finishes the answer being printed, answers no more lines, and ends', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d) => (printed += String(d)));
    const shell = shellAdapter(await botWithTestCommands(), { input, output });
    let ended = false;
    void shell.ended.then(() => (ended = true));
    await shell.start();
    input.write('slow ms:300\ntroops\n');
    // One turn of the event loop: readline has read both lines, and the first is being answered.
    await new Promise((resolve) => setImmediate(resolve));
    expect(printed).not.toContain('Done after');
    await shell.stop();
    expect(printed).toContain('Done after 300 ms');
    expect(printed).not.toContain('French troops in Niger');
    expect(ended).toBe(true);
    expect(shell.poster?.().platform).toBe('shell');
  });
});
