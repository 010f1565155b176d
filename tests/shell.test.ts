import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runShell } from '../src/adapters/shell/shell.ts';
import { adapterContract } from './contract/adapter-contract.ts';
import { testBot } from './helpers/bot.ts';

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
});

adapterContract('shell', async () => {
  return {
    async send(text) {
      const out = await shellSession([text]);
      return out;
    },
    async close() {},
  };
});
