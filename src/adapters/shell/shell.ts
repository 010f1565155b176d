import { createInterface } from 'node:readline';
import type { Bot } from '../../core/bot.ts';
import type { Caller } from '../../core/command.ts';
import { renderText } from '../../core/render-text.ts';

/** The shell is one local user in one local channel, allowed to change its own settings. */
export const SHELL_CALLER: Caller = {
  platform: 'shell',
  userId: 'local-user',
  channelId: 'local',
  canManageChannel: async () => true,
};

export interface ShellOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  prompt?: string;
}

/**
 * A terminal REPL over the core, like Hubot's Shell adapter: no account anywhere. Returns when the
 * input ends or the user types `exit`.
 */
export async function runShell(bot: Bot, options: ShellOptions = {}): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const interactive = 'isTTY' in output && Boolean((output as NodeJS.WriteStream).isTTY);
  const rl = createInterface({ input, output, prompt: options.prompt ?? 'niger> ', terminal: interactive });
  output.write('Niger Watch — ask about the 2023 coup in Niger and the French withdrawal. Type `help`, a question, or `exit`.\n');
  rl.prompt();
  // Answers go out in input order even when lines arrive faster than they are answered.
  let queue = Promise.resolve();
  let exited = false;
  await new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      queue = queue.then(async () => {
        if (exited) return;
        const text = line.trim();
        if (text === 'exit' || text === 'quit') {
          exited = true;
          rl.close();
          return;
        }
        if (text) output.write(`${renderText(await bot.handleText(text, SHELL_CALLER))}\n\n`);
        rl.prompt();
      });
    });
    rl.on('close', () => {
      void queue.then(() => resolve());
    });
  });
}
