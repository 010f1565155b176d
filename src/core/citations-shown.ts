import { t } from './i18n.ts';
import type { Citation } from './reply.ts';

/**
 * What every renderer (Discord, Slack, plain text) shows of a reply's sources, so the three agree: how many,
 * which, with what title, and dates in the same long style as the answer's text. (`--json` is not a renderer:
 * it keeps every citation.)
 */

/** An answer shows at most this many sources; the rest are counted in an "…and N more sources" line. */
export const MAX_CITATIONS_SHOWN = 3;

/**
 * The sources an answer shows: the first {@link MAX_CITATIONS_SHOWN} in the reply's order (commands list the
 * most relevant first), and how many more it has.
 */
export function citationsShown(citations: readonly Citation[]): { shown: Citation[]; more: number } {
  if (citations.length <= MAX_CITATIONS_SHOWN) return { shown: [...citations], more: 0 };
  return { shown: citations.slice(0, MAX_CITATIONS_SHOWN), more: citations.length - MAX_CITATIONS_SHOWN };
}

/** "…and 4 more sources" (or "…and 1 more source"), in `lang`: the line that ends a cut source list. */
export function moreSources(n: number, lang?: string): string {
  return t(lang, 'render.moreSources', { count: n });
}

/**
 * Whether a title is a placeholder written in the data where the real title was not recorded
 * ("[report on …, title not recorded]"): one that starts with "[" and ends with "]".
 */
export function isPlaceholderTitle(title: string): boolean {
  const t = title.trim();
  return t.length >= 2 && t.startsWith('[') && t.endsWith(']');
}

/** The title to show for a citation, or null when it has none worth showing (empty, or a placeholder). */
export function shownTitle(c: Citation): string | null {
  const t = c.title.trim();
  return t && !isPlaceholderTitle(t) ? t : null;
}
