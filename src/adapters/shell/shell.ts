import { createInterface } from 'node:readline';
import type { Bot } from '../../core/bot.ts';
import type { Caller } from '../../core/command.ts';
import { languageOf, t } from '../../core/i18n.ts';
import { renderText } from '../../core/render-text.ts';

/**
 * The language of the terminal, as POSIX programs read it: LC_ALL, then LC_MESSAGES, then LANG
 * ("fr_FR.UTF-8"); "C" and "POSIX" have no catalog, so they read English.
 */
export function terminalLocale(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.LC_ALL || env.LC_MESSAGES || env.LANG || undefined;
}

/** The shell is one local user in one local channel, allowed to change its own settings. */
export function shellCaller(locale: string | undefined = terminalLocale()): Caller {
  return {
    platform: 'shell',
    userId: 'local-user',
    channelId: 'local',
    canManageChannel: async () => true,
    locale: () => locale,
  };
}

/** The shell's caller in the terminal's language (see terminalLocale). */
export const SHELL_CALLER: Caller = shellCaller();

export interface ShellOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  prompt?: string;
  /** The language to answer in ("fr", "de"); default the terminal's (LC_ALL, LC_MESSAGES, LANG). */
  lang?: string;
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
  const locale = options.lang ?? terminalLocale();
  const caller = options.lang ? shellCaller(options.lang) : SHELL_CALLER;
  output.write(`${t(languageOf(locale), 'shell.welcome')}\n`);
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
        if (text) output.write(`${renderText(await bot.handleText(text, caller))}\n\n`);
        rl.prompt();
      });
    });
    rl.on('close', () => {
      void queue.then(() => resolve());
    });
  });
}
