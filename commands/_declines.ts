// Why `ask` declines, in the answer's language: the question reader (src/knowledge/understand.ts) gives a
// reason id with its parameters, each a catalog message `ask.decline.<reason>`.
import { describeDateError } from '../src/core/errors.ts';
import { t } from '../src/core/i18n.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { Decline } from '../src/knowledge/understand.ts';
import { countryName } from './_shared.ts';

/** The reason `ask` gives for declining, in `lang` (absent: the general one). */
export function declineReason(kb: KnowledgeBase, decline: Decline | undefined, lang: string): string {
  if (!decline) return t(lang, 'ask.decline.default');
  if (decline.reason === 'badDate' && decline.date) return describeDateError(decline.date, lang);
  const params = { ...decline.params };
  // Countries by their name in the reader's language ("Burkina Faso", "Allemagne").
  if (params.country !== undefined) params.country = countryName(kb, params.country, lang);
  return t(lang, `ask.decline.${decline.reason}`, params);
}
