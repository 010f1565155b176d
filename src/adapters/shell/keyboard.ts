import type { Interface, ReadLineOptions } from 'node:readline';
import type { Bot } from '../../core/bot.ts';
import { t } from '../../core/i18n.ts';
import { shellCompleter } from './complete.ts';
import { appendHistory, HISTORY_LINES, loadHistory } from './history.ts';
import { terminalWidth, wrapText } from './terminal.ts';

/**
 * Someone typing at a keyboard, not a file fed to a terminal (`npm start < questions.txt`): only they get Tab
 * completion, Ctrl-C handling and a history, which a file's lines would fill.
 */
export function typingAt(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): boolean {
  return Boolean((input as { isTTY?: boolean }).isTTY && (output as { isTTY?: boolean }).isTTY);
}

/** readline's options for someone typing: completion from the command definitions, the saved history. */
export function keyboardOptions(bot: Bot, historyFile: string | null): Partial<ReadLineOptions> {
  return {
    completer: shellCompleter(bot),
    history: historyFile ? loadHistory(historyFile) : [],
    historySize: HISTORY_LINES,
    removeHistoryDuplicates: true,
  };
}

/**
 * Ctrl-C clears what is typed (readline would otherwise close, ending the bot); on an empty line it says how to quit.
 * Ctrl-D on an empty line still ends the input, and the bot with it, through the shell's 'close'. Every line typed
 * goes to `historyFile` (see appendHistory); one that cannot be written is said once, and the shell goes on answering.
 */
export function attachKeyboard(
  lines: Interface,
  output: NodeJS.WritableStream,
  lang: string,
  historyFile: string | null,
  /** No answer is pending: the prompt may be shown (else it comes after the answer). */
  idle: () => boolean = () => true,
): void {
  const say = (text: string) => output.write(`\n${wrapText(text, terminalWidth(output))}\n`);
  lines.on('SIGINT', () => {
    if (lines.line) {
      lines.write(null, { ctrl: true, name: 'e' });
      lines.write(null, { ctrl: true, name: 'u' });
      return;
    }
    say(t(lang, 'shell.ctrlC'));
    if (idle()) lines.prompt();
  });
  if (!historyFile) return;
  let warned = false;
  // readline has just put the line typed first (or found it there already).
  lines.on('history', (history: string[]) => {
    try {
      appendHistory(historyFile, history[0] ?? '');
    } catch (err) {
      if (!warned) say(t(lang, 'shell.history.unwritable', { path: historyFile, reason: (err as { code?: string }).code ?? 'error' }));
      warned = true;
    }
  });
}
