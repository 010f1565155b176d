import { styleText } from 'node:util';
import { citationsShown, moreSources } from '../../core/citations-shown.ts';
import { FALLBACK_LANG, t } from '../../core/i18n.ts';
import type { Reply } from '../../core/reply.ts';
import { sourceLine } from '../../core/render-text.ts';
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
 * Wraps one line of plain text to `width` columns at spaces, never inside a word unless the word alone is wider
 * than a line (URLs excepted); continuation lines keep the line's indent and list marker width. Colour is added
 * after wrapping (see renderTerminal), so no escape sequence is ever counted or cut. Columns are counted in UTF-16
 * code units: one a character in English, French and German once NFC has composed the accents; a character outside
 * the Basic Multilingual Plane (an emoji) counts two, so its line breaks a column early, never late.
 */
export function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const lead = LIST_MARKER.exec(line)![0];
  // A marker as wide as most of a very narrow line would leave no room for words: continue at the margin.
  const hang = width - lead.length >= 10 ? ' '.repeat(lead.length) : '';
  const out: string[] = [];
  let indent = lead;
  let rest = skipSpaces(line, lead.length);
  while (rest.length > width - indent.length) {
    const room = width - indent.length;
    // The last space at which what comes before still fits (a space right at the edge fits).
    const cut = rest.lastIndexOf(' ', room);
    if (cut > 0) {
      out.push(indent + rest.slice(0, cut).trimEnd());
      rest = skipSpaces(rest, cut);
    } else {
      // The first word alone is wider than the line: cut at the edge, unless it is a URL.
      const space = rest.indexOf(' ');
      const wordEnd = space < 0 ? rest.length : space;
      if (URL_START.test(rest) || room < 1) {
        out.push(indent + rest.slice(0, wordEnd));
        rest = skipSpaces(rest, wordEnd);
      } else {
        // Never between the two halves of a surrogate pair (a pair alone is wider than a one-column line: kept whole).
        const at = !isLowSurrogate(rest.charCodeAt(room)) ? room : room > 1 ? room - 1 : room + 1;
        out.push(indent + rest.slice(0, at));
        rest = rest.slice(at);
      }
    }
    indent = hang;
    if (rest === '') return out;
  }
  out.push(indent + rest);
  return out;
}

function skipSpaces(text: string, from: number): string {
  let i = from;
  while (text.charCodeAt(i) === 32) i++;
  return text.slice(i);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
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
