import { t } from './i18n.ts';

/**
 * Wording that answers and digests share, from the catalogs. How old the newest source is, in words of the
 * language: "45 days", "about 5 months", "over 2 and a half years".
 */
export function ageInWords(days: number, lang: string): string {
  if (days < 60) return t(lang, 'age.days', { days });
  const months = Math.round(days / 30.44);
  if (months < 24) return t(lang, 'age.months', { months });
  const years = Math.floor(days / 365.25);
  const rest = Math.round((days - years * 365.25) / 30.44);
  return t(lang, rest >= 6 ? 'age.yearsHalf' : 'age.years', { years });
}
