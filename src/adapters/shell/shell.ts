import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Adapter } from '../../core/adapter.ts';
import type { Bot } from '../../core/bot.ts';
import type { Caller } from '../../core/command.ts';
import { languageOf, t } from '../../core/i18n.ts';
import type { Reply } from '../../core/reply.ts';
import { historyPath } from './history.ts';
import { attachKeyboard, keyboardOptions, typingAt } from './keyboard.ts';
import { createShellPoster } from './poster.ts';
import { colourEnabled, isTerminal, renderTerminal, terminalWidth, wrapText } from './terminal.ts';

/**
 * The language of the terminal, as POSIX programs read it: LC_ALL, then LC_MESSAGES, then LANG
 * ("fr_FR.UTF-8"); "C" and "POSIX" have no catalog, so they read English.
 */
export function terminalLocale(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.LC_ALL || env.LC_MESSAGES || env.LANG || undefined;
}

/** The OS user running the shell (what proposals are authored by without `--as`); `local-user` if the OS names none. */
export function osUserName(): string {
  try {
    return userInfo().username || 'local-user';
  } catch {
    return 'local-user';
  }
}

/**
 * `--as NAME` (or `--as=NAME`) among the arguments: who the shell's user is in proposals, so two editors can share
 * one terminal (one proposes, the other approves). Undefined when not given; a name with spaces or markup is refused.
 */
export function shellUserArg(args: readonly string[], lang = 'en'): { name?: string; rest: string[]; error?: string } {
  const rest: string[] = [];
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--as') name = args[++i] ?? '';
    else if (a.startsWith('--as=')) name = a.slice('--as='.length);
    else rest.push(a);
  }
  if (name !== undefined && !/^[\p{L}\p{N}._-]{1,64}$/u.test(name)) {
    return { rest, error: t(lang, 'cli.error.asName') };
  }
  return { ...(name !== undefined ? { name } : {}), rest };
}

/**
 * The shell is one local user in one local channel, allowed to change its own settings and an editor: `user` names
 * them (`--as`), by default the OS user.
 */
export function shellCaller(locale: string | undefined = terminalLocale(), user: string = osUserName()): Caller {
  return {
    platform: 'shell',
    userId: user,
    channelId: 'local',
    canManageChannel: async () => true,
    isEditor: async () => true,
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
  /** Who the user is (`--as NAME`); default the OS user. */
  user?: string;
  /** The history file on a terminal (see historyPath); null: none. Default from the environment. */
  history?: string | null;
  /** The environment read for NO_COLOR and FORCE_COLOR; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where charts attached to answers are written (the path is printed under the answer); default the OS temp folder's `niger-watch-charts`. */
  chartDir?: string;
}

/** A terminal shows no image: each chart of the answer is written to `dir` and its path printed (none: nothing). */
export async function saveCharts(reply: Reply, dir: string): Promise<string> {
  let lines = '';
  for (const a of reply.attachments ?? []) {
    // The name is the command's own slug (commands/_shared.ts fileSlug): no path in it.
    const path = join(dir, a.name);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(path, a.bytes);
      lines += `\n${t(reply.lang ?? 'en', 'chart.saved', { path })}`;
    } catch (err) {
      // The answer above says all the chart shows: the chart is only missed, and said so.
      lines += `\n${t(reply.lang ?? 'en', 'chart.notSaved', { path, reason: (err as { code?: string }).code ?? 'error' })}`;
    }
  }
  return lines;
}

/**
 * A terminal REPL over the core, like Hubot's Shell adapter: no account anywhere. It ends by itself when the
 * input ends or the user types `exit` (`ended`); digests are printed between the answers.
 */
export function shellAdapter(bot: Bot, options: ShellOptions = {}): Adapter & { readonly ended: Promise<void> } {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const locale = options.lang ?? terminalLocale();
  const caller = options.lang || options.user ? shellCaller(options.lang ?? terminalLocale(), options.user) : SHELL_CALLER;
  let rl: Interface | undefined;
  // Answers go out in input order even when lines arrive faster than they are answered.
  let queue = Promise.resolve();
  let exited = false;
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const env = options.env ?? process.env;
  const chartDir = options.chartDir ?? join(tmpdir(), 'niger-watch-charts');
  // Width and colour are read per answer: a terminal resized between answers gets the next one at its new width.
  const render = (r: Reply) => renderTerminal(r, { width: terminalWidth(output), colour: colourEnabled(output, env) });
  // Lines read and not yet answered (the prompt comes back after each answer): while there are some, a digest
  // printed in between must not show the prompt early. After `exit` none is shown again.
  let unanswered = 0;
  const poster = createShellPoster(
    output,
    render,
    () => {
      if (rl && isTerminal(output) && unanswered === 0 && !exited) rl.prompt(true);
    },
    (reply) => saveCharts(reply, chartDir),
  );
  return {
    platform: 'shell',
    ended,
    async start() {
      const interactive = isTerminal(output);
      const typing = typingAt(input, output);
      const lang = languageOf(locale);
      const historyFile = typing ? (options.history === undefined ? historyPath(env) : options.history) : null;
      const lines = createInterface({
        input,
        output,
        prompt: options.prompt ?? 'niger> ',
        terminal: interactive,
        ...(typing ? keyboardOptions(bot, historyFile) : {}),
      });
      rl = lines;
      output.write(`${wrapText(t(lang, 'shell.welcome'), terminalWidth(output))}\n`);
      lines.prompt();
      if (typing) attachKeyboard(lines, output, lang, historyFile, () => unanswered === 0);
      lines.on('line', (line) => {
        unanswered++;
        queue = queue.then(async () => {
          if (exited) return;
          const text = line.trim();
          if (text === 'exit' || text === 'quit') {
            exited = true;
            lines.close();
            return;
          }
          if (text) {
            const reply = await bot.handleText(text, caller);
            const charts = await saveCharts(reply, chartDir);
            output.write(`${render(reply)}${charts}\n\n`);
          }
          unanswered--;
          lines.prompt();
        });
      });
      // At the end of the input the lines already read are still answered, in order.
      lines.on('close', () => {
        // Ctrl-D leaves the cursor after the prompt: the terminal's own prompt starts on a line of its own.
        if (typing) output.write('\n');
        void queue.then(() => end());
      });
    },
    async stop() {
      if (!rl) return;
      // Stopped from outside (a signal): the answer being printed is finished, lines still waiting are not.
      exited = true;
      rl.close();
      await ended;
    },
    poster: () => poster,
  };
}

/** The shell until it ends (the input ends or the user types `exit`). */
export async function runShell(bot: Bot, options: ShellOptions = {}): Promise<void> {
  const shell = shellAdapter(bot, options);
  await shell.start();
  await shell.ended;
}
