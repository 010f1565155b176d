import { citationsShown, moreSources, shownTitle } from './citations-shown.ts';
import { longDate } from '../knowledge/dates.ts';
import { FALLBACK_LANG, t } from './i18n.ts';
import type { Citation, Reply } from './reply.ts';

/** `Publisher, "Title", 2023-09-05 — url`: a citation as data (the `sources` command lists them so). */
export function formatCitation(c: Citation): string {
  return `${c.publisher}, "${c.title}", ${c.published}${c.url ? ` — ${c.url}` : ''}`;
}

/** A source as an answer shows it: `Publisher, "Title", 5 September 2023 — url`, a placeholder title left out. */
export function sourceLine(c: Citation, lang: string): string {
  const title = shownTitle(c);
  return `${c.publisher}, ${title === null ? '' : `"${title}", `}${longDate(c.published, lang)}${c.url ? ` — ${c.url}` : ''}`;
}

/** The plain-text rendering: the shell prints it, Slack uses it as the notification fallback. */
export function renderText(r: Reply): string {
  // Built by concatenation: it is rendered for every Slack message, and Array#join of the same pieces takes
  // several times as long (V8 joins non-Latin-1 text slowly). Sections are separated by a blank line, their
  // lines by a line break.
  const lang = r.lang ?? FALLBACK_LANG;
  let text = r.title;
  if (r.body) text += `\n\n${r.body}`;
  if (r.fields.length) {
    text += '\n';
    for (const f of r.fields) text += `\n${t(lang, 'render.field', { name: f.name, value: f.value })}`;
  }
  if (r.items.length) {
    text += '\n';
    for (const i of r.items) text += `\n• ${i}`;
  }
  if (r.notes.length) {
    text += '\n';
    const note = t(lang, 'render.note');
    for (const n of r.notes) text += `\n${note} ${n}`;
  }
  if (r.asOf) text += `\n\n${t(lang, 'render.asOf.text', { date: longDate(r.asOf, lang) })}`;
  if (r.citations.length) {
    // The first few sources (see citationsShown); `--json` keeps them all in `citations`.
    const { shown, more } = citationsShown(r.citations);
    text += `\n\n${t(lang, 'render.sources.text')}`;
    shown.forEach((c, i) => {
      text += `\n  [${i + 1}] ${sourceLine(c, lang)}`;
    });
    if (more > 0) text += `\n  ${moreSources(more, lang)}`;
  }
  return text;
}

/** The JSON shape `npm run ask -- --json` prints and the contract tests compare across adapters. */
export function replyToJson(r: Reply) {
  return {
    command: r.command,
    kind: r.kind,
    answered: r.answered,
    title: r.title,
    text: renderText(r),
    asOf: r.asOf,
    citations: r.citations,
    facts: r.facts,
    notes: r.notes,
    visibility: r.visibility,
    ...(r.errorId ? { errorId: r.errorId } : {}),
  };
}
