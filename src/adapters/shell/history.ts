import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** Lines kept across sessions (bash keeps 500 by default too). */
export const HISTORY_LINES = 500;

/**
 * Where the shell keeps its history: NIGER_WATCH_HISTORY when set (empty: no history), else
 * `$XDG_STATE_HOME/niger-watch/history`, with the XDG default `~/.local/state` (a relative XDG_STATE_HOME is
 * ignored, as the XDG spec asks).
 */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NIGER_WATCH_HISTORY !== undefined) return env.NIGER_WATCH_HISTORY || null;
  const state = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'niger-watch', 'history');
}

/** The saved lines, newest first as readline takes them; none when the file is missing or unreadable. */
export function loadHistory(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-HISTORY_LINES)
    .reverse();
}

/**
 * Adds the line just typed to the file, oldest first, at most HISTORY_LINES, readable by the user alone: typed
 * questions are nobody else's business. The file is read again first, so two shells open at once both keep their
 * lines (the last to write would otherwise win); a line typed before moves to the end, as readline's own
 * removeHistoryDuplicates does. Written to a file renamed into place, so a crash mid-write never leaves half a history.
 * A line typed with a leading space is not kept, as in bash (HISTCONTROL=ignorespace). Throws on failure.
 */
export function appendHistory(path: string, line: string): void {
  if (line.startsWith(' ') || line.trim() === '') return;
  const lines = loadHistory(path)
    .reverse()
    .filter((kept) => kept !== line);
  lines.push(line);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(
    temp,
    lines
      .slice(-HISTORY_LINES)
      .map((kept) => `${kept}\n`)
      .join(''),
    { mode: 0o600 },
  );
  renameSync(temp, path);
}
