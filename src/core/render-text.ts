import { citationsShown, moreSources, shownTitle } from './citations-shown.ts';
import { longDate } from '../knowledge/dates.ts';
import type { Citation, Reply } from './reply.ts';

/** `Publisher, "Title", 2023-09-05 — url`: a citation as data (the `sources` command lists them so). */
export function formatCitation(c: Citation): string {
  return `${c.publisher}, "${c.title}", ${c.published}${c.url ? ` — ${c.url}` : ''}`;
}

/** A source as an answer shows it: `Publisher, "Title", 5 September 2023 — url`, a placeholder title left out. */
function sourceLine(c: Citation): string {
  const title = shownTitle(c);
  return `${c.publisher}, ${title === null ? '' : `"${title}", `}${longDate(c.published)}${c.url ? ` — ${c.url}` : ''}`;
}

/** The plain-text rendering: the shell prints it, Slack uses it as the notification fallback. */
export function renderText(r: Reply): string {
  // Built by concatenation: it is rendered for every Slack message, and Array#join of the same pieces takes
  // several times as long (V8 joins non-Latin-1 text slowly). Sections are separated by a blank line, their
  // lines by a line break.
  let text = r.title;
  if (r.body) text += `\n\n${r.body}`;
  if (r.fields.length) {
    text += '\n';
    for (const f of r.fields) text += `\n${f.name}: ${f.value}`;
  }
  if (r.items.length) {
    text += '\n';
    for (const i of r.items) text += `\n• ${i}`;
  }
  if (r.notes.length) {
    text += '\n';
    for (const n of r.notes) text += `\nNote: ${n}`;
  }
  if (r.asOf) text += `\n\nAs of: ${longDate(r.asOf)}`;
  if (r.citations.length) {
    // The first few sources (see citationsShown); `--json` keeps them all in `citations`.
    const { shown, more } = citationsShown(r.citations);
    text += '\n\nSources:';
    shown.forEach((c, i) => {
      text += `\n  [${i + 1}] ${sourceLine(c)}`;
    });
    if (more > 0) text += `\n  ${moreSources(more)}`;
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
