import type { KnowledgeBase } from './kb.ts';
import { LANGUAGES, tokenize, type Language } from './lexicon.ts';

/**
 * How sure the question reader can be of a question's language. `understand()` names a language for every
 * question, English when nothing tells (a name alone: "tiani", "CEDEAO"); an answer should follow the question's
 * language only when the question says it clearly, and the reader's own language otherwise.
 *
 * The evidence is the reader's own (see QuestionReader.detectLanguage): common words of one language that the
 * others do not share, and French or German letters. A question is clearly in a language when it has at least
 * CLEAR_SCORE such signs and no other language has as many.
 *
 * A wrapper until understand.ts reports its confidence itself.
 */
export const CLEAR_SCORE = 2;

interface Evidence {
  stopwords: Record<Language, Set<string>>;
  shared: Set<string>;
}

const evidence = new WeakMap<KnowledgeBase, Evidence>();

function evidenceOf(kb: KnowledgeBase): Evidence {
  let e = evidence.get(kb);
  if (!e) {
    const lexicon = kb.questions.lexicon;
    const stopwords = Object.fromEntries(LANGUAGES.map((l) => [l, new Set(lexicon.languages[l].stopwords.flatMap(tokenize))])) as Record<Language, Set<string>>;
    const all = new Set(LANGUAGES.flatMap((l) => [...stopwords[l]]));
    e = { stopwords, shared: new Set([...all].filter((w) => LANGUAGES.every((l) => stopwords[l].has(w)))) };
    evidence.set(kb, e);
  }
  return e;
}

const LETTERS: Partial<Record<Language, RegExp>> = { fr: /[éèêàçù]/i, de: /[äöüß]/i };

/** Each language's score for the question, as the reader counts it. */
export function languageScores(kb: KnowledgeBase, question: string): Record<Language, number> {
  const { stopwords, shared } = evidenceOf(kb);
  const tokens = tokenize(question);
  const scores = {} as Record<Language, number>;
  for (const lang of LANGUAGES) {
    let score = 0;
    for (const t of tokens) if (stopwords[lang].has(t) && !shared.has(t)) score++;
    if (LETTERS[lang]?.test(question)) score += 1;
    scores[lang] = score;
  }
  return scores;
}

/** Whether `question` is clearly written in `lang` (the language the reader found for it). */
export function clearlyIn(kb: KnowledgeBase, question: string, lang: Language): boolean {
  const scores = languageScores(kb, question);
  return scores[lang] >= CLEAR_SCORE && LANGUAGES.every((other) => other === lang || scores[other] < scores[lang]);
}
