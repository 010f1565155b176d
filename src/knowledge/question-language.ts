import type { KnowledgeBase } from './kb.ts';
import { LANGUAGES, tokenize, type Language, type LexiconData } from './lexicon.ts';

/**
 * How sure one can be of a question's language. `understand()` names a language for every question, English
 * when nothing tells (a name alone: "tiani", "CEDEAO"); an answer should follow the question's language only
 * when the question shows it clearly, and the reader's own language otherwise.
 *
 * The evidence is the lexicon's own words: a word that only one language's lexicon has (common words,
 * question forms, date words, the synonyms of concepts: "qui", "combien", "retrait", "wer", "Abzug") counts
 * for that language, and French or German letters count once. A question is clearly in a language when that
 * language has two signs or more, or one word and no other language any sign; names (Tiani, Itté, Müller)
 * are no evidence, so a name alone never is.
 *
 * A wrapper until the question reader (understand.ts) reports how sure it is itself.
 */
interface Evidence {
  /** Per language, the words only its lexicon has. */
  own: Record<Language, Set<string>>;
}

const evidence = new WeakMap<KnowledgeBase, Evidence>();

function vocabulary(kb: KnowledgeBase, lang: Language): Set<string> {
  const lexicon: LexiconData = kb.questions.lexicon;
  const l = lexicon.languages[lang];
  const phrases = [
    ...l.stopwords,
    ...Object.values(l.forms).flat(),
    ...l.yesNoStart,
    ...l.fillers,
    ...l.presentStart,
    ...Object.values(l.relations).flat(),
    ...l.comparison,
    ...l.alternative,
    ...l.conjunctions,
    ...l.particles,
    ...l.timeUnits,
    ...Object.keys(l.dateWords),
    ...lexicon.concepts.flatMap((c) => c[lang]),
    ...lexicon.scope.flatMap((s) => s[lang]),
    // Words for offices ("Staatschef", "premier ministre"); not the names of organisations, whose acronyms
    // ("CEDEAO") are used in every language.
    ...kb.offices().flatMap((o) => o.names[lang] ?? []),
  ];
  return new Set(phrases.flatMap(tokenize));
}

function evidenceOf(kb: KnowledgeBase): Evidence {
  let e = evidence.get(kb);
  if (!e) {
    const words = Object.fromEntries(LANGUAGES.map((l) => [l, vocabulary(kb, l)])) as Record<Language, Set<string>>;
    const own = Object.fromEntries(
      LANGUAGES.map((l) => [l, new Set([...words[l]].filter((w) => LANGUAGES.every((other) => other === l || !words[other].has(w))))]),
    ) as Record<Language, Set<string>>;
    e = { own };
    evidence.set(kb, e);
  }
  return e;
}

const LETTERS: Partial<Record<Language, RegExp>> = { fr: /[éèêàçùâîôûœ]/i, de: /[äöüß]/i };

/** Each language's signs in the question: its own words, and its letters (at most one sign). */
export function languageSigns(kb: KnowledgeBase, question: string): Record<Language, { words: number; letters: number }> {
  const { own } = evidenceOf(kb);
  const tokens = tokenize(question);
  const out = {} as Record<Language, { words: number; letters: number }>;
  for (const lang of LANGUAGES) {
    out[lang] = { words: tokens.filter((t) => own[lang].has(t)).length, letters: LETTERS[lang]?.test(question) ? 1 : 0 };
  }
  return out;
}

/** Whether `question` is clearly written in `lang`. */
export function clearlyIn(kb: KnowledgeBase, question: string, lang: Language): boolean {
  const signs = languageSigns(kb, question);
  const score = (l: Language) => signs[l].words + signs[l].letters;
  const others = LANGUAGES.filter((l) => l !== lang);
  if (others.some((l) => score(l) >= score(lang))) return false;
  return score(lang) >= 2 || (signs[lang].words >= 1 && others.every((l) => score(l) === 0));
}

/** The language `question` is clearly written in, if any (see clearlyIn). */
export function clearLanguage(kb: KnowledgeBase, question: string): Language | undefined {
  return LANGUAGES.find((l) => clearlyIn(kb, question, l));
}
