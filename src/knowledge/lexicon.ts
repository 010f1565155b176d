import { z } from 'zod';
import { stemmer as stemEnglish } from '@orama/stemmers/english';
import { stemmer as stemFrench } from '@orama/stemmers/french';
import { stemmer as stemGerman } from '@orama/stemmers/german';
import { BoundedMemo } from './memo.ts';
import { normalizeName } from './normalize.ts';

import { LANGUAGES, type Language } from './schema.ts';

export { LANGUAGES, type Language };

const words = z.array(z.string().min(1));

const FORMS = ['when', 'who', 'where', 'why', 'howMany', 'what', 'said', 'future', 'opinion', 'still'] as const;
export type QuestionForm = (typeof FORMS)[number];

const RELATIONS = ['before', 'after', 'during'] as const;
export type Relation = (typeof RELATIONS)[number];

const languageSchema = z.strictObject({
  stopwords: words,
  forms: z.strictObject(Object.fromEntries(FORMS.map((f) => [f, words])) as Record<QuestionForm, typeof words>),
  yesNoStart: words,
  /**
   * Subject pronouns that, joined to the verb before them by a hyphen ("était-elle", "restait-il",
   * "a-t-on"), invert a question: yes or no, unless a question word came first.
   */
  inversionPronouns: words.default([]),
  /** Phrases that only frame a question ("can you tell me"): they are read, so their words mean nothing else. */
  fillers: words.default([]),
  /** Openings of a yes/no question in the present ("is", "are there"): it may ask whether a state still holds. */
  presentStart: words.default([]),
  relations: z.strictObject(Object.fromEntries(RELATIONS.map((r) => [r, words])) as Record<Relation, typeof words>),
  /**
   * Words that tie what is asked to a person's time in office ("under Bazoum", "sous Bazoum"): read as
   * "during" only before a person, since "under the charter" or "unter Druck" ties nothing to a date.
   */
  tenure: words.default([]),
  /** Words that open a clause of time only when it is put first, before a comma ("As the last troops left, …"): read as "when". */
  clauseOfTime: words.default([]),
  /** The word of `relations.during` those are read as. */
  clauseOfTimeAs: z.string().optional(),
  /** The language moves a verb away from its object (German's second and last places): see joinVerb. */
  verbMoves: z.boolean().default(false),
  /** After a person, makes what follows theirs: English "Bazoum's" is read as "bazoum s". */
  possessive: words.default([]),
  /** Between an office and a person: "le Premier ministre de Bazoum". */
  officeOf: words.default([]),
  /** The highest figure ("peak", "Höchststand"): a count asked at its peak is the date of the largest figure. */
  peak: words.default([]),
  /** Asking how troop figures changed ("over time", "évolution", "Entwicklung"): the history of figures. */
  overTime: words.default([]),
  /** "Already" ("had the French already left when …"): what is asked came before the relation's event. */
  already: words.default([]),
  /** Words that put what is asked at a place ("at Agadez", "à Ouallam", "am Stützpunkt"), articles included. */
  locatives: words.default([]),
  /**
   * Words that ask whether a claim is true ("is that right?", "c'est vrai ?", "stimmt es, dass"): the claim is the
   * question, a yes or no; who made it ("a reader says …") is not what is asked.
   */
  verify: words.default([]),
  /** Verbs that attribute a claim ("says", "on lit que", "behauptet"), with the word that opens it ("that", "que"). */
  claims: words.default([]),
  /** The opening that turns a claim into a yes/no question in the language ("is", "est-ce que", "ist"). */
  claimOpening: z.string().default(''),
  /** Asking for the time from one event to another ("how long between"); `betweenAnd` parts the two ("and", "to"). */
  between: words.default([]),
  betweenAnd: words.default([]),
  /** Asking how long one named span lasted ("how long did the French withdrawal take?"): from its first event to its last. */
  duration: words.default([]),
  comparison: words,
  alternative: words,
  conjunctions: words,
  /** Verb particles that stand at the end of a clause, away from their verb (German "trat … aus"). */
  particles: words.default([]),
  /**
   * Endings of a verb in the future tense ("reviendront", "reviendra-t-il" as "ra t"): a question in the future
   * asks for a prediction. The first word is an ending; any others follow it as words.
   */
  futureEndings: words.default([]),
  /** A past participle, as a pattern on a normalised word: beside the future's auxiliary it makes the passive (German "wird festgehalten"). */
  participle: z.string().optional(),
  /** Words for spans of time and days ("ans", "Wochen", "hier"): a date chrono's own parser may read is near. */
  timeUnits: words.default([]),
  /** Words that deny what follows ("has not resigned"), as the knowledge base's own text (English) uses them. */
  negations: words.default([]),
  /** Words that give a reason ("because", "on humanitarian grounds"), as the knowledge base's own text uses them. */
  reasons: words.default([]),
  dateWords: z.record(z.string(), z.string()),
});

const perLanguage = { en: words.default([]), fr: words.default([]), de: words.default([]) };

const conceptSchema = z.strictObject({
  id: z.string().min(1),
  /** The English words the knowledge base uses for the concept: what the search looks for. */
  means: z.string().min(1),
  troops: z.boolean().optional(),
  /** Troops of every country the knowledge base counts, none named ("foreign troops"). */
  everyCountry: z.boolean().optional(),
  places: z.boolean().optional(),
  timeline: z.boolean().optional(),
  sources: z.boolean().optional(),
  help: z.boolean().optional(),
  'office-question': z.boolean().optional(),
  /** Asks what someone is or did ("role", "part"): answered by the person's own record. */
  'role-question': z.boolean().optional(),
  /** The office a concept names ("who rules" → the head of state). */
  office: z.string().optional(),
  /** The states an event of this concept ends: a withdrawal ends a membership, a closure ends "open". */
  ends: z.array(z.string().min(1)).optional(),
  /**
   * What an event of this concept leads to, for "why" questions: revoking the agreements that let troops
   * stay leads to their withdrawal. The reason given is then the latest such event before the one asked about.
   */
  causes: z.array(z.string().min(1)).optional(),
  /**
   * What the concept means of a happening rather than of a state it ends: ending an agreement is revoking it,
   * but "the end of the withdrawal" is its completion.
   */
  ofHappening: z.string().min(1).optional(),
  /** Says how far something went (it began, was completed), not what: "… and when was it wrapped up?" is about the withdrawal. */
  aspect: z.boolean().optional(),
  /** Picks one of several in order ("the last prime minister under Bazoum"): of an office, it says which holder, not what happened. */
  ordinal: z.boolean().optional(),
  ...perLanguage,
});

const scopeSchema = z.strictObject({ reason: z.string().min(1), ...perLanguage });

export const lexiconSchema = z.strictObject({
  languages: z.strictObject({ en: languageSchema, fr: languageSchema, de: languageSchema }),
  concepts: z.array(conceptSchema),
  scope: z.array(scopeSchema),
});

export type LexiconData = z.infer<typeof lexiconSchema>;
export type Concept = z.infer<typeof conceptSchema>;
export type ScopeEntry = z.infer<typeof scopeSchema>;

const STEMMERS: Record<Language, (w: string) => string> = { en: stemEnglish, fr: stemFrench, de: stemGerman };

/** Words as the matcher compares them: normalised (lower case, no accents or punctuation), split on spaces. */
export function tokenize(text: string): string[] {
  const n = normalizeName(text);
  return n ? n.split(' ') : [];
}

const stems: Record<Language, BoundedMemo<string, string>> = { en: new BoundedMemo(50_000), fr: new BoundedMemo(50_000), de: new BoundedMemo(50_000) };

/** Snowball stem of a word; memoised per language, since questions reuse a small vocabulary. */
export function stem(word: string, lang: Language = 'en'): string {
  return stems[lang].get(word, STEMMERS[lang]);
}

/**
 * Phrases (one or more words) mapped to what they mean. Scanning a question finds, left to right, the
 * longest phrase at each position, so "prime minister" wins over "minister" and "coup d etat" over "coup".
 */
export class PhraseIndex<T> {
  private readonly byFirst = new Map<string, { tokens: string[]; values: T[] }[]>();
  private readonly byPhrase = new Map<string, { tokens: string[]; values: T[] }>();

  /** `same` tells two values apart, so a phrase added twice for one thing means it once. */
  constructor(private readonly same: (a: T, b: T) => boolean = (a, b) => a === b) {}

  add(phrase: string, value: T): void {
    const tokens = tokenize(phrase);
    if (tokens.length === 0) return;
    const key = tokens.join(' ');
    const same = this.byPhrase.get(key);
    if (same) {
      if (!same.values.some((v) => this.same(v, value))) same.values.push(value);
      return;
    }
    const entry = { tokens, values: [value] };
    this.byPhrase.set(key, entry);
    const list = this.byFirst.get(tokens[0]!) ?? [];
    // Longest first: the first phrase that matches is the longest there.
    let at = list.findIndex((e) => e.tokens.length < tokens.length);
    if (at < 0) at = list.length;
    list.splice(at, 0, entry);
    this.byFirst.set(tokens[0]!, list);
  }

  /** The longest phrase starting at `start`, or null. */
  matchAt(tokens: readonly string[], start: number): { end: number; values: T[] } | null {
    return this.matchesAt(tokens, start)[0] ?? null;
  }

  /** Every phrase starting at `start`, longest first. */
  matchesAt(tokens: readonly string[], start: number): { end: number; values: T[] }[] {
    const out: { end: number; values: T[] }[] = [];
    for (const c of this.byFirst.get(tokens[start]!) ?? []) {
      if (start + c.tokens.length > tokens.length) continue;
      let ok = true;
      for (let i = 1; i < c.tokens.length; i++) {
        if (tokens[start + i] !== c.tokens[i]) {
          ok = false;
          break;
        }
      }
      if (ok) out.push({ end: start + c.tokens.length, values: c.values });
    }
    return out;
  }

  /** Every phrase with what it means. */
  entries(): { tokens: string[]; values: T[] }[] {
    return [...this.byFirst.values()].flat();
  }

  /** Every word of every phrase. */
  words(): Set<string> {
    const out = new Set<string>();
    for (const list of this.byFirst.values()) for (const c of list) for (const t of c.tokens) out.add(t);
    return out;
  }

  /** The one-word phrases, for typo matching. */
  singleWords(): string[] {
    const out: string[] = [];
    for (const [word, list] of this.byFirst) if (list.some((c) => c.tokens.length === 1)) out.push(word);
    return out;
  }
}
