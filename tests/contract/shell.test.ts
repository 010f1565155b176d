import { PassThrough } from 'node:stream';
import { shellAdapter } from '../../src/adapters/shell/shell.ts';
import { adapterContract } from './adapter-contract.ts';

const PROMPT = 'niger> ';
/**
 * What a terminal acts on rather than prints: the bell, escape sequences (clearing the screen, moving the
 * cursor, OSC hyperlinks) and every other control character but the line break and the tab.
 */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * The shared contract on the real shell adapter, one session through its streams as a terminal would type
 * into it: each line is written to its input, and the reply is everything printed before the next prompt.
 * The shell prints every reply, errors included, on its one output; the terminal has one reader, the caller.
 * It has no size limit (the whole answer is printed) and no deadline (it waits for the answer).
 */
adapterContract('shell', async (bot) => {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  let onPrint = () => {};
  output.on('data', (d) => {
    printed += String(d);
    onPrint();
  });
  const promptAfter = (from: number) =>
    new Promise<number>((resolve) => {
      onPrint = () => {
        const at = printed.indexOf(PROMPT, from);
        if (at >= 0) resolve(at);
      };
      onPrint();
    });
  // A pipe read by a program, whatever the test run's own environment says: FORCE_COLOR, set for coloured test
  // output, would colour the shell's replies too (as it should for a person piping them to `less -R`).
  const shell = shellAdapter(bot, { input, output, env: {} });
  await shell.start();
  await promptAfter(0);
  return {
    async send(text) {
      const from = printed.length;
      input.write(`${text}\n`);
      const end = await promptAfter(from);
      const reply = printed.slice(from, end);
      return {
        text: reply,
        audience: 'caller',
        mentions: (reply.match(TERMINAL_CONTROL) ?? []).map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0').toUpperCase()}`),
        overLimits: [],
      };
    },
    async close() {
      input.end();
      await shell.ended;
    },
  };
});
