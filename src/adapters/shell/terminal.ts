import { styleText } from 'node:util';
import { citationsShown, moreSources, shownTitle } from '../../core/citations-shown.ts';
import { FALLBACK_LANG, t } from '../../core/i18n.ts';
import type { Reply } from '../../core/reply.ts';
import { longDate } from '../../knowledge/dates.ts';

/** A terminal that does not say how wide it is: 80 columns, what terminals open with. */
export const DEFAULT_COLUMNS = 80;

type Output = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; hasColors?: (env?: object) => boolean };

export function isTerminal(output: NodeJS.WritableStream): boolean {
  return Boolean((output as Output).isTTY);
}

/**
 * The width answers are wrapped to: the terminal's columns, 80 when it gives none. Piped output (a file, a script,
 * `less`) is not wrapped (Infinity): its reader wraps for itself, and a line cut at 80 columns would cut the sentences
 * and error ids scripts look for. Read per answer, so a resize applies from the next one.
 */
export function terminalWidth(output: NodeJS.WritableStream): number {
  if (!isTerminal(output)) return Number.POSITIVE_INFINITY;
  const columns = (output as Output).columns;
  return typeof columns === 'number' && columns > 0 ? columns : DEFAULT_COLUMNS;
}

/**
 * Colour only on a terminal that shows it (Node's hasColors reads TERM=dumb and the like). NO_COLOR (any non-empty
 * value, https://no-color.org) turns it off; FORCE_COLOR (not "0" or "false") turns it on, even when piped.
 */
export function colourEnabled(output: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  const out = output as Output;
  return isTerminal(out) && (out.hasColors?.(env) ?? true);
}

export interface TerminalStyle {
  /** Columns to wrap to; Infinity: no wrapping. */
  width: number;
  colour: boolean;
}

/**
 * A list entry's hanging indent: its continuation lines start under its text, not under its marker ("• ", "[2] ",
 * "3. "), so the list stays readable when an entry wraps.
 */
const LIST_MARKER = /^ *(?:[•*-] |\[\d+\] |\d+\. )?/;
/** A URL is never cut: a terminal makes only an unbroken one clickable. */
const URL_START = /^<?https?:\/\//;

/**
 * Terminal columns of plain text, counted in code points: answers are English, French and German, where every
 * character NFC leaves is one column wide. (Text with East Asian wide characters would wrap a little late.)
 */
function columns(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Wraps one line of plain text to `width` columns at spaces, never inside a word unless the word alone is wider
 * than a line (URLs excepted); continuation lines keep the line's indent and list marker width. Colour is added
 * after wrapping (see renderTerminal), so no escape sequence is ever counted or cut.
 */
export function wrapLine(line: string, width: number): string[] {
  if (line.length <= width || columns(line) <= width) return [line];
  const lead = LIST_MARKER.exec(line)![0];
  // A marker as wide as most of a very narrow line would leave no room for words: continue at the margin.
  const hang = width - lead.length >= 10 ? ' '.repeat(lead.length) : '';
  const out: string[] = [];
  let current = lead;
  let used = lead.length;
  let empty = true; // nothing but the indent on the current line yet
  for (const word of line.slice(lead.length).split(' ')) {
    if (word === '' && empty) continue; // a run of spaces where a line breaks
    let w = columns(word);
    if (!empty && used + 1 + w <= width) {
      current += ` ${word}`;
      used += 1 + w;
      continue;
    }
    if (!empty) {
      out.push(current);
      current = hang;
      used = hang.length;
    }
    let rest = word;
    // Only a word wider than a whole line is cut, at the line's end.
    while (used + w > width && w > width - hang.length && !URL_START.test(word)) {
      const chars = Array.from(rest);
      const room = Math.max(1, width - used);
      out.push(current + chars.slice(0, room).join(''));
      rest = chars.slice(room).join('');
      w -= room;
      current = hang;
      used = hang.length;
    }
    current += rest;
    used += w;
    empty = false;
  }
  out.push(current);
  return out;
}

/** Every line of `text` wrapped (see wrapLine). */
export function wrapText(text: string, width: number): string {
  if (!Number.isFinite(width)) return text;
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line, width))
    .join('\n');
}

type Tone = 'bold' | 'dim' | undefined;

interface Section {
  lines: string[];
  tone: Tone;
}

function sourceLine(c: Reply['citations'][number], lang: string): string {
  const title = shownTitle(c);
  return `${c.publisher}, ${title === null ? '' : `"${title}", `}${longDate(c.published, lang)}${c.url ? ` — ${c.url}` : ''}`;
}

/**
 * The sections of an answer as the shell prints them, with the lines and wording of core's renderText (a test holds
 * the two equal without wrapping or colour): the title (bold), the body, fields, list, notes (dim), the as-of date
 * and the sources (dim), a blank line between sections.
 */
function sections(r: Reply): Section[] {
  const lang = r.lang ?? FALLBACK_LANG;
  const out: Section[] = [{ lines: r.title.split('\n'), tone: 'bold' }];
  if (r.body) out.push({ lines: r.body.split('\n'), tone: undefined });
  if (r.fields.length) out.push({ lines: r.fields.map((f) => t(lang, 'render.field', { name: f.name, value: f.value })), tone: undefined });
  if (r.items.length) out.push({ lines: r.items.map((i) => `• ${i}`), tone: undefined });
  if (r.notes.length) {
    const note = t(lang, 'render.note');
    out.push({ lines: r.notes.map((n) => `${note} ${n}`), tone: 'dim' });
  }
  if (r.asOf) out.push({ lines: [t(lang, 'render.asOf.text', { date: longDate(r.asOf, lang) })], tone: 'dim' });
  if (r.citations.length) {
    const { shown, more } = citationsShown(r.citations);
    const lines = [t(lang, 'render.sources.text'), ...shown.map((c, i) => `  [${i + 1}] ${sourceLine(c, lang)}`)];
    if (more > 0) lines.push(`  ${moreSources(more, lang)}`);
    out.push({ lines, tone: 'dim' });
  }
  return out;
}

/** Styles one line, closed at its own end, so a style never runs on past a line break or into the prompt. */
function tone(text: string, how: Tone, colour: boolean): string {
  // validateStream off: whether to colour is colourEnabled's decision, for the stream the shell writes to.
  return colour && how && text ? styleText(how, text, { validateStream: false }) : text;
}

/** An answer for the terminal: wrapped to `style.width`, in colour when `style.colour`. */
export function renderTerminal(r: Reply, style: TerminalStyle): string {
  let text = '';
  for (const [n, section] of sections(r).entries()) {
    if (n > 0) text += '\n\n';
    let first = true;
    for (const line of section.lines) {
      for (const part of Number.isFinite(style.width) ? wrapLine(line, style.width) : [line]) {
        text += `${first ? '' : '\n'}${tone(part, section.tone, style.colour)}`;
        first = false;
      }
    }
  }
  return text;
}
