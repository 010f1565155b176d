import { createRequire } from 'node:module';
import { normalizeUncached } from './normalize.ts';
import type { Language } from './schema.ts';

/**
 * The words of each language (the word lists of an-array-of-{english,french,german}-words), to tell a typo from a
 * real word the knowledge base does not use: "comptait" is French, not a typo of "coûtait". Loaded on first use,
 * once per process and language (about 0.1–0.3 s; most questions need no typo fixed and never load one).
 */
const PACKAGES: Record<Language, string> = {
  en: 'an-array-of-english-words',
  fr: 'an-array-of-french-words',
  de: 'an-array-of-german-words',
};

const loaded: Partial<Record<Language, Set<string>>> = {};
const require = createRequire(import.meta.url);

export function isDictionaryWord(word: string, lang: Language): boolean {
  let words = loaded[lang];
  if (!words) {
    words = new Set();
    // (Most entries are plain lower-case letters already; only the others need normalising.)
    for (const w of require(PACKAGES[lang]) as string[]) words.add(/[^a-z]/.test(w) ? normalizeUncached(w) : w);
    loaded[lang] = words;
  }
  return words.has(word);
}
