import type { Citation, Reply } from './reply.ts';

export function formatCitation(c: Citation): string {
  return `${c.publisher}, "${c.title}", ${c.published}${c.url ? ` — ${c.url}` : ''}`;
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
  if (r.asOf) text += `\n\nAs of: ${r.asOf}`;
  if (r.citations.length) {
    text += '\n\nSources:';
    r.citations.forEach((c, i) => {
      text += `\n  [${i + 1}] ${formatCitation(c)}`;
    });
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
    notes: r.notes,
    visibility: r.visibility,
    ...(r.errorId ? { errorId: r.errorId } : {}),
  };
}
