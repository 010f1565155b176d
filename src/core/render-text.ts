import type { Citation, Reply } from './reply.ts';

export function formatCitation(c: Citation): string {
  return `${c.publisher}, "${c.title}", ${c.published}${c.url ? ` — ${c.url}` : ''}`;
}

/** The plain-text rendering: the shell prints it, Slack uses it as the notification fallback. */
export function renderText(r: Reply): string {
  const out: string[] = [r.title];
  if (r.body) out.push('', r.body);
  if (r.fields.length) out.push('', ...r.fields.map((f) => `${f.name}: ${f.value}`));
  if (r.items.length) out.push('', ...r.items.map((i) => `• ${i}`));
  if (r.notes.length) out.push('', ...r.notes.map((n) => `Note: ${n}`));
  if (r.asOf) out.push('', `As of: ${r.asOf}`);
  if (r.citations.length) {
    out.push('', 'Sources:', ...r.citations.map((c, i) => `  [${i + 1}] ${formatCitation(c)}`));
  }
  return out.join('\n');
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
