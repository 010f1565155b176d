import { BoundedMemo } from './memo.ts';

const normalized = new BoundedMemo<string, string>(20_000);

/** Lower case, no accents or punctuation. Memoised: the same names are normalised on every query. */
export function normalizeName(s: string): string {
  return normalized.get(s, normalizeUncached);
}

/** normalizeName without the memo: for text seen once (a word list), which would only crowd the memo out. */
export function normalizeUncached(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
