import type { ParsedResult } from 'chrono-node';
import { CHRONO } from './chrono.ts';
import { isDictionaryWord } from './dictionary.ts';
import { addDays, DateParseError, findDate, formatDay, numericDaysAsIso, relativeOffset, shift, type DateQuery } from './dates.ts';
import type { KnowledgeBase } from './kb.ts';
import {
  LANGUAGES,
  PhraseIndex,
  stem,
  tokenize,
  type Concept,
  type Language,
  type LexiconData,
  type QuestionForm,
  type Relation,
  type ScopeEntry,
} from './lexicon.ts';
import { BoundedMemo } from './memo.ts';
import { normalizeName } from './normalize.ts';
import type { Country, Deployment, KbEvent, Office, OfficeTerm, Organisation, Person, Place, Statement } from './schema.ts';
import { KnowledgeIndex, type SearchHit } from './search.ts';

/** Where a question's own words may start after a lead-in: a colon, or a dash between spaces (not "2023-07"). */
const LEAD_IN = /:\s+|\s[-–—]\s+/u;
/** The longest lead-in read as one ("quick check for a caption:"); a longer one is a sentence of its own. */
const MAX_LEAD_IN = 6;

/** The lexicon's concept of a happening carried through (an aspect): a named span's end answers it. */
const COMPLETION = 'complete';

/** Meanings that name something a question can ask about (not its form, a filler or a small word). */
const NAMING = new Set<string>(['country', 'person', 'place', 'organisation', 'office', 'concept', 'scope']);

/** What one phrase of a question was recognised as. */
export type Meaning =
  | { type: 'country'; country: Country }
  | { type: 'person'; person: Person }
  | { type: 'organisation'; organisation: Organisation }
  | { type: 'place'; place: Place }
  | { type: 'office'; office: Office }
  | { type: 'concept'; concept: Concept }
  | { type: 'scope'; scope: ScopeEntry }
  | { type: 'form'; form: QuestionForm }
  | { type: 'relation'; relation: Relation }
  | { type: 'comparison' }
  | { type: 'yesno' }
  /** Words that only frame a question ("can you tell me", "sagen Sie mir"): read, and left out. */
  | { type: 'filler' };

export interface Mention {
  start: number;
  end: number;
  /** The words of the question that make the phrase. */
  words: string[];
  meanings: Meaning[];
}

/** One thing the question asks; a question may ask several ("French and US troops"). */
export type Part =
  | { kind: 'troops'; country: string; date?: string; history?: boolean }
  | { kind: 'office'; office: string; date?: string }
  | { kind: 'offices-of'; person: string; office?: string }
  | { kind: 'who'; person: string }
  | { kind: 'organisation'; organisation: string }
  | { kind: 'places'; place?: string; country?: string }
  | { kind: 'event'; event: string; related: string[] }
  | { kind: 'statements'; statements: string[] }
  | { kind: 'timeline'; from?: string; to?: string; topic?: string; actor?: string }
  | { kind: 'sources' }
  | { kind: 'help' };

/** The reasons a question is declined; each is a catalog message `ask.decline.<reason>` with its parameters. */
export type DeclineReason =
  | 'scope'
  | 'future'
  | 'opinion'
  | 'noInformation'
  | 'badDate'
  | 'futureDate'
  | 'stillRunning'
  | 'noStart'
  | 'noSpan'
  | 'noAnchor'
  | 'onlyTroops'
  | 'otherOffice'
  | 'noTroopFigures'
  | 'otherHost'
  | 'noReason'
  | 'noPlace'
  | 'noQuote'
  | 'noEvent'
  | 'cannotConfirm'
  | 'noAnswerAbout'
  | 'otherCountry'
  | 'otherCountryEvents'
  | 'default';

export interface Decline {
  reason: DeclineReason;
  /** Names as the knowledge base writes them (a country's English name, a person's name), or the user's words. */
  params?: Record<string, string>;
  /** For `badDate`: the date that could not be used, for the answer to word as it words date errors. */
  date?: DateParseError;
}

export interface Understanding {
  lang: Language;
  /** The words that matched nothing the bot knows (not names, concepts or common words). */
  free: string[];
  parts: Part[];
  /** The question asks yes or no ("is Tiani still in charge?"): the answer leads with it. */
  yesNo: boolean;
  /** "Did X happen before Y?" / "which came first": the two events, in the order asked. */
  compare?: { first: KbEvent; second: KbEvent; asked: 'before' | 'after' | 'first' | 'between' };
  /** A yes/no question about troops that asks whether they left, not whether they are there. */
  asksAbsence?: boolean;
  /** The person a yes/no question asks about ("is Tiani still in charge?"). */
  subject?: string;
  /**
   * The title a yes/no question names, of the subject's terms in the office asked ("was Tiani already president of the
   * republic in 2024?"): yes only if the term then had it. In English, as answers' facts carry titles.
   */
  title?: string;
  /** The event the question's date was taken from ("when the ambassador left"). */
  anchorEvent?: KbEvent;
  /** Why the bot declines, when it does (an English sentence). */
  /** Why the question is declined: a reason the answer words in its own language (catalog `ask.decline.<reason>`). */
  decline?: Decline;
  /** The yes or no the understanding itself decided (whether a state still holds), when the facts alone do not. */
  lead?: 'Yes.' | 'No.';
}

/** Countries named but unknown to the knowledge base are looked up in ICU's region names (en, fr, de). */
const REGION_NAMES: Map<string, string> = (() => {
  const out = new Map<string, string>();
  const english = new Intl.DisplayNames(['en'], { type: 'region' });
  for (const lang of LANGUAGES) {
    const display = new Intl.DisplayNames([lang], { type: 'region' });
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        try {
          const name = display.of(code);
          if (name && name !== code && /^[A-Z]{2}$/.test(code)) out.set(normalizeName(name), english.of(code)!);
        } catch {
          // not a region code
        }
      }
    }
  }
  return out;
})();

const MONTHS: Record<Language, Map<string, string>> = (() => {
  const english = monthNames('en');
  const out = {} as Record<Language, Map<string, string>>;
  for (const lang of LANGUAGES) {
    const map = new Map<string, string>();
    if (lang !== 'en') {
      monthNames(lang).forEach((names, i) => {
        names.forEach((n) => {
          map.set(n, english[i]![0]!);
        });
      });
    }
    out[lang] = map;
  }
  return out;
})();

function monthNames(lang: string): string[][] {
  const long = new Intl.DateTimeFormat(lang, { month: 'long', timeZone: 'UTC' });
  const short = new Intl.DateTimeFormat(lang, { month: 'short', timeZone: 'UTC' });
  return [...Array(12).keys()].map((m) => {
    const d = new Date(Date.UTC(2020, m, 1));
    return [...new Set([long.format(d), short.format(d).replace(/\.$/, '')].map(normalizeName))].filter((n) => n.length >= 3);
  });
}

/** English month names, long and short: a date the commands read again names its month in English. */
const ENGLISH_MONTHS = new Set(monthNames('en').flat());
const ENGLISH_MONTH = new RegExp(`\\b(${[...ENGLISH_MONTHS].join('|')})\\b`, 'i');

const TYPO_MIN = 5;

/** How many unknown words of one question are checked for typos. */
const MAX_CORRECTIONS = 12;

/** The weight of a word no event uses (see QuestionReader.units). */
const UNKNOWN_WORD_WEIGHT = 0.3;

/**
 * Reads questions in English, French and German against what the knowledge base holds. Every name it
 * recognises comes from data/ (countries, people, organisations, places, offices) and every other word
 * from data/lexicon.yaml; what is asked follows from what was found and from the form of the question.
 */
export class QuestionReader {
  readonly index: KnowledgeIndex;
  /** Names of things, in every language: a name means the same whatever language the question is in. */
  private readonly names = new PhraseIndex<Meaning>(sameMeaning);
  /** Per language: concepts, question forms, relations, scope words. */
  private readonly words: Record<Language, PhraseIndex<Meaning>>;
  private readonly stopwords: Record<Language, Set<string>>;
  private readonly particles = {} as Record<Language, Set<string>>;
  /** Office names made of a verb and its object ("führt die Regierung"), by the object's words: the verb that goes with it. */
  private readonly splitVerbs = {} as Record<Language, Map<string, string[]>>;
  /** The same names as a verb's stem and the whole name: "headed Niger's government" is "heads the government". */
  private readonly verbObjects = {} as Record<Language, { verb: string; name: string[] }[]>;
  private readonly verbsMove = {} as Record<Language, boolean>;
  private readonly timeUnits = {} as Record<Language, Set<string>>;
  private readonly tenure = {} as Record<Language, Set<string>>;
  private readonly peak = {} as Record<Language, Set<string>>;
  /** The lexicon's `overTime` phrases as normalised text with a space either side, to find in a question's. */
  private readonly overTime = {} as Record<Language, string[]>;
  /** The lexicon's `between` phrases as normalised text, and the words that part their two sides. */
  private readonly between = {} as Record<Language, { phrases: Set<string>; and: Set<string> }>;
  /** The lexicon's `duration` phrases, as normalised text, longest first. */
  private readonly duration = {} as Record<Language, string[]>;
  private readonly already = {} as Record<Language, Set<string>>;
  private readonly futureEndings = {} as Record<Language, string[][]>;
  private readonly participle = {} as Record<Language, RegExp | null>;
  /** "or" of each language, as a whole word (withoutOrNot). */
  private readonly alternativePattern = {} as Record<Language, RegExp | null>;
  /** The lexicon's clauseOfTime phrases, each at the start of a clause (frontedRelation). */
  private readonly clauseOfTimePatterns = {} as Record<Language, RegExp[]>;
  /** Per language, a verb joined to its subject pronoun by a hyphen ("était-elle"), or null. */
  private readonly inversion = {} as Record<Language, RegExp | null>;
  private readonly presentStarts = {} as Record<Language, PhraseIndex<true>>;
  private readonly allStopwords: Set<string>;
  /** The small words every language has ("a", "en"…): they tell no language apart. */
  private readonly commonStopwords: Set<string>;
  private readonly codes = new Map<string, Meaning>();
  /**
   * Per language, the words typos are corrected to: every word of every name and concept, and the words of
   * that language's own question forms, relations and scope ("wahl" in a German question is no typo for a
   * French form).
   */
  private readonly vocabulary = {} as Record<Language, string[]>;
  /**
   * Per language, every phrase with its words stemmed, so inflected forms match too: "der französische
   * Botschafter" is the office listed as "französischer Botschafter". Built for a language when a question in it
   * first needs it: stemming every phrase in French and German took ~40 ms of each start, for a question in English.
   */
  private readonly stemmed = {} as Record<Language, () => PhraseIndex<{ last: string; meaning: Meaning }>>;
  /** Per language, where a second question starts: a conjunction before a question word ("… and when"); global, for matchAll. */
  private readonly clauseStart = {} as Record<Language, RegExp>;
  private readonly claimPatterns = {} as Record<Language, { verifyEnd: RegExp; verifyStart: RegExp; attribution: RegExp; opening: string } | null>;
  /** Per language, the date words and their English, as patterns (see toEnglishDates). */
  private readonly dateWordPatterns = {} as Record<Language, [RegExp, string][]>;
  /** Month names and date words in every language: read by the date parser, not searched for. */
  private readonly dateWords: Set<string>;
  /** Words that are never corrected: those above, the stopwords and the names of countries. */
  private readonly known: Set<string>;
  private readonly typoMemo = new BoundedMemo<string, string | null>(20_000);
  /** The language of the clause being read: its typed words are read as English only where English spells them so. */
  private clauseLang: Language = 'en';
  /** The name of the anchor each anchor event starts ("the withdrawal" runs on to its end event). */
  private readonly anchorOf = new Map<string, string>();

  constructor(
    private readonly kb: KnowledgeBase,
    readonly lexicon: LexiconData,
  ) {
    this.allStopwords = new Set(LANGUAGES.flatMap((l) => lexicon.languages[l].stopwords.flatMap(tokenize)));
    this.index = new KnowledgeIndex(kb, new Set(lexicon.languages.en.stopwords.flatMap(tokenize)));

    for (const c of kb.data.countries) {
      for (const n of [c.name, ...Object.values(c.names).flat(), ...c.aliases]) this.addName(this.names, n, { type: 'country', country: c });
      for (const code of c.codes) this.codes.set(code, { type: 'country', country: c });
    }
    for (const p of kb.data.people) {
      for (const n of personNames(p, kb.data.people)) this.names.add(n, { type: 'person', person: p });
    }
    for (const o of kb.data.organisations) {
      for (const n of [o.name, ...(o.acronym ? [o.acronym] : []), ...Object.values(o.names).flat()]) {
        this.addName(this.names, n, { type: 'organisation', organisation: o });
      }
      for (const code of o.codes ?? []) this.codes.set(code, { type: 'organisation', organisation: o });
    }
    for (const p of kb.data.places) {
      const others = new Set(kb.data.places.filter((o) => o !== p).map((o) => normalizeName(o.name)));
      for (const n of [p.name, ...p.name.split(','), ...p.aliases]) if (!others.has(normalizeName(n))) this.names.add(n, { type: 'place', place: p });
    }
    for (const o of kb.data.offices) {
      for (const n of [o.name, ...Object.values(o.names).flat()]) this.addName(this.names, n, { type: 'office', office: o });
    }
    this.words = {} as Record<Language, PhraseIndex<Meaning>>;
    this.stopwords = {} as Record<Language, Set<string>>;
    for (const lang of LANGUAGES) {
      const index = new PhraseIndex<Meaning>(sameMeaning);
      const l = lexicon.languages[lang];
      // Concepts and scope words of every language: "putsch" is the same word in all three.
      // (A concept's word that is a small word only elsewhere, "land" in German, is still a word here.)
      const own = new Set(l.stopwords.flatMap(tokenize));
      for (const concept of lexicon.concepts) {
        for (const w of [...concept[lang], ...LANGUAGES.filter((x) => x !== lang).flatMap((x) => concept[x])]) {
          this.addName(index, w, { type: 'concept', concept }, own);
        }
      }
      for (const scope of lexicon.scope) for (const w of scope[lang]) index.add(w, { type: 'scope', scope });
      for (const [form, ws] of Object.entries(l.forms)) for (const w of ws) index.add(w, { type: 'form', form: form as QuestionForm });
      for (const [relation, ws] of Object.entries(l.relations)) {
        for (const w of ws) index.add(w, { type: 'relation', relation: relation as Relation });
      }
      for (const w of l.comparison) index.add(w, { type: 'comparison' });
      for (const w of l.yesNoStart) index.add(w, { type: 'yesno' });
      for (const w of l.fillers) index.add(w, { type: 'filler' });
      this.words[lang] = index;
      this.stopwords[lang] = new Set(l.stopwords.flatMap(tokenize));
      this.particles[lang] = new Set(l.particles.flatMap(tokenize));
      this.splitVerbs[lang] = new Map();
      this.verbObjects[lang] = [];
      this.verbsMove[lang] = l.verbMoves;
      for (const name of kb.data.offices.flatMap((o) => o.names[lang] ?? [])) {
        const [verb, ...object] = tokenize(name);
        if (!verb || object.length < 2) continue;
        const key = object.join(' ');
        this.splitVerbs[lang].set(key, [...(this.splitVerbs[lang].get(key) ?? []), verb]);
        // (Only "<verb> <small word> <noun>" where neither is a name of its own: "head of state of Niger" ends in a
        // country, "France's ambassador" starts with one.)
        const named = (w: string) => this.names.matchAt([w], 0)?.end === 1;
        if (object.length === 2 && this.stopwords[lang].has(object[0]!) && !named(verb) && !named(object[1]!)) {
          this.verbObjects[lang].push({ verb: stem(verb, lang), name: [verb, ...object] });
        }
      }
      this.timeUnits[lang] = new Set(l.timeUnits.flatMap(tokenize));
      this.tenure[lang] = new Set(l.tenure.flatMap(tokenize));
      this.peak[lang] = new Set(l.peak.flatMap(tokenize));
      this.overTime[lang] = l.overTime.map((p) => ` ${tokenize(p).join(' ')} `);
      this.between[lang] = { phrases: new Set(l.between.map((p) => tokenize(p).join(' '))), and: new Set(l.betweenAnd.flatMap(tokenize)) };
      this.duration[lang] = l.duration.map((p) => tokenize(p).join(' ')).sort((a, b) => b.length - a.length);
      this.already[lang] = new Set(l.already.flatMap(tokenize));
      this.futureEndings[lang] = l.futureEndings.map(tokenize);
      this.participle[lang] = l.participle ? new RegExp(l.participle, 'u') : null;
      this.alternativePattern[lang] =
        l.alternative.length > 0 ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${l.alternative.map(escapePattern).join('|')})(?![\\p{L}\\p{N}])`, 'giu') : null;
      this.clauseOfTimePatterns[lang] = l.clauseOfTime.map((w) => new RegExp(`^\\s*${tokenize(w).map(escapePattern).join('\\s+')}(?![\\p{L}\\p{N}])`, 'iu'));
      this.inversion[lang] =
        l.inversionPronouns.length > 0 ? new RegExp(`\\p{L}{2,}-(?:t-)?(?:${l.inversionPronouns.map(escapePattern).join('|')})(?![\\p{L}-])`, 'iu') : null;
      this.presentStarts[lang] = new PhraseIndex<true>();
      for (const w of l.presentStart) this.presentStarts[lang].add(w, true);
      const starts = (['when', 'who', 'where', 'howMany', 'why'] as const).flatMap((form) => l.forms[form]);
      // "… and when …", and a question mark, comma or semicolon before a question word ("…, how many now?").
      const opener = `(?=(?:${starts.map(escapePattern).join('|')})\\b)`;
      // (Words between the words of a phrase: anything but letters and figures, as normalised text has them.)
      const phrase = (ws: string[]) => ws.map((w) => tokenize(w).map(escapePattern).join('[^\\p{L}\\p{N}]+')).join('|');
      this.claimPatterns[lang] =
        l.verify.length > 0
          ? {
              verifyEnd: new RegExp(`(?:^|[^\\p{L}\\p{N}])(?:${phrase(l.verify)})[^\\p{L}\\p{N}]*$`, 'iu'),
              verifyStart: new RegExp(`^[^\\p{L}\\p{N}]*(?:${phrase(l.verify)})(?![\\p{L}\\p{N}])`, 'iu'),
              attribution: new RegExp(`^.{0,80}?(?<![\\p{L}\\p{N}])(?:${phrase(l.claims)})(?![\\p{L}\\p{N}])`, 'iu'),
              opening: l.claimOpening,
            }
          : null;
      this.clauseStart[lang] = new RegExp(`[,;]?\\s+(?:${l.conjunctions.map(escapePattern).join('|')})\\s+${opener}|[?,;]\\s*${opener}`, 'giu');
      // (German typed without umlauts writes "ue" for "ü": "Fruehjahr" is "Frühjahr", which the lexicon has as "fruhjahr".)
      const umlauts = (w: string) => (lang === 'de' ? w.replace(/([aou])/g, '$1e?') : w);
      this.dateWordPatterns[lang] = Object.entries(l.dateWords).map(([phrase, english]) => [
        new RegExp(`\\b${tokenize(phrase).map(umlauts).join('[\\s-]+')}\\b`, 'g'),
        english,
      ]);
      let stemmed: PhraseIndex<{ last: string; meaning: Meaning }> | undefined;
      this.stemmed[lang] = () => {
        if (stemmed) return stemmed;
        stemmed = new PhraseIndex<{ last: string; meaning: Meaning }>((a, b) => a.last === b.last && sameMeaning(a.meaning, b.meaning));
        for (const { tokens, values } of [...this.names.entries(), ...index.entries()]) {
          // Phrases only, and their last word as written: the endings that vary are the adjectives'
          // ("der französische Botschafter"); "Botschaft", the embassy, is no "Botschafter".
          if (tokens.length < 2) continue;
          const phrase = tokens.map((t) => stem(t, lang)).join(' ');
          for (const v of values) stemmed.add(phrase, { last: tokens.at(-1)!, meaning: v });
        }
        return stemmed;
      };
    }
    this.commonStopwords = new Set([...this.allStopwords].filter((w) => LANGUAGES.every((l) => this.stopwords[l].has(w))));
    const phraseWords = new Set([...this.names.words(), ...LANGUAGES.flatMap((l) => [...this.words[l].words()])]);
    for (const lang of LANGUAGES) {
      const l = lexicon.languages[lang];
      const own = [
        ...Object.values(l.forms).flat(),
        ...Object.values(l.relations).flat(),
        ...l.yesNoStart,
        ...l.comparison,
        // Concepts are read in every language ("putsch" is the same word in all three), so their words are typed in any.
        ...lexicon.concepts.flatMap((c) => LANGUAGES.flatMap((x) => c[x])),
        ...lexicon.scope.flatMap((c) => c[lang]),
      ].flatMap(tokenize);
      const words = new Set([...this.names.words(), ...own]);
      this.vocabulary[lang] = [...words].filter((w) => w.length >= TYPO_MIN - 1 && !/\d/.test(w));
    }
    this.dateWords = new Set([
      ...LANGUAGES.flatMap((l) => [...MONTHS[l].keys(), ...Object.keys(lexicon.languages[l].dateWords).flatMap(tokenize)]),
      ...monthNames('en').flat(),
      ...'spring summer autumn fall winter early mid late year years month months day days ago today yesterday now'.split(' '),
    ]);
    this.known = new Set([
      ...phraseWords,
      ...this.dateWords,
      ...LANGUAGES.flatMap((l) => [...this.stopwords[l]]),
      ...[...REGION_NAMES.keys()].flatMap(tokenize),
      // ("unter" is no typo for "under".)
      ...LANGUAGES.flatMap((l) => [...this.tenure[l]]),
      ...LANGUAGES.flatMap((l) => [...this.peak[l]]),
    ]);
    for (const a of kb.data.anchors) if (!this.anchorOf.has(a.event)) this.anchorOf.set(a.event, a.names[0]!);
  }

  /** A phrase, and the same phrase without its small words ("président du Niger" is also "président Niger"). */
  private addName(index: PhraseIndex<Meaning>, phrase: string, meaning: Meaning, smallWords: Set<string> = this.allStopwords): void {
    // A leading article adds nothing and would take the word from a longer name: "the French ambassador"
    // is the office, not "the French" and an ambassador.
    // (Unless the rest is itself a small word: "the us" is the country where "us" alone is not.)
    // (A concept's small words are its own: "in force" is no "force", "in power" no "power".)
    const words = tokenize(phrase);
    const start = words.findIndex((t) => !this.allStopwords.has(t));
    if (start > 0 && meaning.type !== 'concept' && words.slice(0, start).every((t) => this.dropsFromName(t))) phrase = words.slice(start).join(' ');
    else if (start < 0 && words.length > 1) {
      index.add(phrase, meaning);
      return;
    }
    const tokens = tokenize(phrase);
    // A name that is also a small word somewhere ("EU" is French "eu") names the thing only in capitals.
    if (tokens.length === 1 && smallWords.has(tokens[0]!)) {
      if (/^[A-Z]{2,5}$/.test(phrase.trim())) this.codes.set(phrase.trim(), meaning);
      return;
    }
    index.add(phrase, meaning);
    // A verb keeps its particle: "pull out" is no "pull", "trat aus" no "trat", "set up" no "set".
    // (A verb phrase is not its last word alone: "let go" is no "go".)
    const short = tokens.filter((t, i) => !this.allStopwords.has(t) || (meaning.type === 'concept' && i === tokens.length - 1));
    // (A name keeps its words that mean something: "Premier ministre" is no "ministre", whatever minister is asked.)
    const dropped = tokens.filter((t) => !short.includes(t));
    if (
      short.length > (meaning.type === 'concept' ? 1 : 0) &&
      short.length < tokens.length &&
      (meaning.type === 'concept' || dropped.every((t) => this.dropsFromName(t)))
    ) {
      index.add(short.join(' '), meaning);
    }
  }

  /**
   * Whether a small word may be left out of a name: an article or preposition ("the", "du", "des") or Niger's own
   * name ("président du Niger" is "président" in a question about Niger), not a word such as "premier".
   */
  private dropsFromName(word: string): boolean {
    return this.allStopwords.has(word) && (word.length <= 3 || this.namesHost(word));
  }

  /** Whether a word is one of Niger's own names or adjectives ("niger", "nigerien", "nigrisch"). */
  private namesHost(word: string): boolean {
    this.hostWords ??= new Set(
      this.kb.data.countries.filter((c) => c.iso === 'NE').flatMap((c) => [c.name, c.adjective, ...Object.values(c.names).flat()].flatMap(tokenize)),
    );
    return this.hostWords.has(word);
  }

  private hostWords?: Set<string>;

  /** Whether a word is an ordinary word of the language (a small word or a concept's), not a name: "Coup", not "French". */
  isCommonWord(word: string, language: string): boolean {
    const lang: Language = (LANGUAGES as readonly string[]).includes(language) ? (language as Language) : 'en';
    this.commonWords[lang] ??= new Set([...this.stopwords[lang], ...this.words[lang].words()].filter((x) => !this.names.matchAt([x], 0)));
    return this.commonWords[lang]!.has(normalizeName(word));
  }

  private readonly commonWords: Partial<Record<Language, Set<string>>> = {};

  /**
   * The words of the lexicon only one language has ("Vereidigung", "Frist"): a question with no small words of its
   * language ("Tiani Vereidigung Datum") is in the language of these.
   */
  private get ownWords(): Record<Language, Set<string>> {
    this.ownWordSets ??= (() => {
      const wordsOf = (lang: Language) => {
        const l = this.lexicon.languages[lang];
        const phrases = [...Object.values(l.forms).flat(), ...Object.keys(l.dateWords), ...this.lexicon.concepts.flatMap((c) => c[lang])];
        return new Set(phrases.flatMap(tokenize).filter((w) => w.length >= 4));
      };
      const all = Object.fromEntries(LANGUAGES.map((lang) => [lang, wordsOf(lang)])) as Record<Language, Set<string>>;
      return Object.fromEntries(
        LANGUAGES.map((lang) => [
          lang,
          new Set([...all[lang]].filter((w) => LANGUAGES.every((o) => o === lang || (!all[o].has(w) && !this.stopwords[o].has(w))))),
        ]),
      ) as Record<Language, Set<string>>;
    })();
    return this.ownWordSets;
  }

  private ownWordSets?: Record<Language, Set<string>>;

  /** Which of the languages the question is written in: the one whose common words it uses most. */
  detectLanguage(raw: string, tokens: string[]): Language {
    let best: Language = 'en';
    let bestScore = 0;
    for (const lang of LANGUAGES) {
      let score = 0;
      for (const t of tokens) if ((this.stopwords[lang].has(t) && !this.commonStopwords.has(t)) || this.ownWords[lang].has(t)) score++;
      if (lang === 'fr' && /[éèêàçù]/i.test(raw)) score += 1;
      if (lang === 'de' && /[äöüß]/i.test(raw)) score += 1;
      if (score > bestScore) {
        best = lang;
        bestScore = score;
      }
    }
    return best;
  }

  /** The phrases of the question and what each means; words that match nothing are left out. */
  mentions(raw: string, tokens: string[], lang: Language): { mentions: Mention[]; free: string[] } {
    const mentions: Mention[] = [];
    const free: string[] = [];
    const words = this.words[lang];
    // Codes such as "US", "FR" name a country only when written in capitals.
    const capitals = new Set((raw.match(/\b[A-Z]{2,3}\b/g) ?? []).map((c) => c.toLowerCase()));
    const chosen = this.bestCover(tokens, words, lang);
    for (let i = 0; i < tokens.length; ) {
      const token = tokens[i]!;
      const hit = chosen[i];
      if (hit?.values.every((v) => v.type === 'filler')) {
        i = hit.end;
        continue;
      }
      // "… dass Bazoum weiter festgehalten wird": "wird" with a participle is the passive, not the future.
      if (hit && this.passive(tokens, i, hit.end, lang) && hit.values.every((v) => v.type === 'form' && v.form === 'future')) {
        free.push(...tokens.slice(i, hit.end));
        i = hit.end;
        continue;
      }
      if (hit) {
        // A country's armed forces stand for the country in troop questions ("die Bundeswehr", "French armed
        // forces"); its embassy or ministry does not.
        const forces = hit.values.some((v) => v.type === 'organisation' && /\b(armed forces|army|military|operation)\b/i.test(v.organisation.kind));
        const countries = forces ? tokens.slice(i, hit.end).flatMap((t) => this.names.matchAt([t], 0)?.values.filter((v) => v.type === 'country') ?? []) : [];
        mentions.push({
          start: i,
          end: hit.end,
          words: tokens.slice(i, hit.end),
          meanings: [...hit.values, ...countries.filter((c) => !hit.values.some((v) => sameMeaning(v, c)))],
        });
        i = hit.end;
        continue;
      }
      // "US" names the country in capitals, or in lower case right before a word for troops: "us troops" (English
      // says "troops for us" the other way round), "us-truppen", where it is no small word of the question's
      // language: in French "de militaires" is no Germany.
      const beforeTroops = () => words.matchAt(tokens, i + 1)?.values.some((v) => v.type === 'concept' && v.concept.troops) ?? false;
      // ("us withdrawal", "the us pullout": before any concept at the start or after "the", where the pronoun
      // cannot stand; "tell us …" keeps it a pronoun.)
      const beforeConcept = () => (i === 0 || tokens[i - 1] === 'the') && (words.matchAt(tokens, i + 1)?.values.some((v) => v.type === 'concept') ?? false);
      const code =
        capitals.has(token) || ((lang === 'en' || !this.stopwords[lang].has(token)) && (beforeTroops() || (lang === 'en' && beforeConcept())))
          ? this.codes.get(token.toUpperCase())
          : undefined;
      if (code) {
        mentions.push({ start: i, end: i + 1, words: [token], meanings: [code] });
        i++;
        continue;
      }
      if (this.stopwords[lang].has(token) || this.dateWords.has(token) || /^\d+(st|nd|rd|th|er)?$/.test(token)) {
        i++;
        continue;
      }
      const region = REGION_NAMES.get(token) ?? (i + 1 < tokens.length ? REGION_NAMES.get(`${token} ${tokens[i + 1]}`) : undefined);
      if (region) {
        mentions.push({ start: i, end: i + 1, words: [token], meanings: [{ type: 'country', country: unknownCountry(region) }] });
        i++;
        continue;
      }
      const split = lang === 'de' ? this.compound(token) : null;
      if (split) {
        mentions.push(...split.map((m) => ({ ...m, start: i, end: i + 1, words: [token] })));
        i++;
        continue;
      }
      if (this.inFuture(tokens, i, lang)) {
        mentions.push({ start: i, end: i + 1, words: [token], meanings: [{ type: 'form', form: 'future' }] });
        i++;
        continue;
      }
      free.push(token);
      i++;
    }
    const tenure = this.tenureBefore(mentions, tokens, free, lang);
    return { mentions: this.ofHappening(tenure?.mentions ?? mentions, tokens, lang), free: tenure?.free ?? free };
  }

  /**
   * What the sources say was at a place, as a count: a troop figure whose note counts troops there, an event
   * at the place that does, or the place's own summary. Of the dated ones, the one in the period asked (or the
   * newest before it); the summary when none is dated.
   */
  private countAt(place: Place, countries: string[], period: DateQuery | undefined, dateText: string | undefined): Part[] | null {
    const names = [place.name, ...place.name.split(','), ...place.aliases].map((n) => normalizeName(n)).filter((n) => n.length > 2);
    // A number counts troops there when the place follows it closely: "400 at Ouallam", "about 200 remained at
    // Agadez" — not "766 had left by July (when the withdrawal from Air Base 101 was completed)".
    const namesPlace = (sentence: string) => {
      const words = tokenize(sentence.replace(/(\d),(\d)/g, '$1$2'));
      return words.some((w, i) => {
        if (!/^\d+$/.test(w) || /^(19|20)\d\d$/.test(w)) return false;
        const after = ` ${words.slice(i + 1, i + 9).join(' ')} `;
        return names.some((n) => new RegExp(` (?:at|in) (?:the )?(?:\\S+ ){0,2}?${escapePattern(n)} `).test(after) && after.indexOf(` ${n} `) < 40);
      });
    };
    const ofCountry = (country: string, text: string, tags: string[] = []) => {
      const c = this.kb.data.countries.find((x) => x.name === country);
      const words = c ? [c.name, c.adjective, ...c.codes, ...c.names.en].map(normalizeName) : [];
      return tags.includes(normalizeName(country).replace(/ /g, '-')) || words.some((w) => ` ${normalizeName(text)} `.includes(` ${w} `));
    };
    const wanted = countries.length > 0 ? countries : this.kb.countries();
    const dated: { date: string; part: Part }[] = [];
    for (const d of this.kb.data.deployments) {
      // A figure reported for that place alone counts there; so does one whose note counts there (a note is
      // about troops by itself: "400 at Ouallam and Tabarey-Barey").
      const there = (d.places.length === 1 && d.places[0] === place.id) || (!!d.note && this.countSentences(d.note, false).some(namesPlace));
      if (!wanted.includes(d.country) || !there) continue;
      dated.push({ date: d.asOf.start, part: { kind: 'troops', country: d.country, date: d.asOf.text } });
    }
    for (const e of this.kb.data.events) {
      if (!wanted.some((c) => ofCountry(c, `${e.title} ${e.summary}`, e.tags))) continue;
      if (this.countSentences(e.summary).some(namesPlace)) {
        dated.push({ date: e.date.start, part: { kind: 'event', event: e.id, related: [] } });
      }
    }
    const inPeriod = period && !period.now ? dated.filter((x) => x.date >= period.start && x.date <= period.end) : [];
    const before = dated.filter((x) => !period || period.now || x.date <= period.end).sort((a, b) => b.date.localeCompare(a.date));
    const chosen = inPeriod[0] ?? before[0];
    // None left in the country by then is none at the place either: "at Ouallam in 2024" after the withdrawal.
    const end = period && !period.now ? period.end : '9999-12-31';
    const gone = this.kb.data.deployments.find(
      (d) => wanted.includes(d.country) && d.count === 0 && d.asOf.start <= end && (!chosen || d.asOf.start > chosen.date) && wanted.length === 1,
    );
    // (Asked with no date, the count there and that none are left now: "how many US troops were at Agadez?")
    if (gone && chosen && (!period || period.now)) return [chosen.part, { kind: 'troops', country: gone.country }];
    if (gone && period && !period.now) return [{ kind: 'troops', country: gone.country, ...(dateText ? { date: dateText } : {}) }];
    if (chosen) return [chosen.part];
    // Its summary dates its own figure ("from July 2022, when a tent camp was set up for about 300 …"): for a
    // period asked, the sentence must name a year of it.
    const years = period && !period.now ? { from: Number(period.start.slice(0, 4)), to: Number(period.end.slice(0, 4)) } : null;
    const ofPeriod = (sentence: string) => !years || (sentence.match(/\b(19|20)\d\d\b/g) ?? []).map(Number).some((y) => y >= years.from && y <= years.to);
    const own = this.countSentences(place.summary).some(ofPeriod) && wanted.some((c) => ofCountry(c, place.summary));
    return own ? [{ kind: 'places', place: place.name }] : null;
  }

  /** Whether the question's one place follows a locative ("at Agadez", "à Ouallam"): what is counted is there. */
  private locatedAt(mentions: Mention[], tokens: string[], lang: Language): boolean {
    const place = mentions.find((m) => m.meanings.some((x) => x.type === 'place'));
    if (!place) return false;
    const locatives = this.lexicon.languages[lang].locatives.map(tokenize);
    return locatives.some((l) => l.length > 0 && l.length <= place.start && l.every((w, k) => tokens[place.start - l.length + k] === w));
  }

  /**
   * The sentences of an English text that count troops: a number (not a year or a sum of money) before a word
   * for troops, or any such number in a text about troops already.
   */
  private countSentences(text: string, troopWord = true): string[] {
    this.troopWords ??= new Set(this.lexicon.concepts.filter((c) => c.troops).flatMap((c) => c.en.flatMap(tokenize)));
    return text.split(/(?<=[.;])\s+/).filter((sentence) => {
      const words = sentence.split(/\s+/);
      return words.some((w, i) => {
        if (!/^\d[\d,]*$/.test(w) || /^(19|20)\d\d$/.test(w) || /\$/.test(words[i - 1] ?? '')) return false;
        return !troopWord || words.slice(i + 1, i + 6).some((next) => tokenize(next).some((t) => this.troopWords!.has(t)));
      });
    });
  }

  private troopWords?: Set<string>;

  /** Whether an event's own words name a place or a country (Niger and those asked about aside): it says where. */
  private saysWhere(e: KbEvent, askedCountries: string[], askedPlaces: Place[]): boolean {
    const tokens = tokenize(`${e.title} ${e.summary}`);
    for (let i = 0; i < tokens.length; i++) {
      const hit = this.names.matchAt(tokens, i);
      const where = hit?.values.some(
        (v) =>
          (v.type === 'country' && v.country.iso !== 'NE' && !askedCountries.includes(v.country.name)) ||
          (v.type === 'place' && !askedPlaces.some((p) => p.id === v.place.id)),
      );
      if (where) return true;
    }
    // A place the knowledge base has no entry for, as English writes one: "in a speech in Toulon".
    for (const m of `${e.title}. ${e.summary}`.matchAll(/\b(?:in|at|to|from|near)\s+(\p{Lu}[\p{L}'’-]+)/gu)) {
      const name = tokenize(m[1]!).join(' ');
      if (!ENGLISH_MONTHS.has(name) && !/^(niger|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$/.test(name)) return true;
    }
    return false;
  }

  /** Whether the auxiliary at `from`–`to` goes with a participle (lexicon `participle`): a passive. */
  private passive(tokens: string[], from: number, to: number, lang: Language): boolean {
    const participle = this.participle[lang];
    if (!participle) return false;
    // (Before it at a clause's end, "… festgehalten wird"; after it, up to the end of a short clause, "wird Bazoum … festgehalten".)
    return [tokens[from - 1], ...tokens.slice(to, to + 6)].some((t) => t !== undefined && participle.test(t));
  }

  /** Whether the word at `i` is a verb in the future tense by its ending (lexicon `futureEndings`). */
  private inFuture(tokens: string[], i: number, lang: Language): boolean {
    const token = tokens[i]!;
    return this.futureEndings[lang].some(
      ([ending, ...next]) => token.length >= ending!.length + 3 && token.endsWith(ending!) && next.every((w, k) => tokens[i + 1 + k] === w),
    );
  }

  /**
   * "Under Bazoum", "sous Bazoum", "unter Präsident Bazoum": a word of the lexicon's `tenure` right before a
   * person (perhaps after their title) is "during" their time in office.
   */
  private tenureBefore(mentions: Mention[], tokens: string[], free: string[], lang: Language): { mentions: Mention[]; free: string[] } | null {
    const words = this.tenure[lang];
    if (words.size === 0) return null;
    const added: Mention[] = [];
    for (const [k, m] of mentions.entries()) {
      if (!m.meanings.some((x) => x.type === 'person')) continue;
      const title = mentions[k - 1];
      const start = title?.end === m.start && title.meanings.every((x) => x.type === 'office') ? title.start : m.start;
      const word = tokens[start - 1];
      if (word === undefined || !words.has(word) || mentions.some((o) => o.end === start)) continue;
      added.push({ start: start - 1, end: start, words: [word], meanings: [{ type: 'relation', relation: 'during' }] });
    }
    if (added.length === 0) return null;
    const left = [...free];
    for (const a of added) left.splice(left.indexOf(a.words[0]!), 1);
    return { mentions: [...mentions, ...added].sort((a, b) => a.start - b.start), free: left };
  }

  /**
   * A concept that ends a state means something else of a happening: with no state it ends named and a
   * happening named, "when did the US withdrawal end?" asks for its completion, not for a revocation.
   */
  private ofHappening(mentions: Mention[], tokens: string[], lang: Language): Mention[] {
    if (!mentions.some((m) => m.meanings.some((x) => x.type === 'concept' && x.concept.ofHappening))) return mentions;
    // What "end" qualifies is in its own part of the question: "the end of Sabre or the coup" asks of two things.
    const l = this.lexicon.languages[lang];
    const breaks = new Set([...l.alternative, ...l.conjunctions].flatMap(tokenize));
    const part = (at: number) => tokens.slice(0, at).filter((t) => breaks.has(t)).length;
    const conceptsIn = (p: number) =>
      mentions.filter((m) => part(m.start) === p).flatMap((m) => m.meanings.flatMap((x) => (x.type === 'concept' ? [x.concept] : [])));
    const read = (x: Meaning, p: number): Meaning => {
      if (x.type !== 'concept' || !x.concept.ofHappening) return x;
      const others = conceptsIn(p).filter((c) => c.id !== x.concept.id);
      if (others.some((c) => x.concept.ends?.includes(c.id)) || !others.some(saysWhatHappened)) return x;
      const instead = this.lexicon.concepts.find((c) => c.id === x.concept.ofHappening);
      return instead ? { type: 'concept', concept: instead } : x;
    };
    return mentions.map((m) => ({ ...m, meanings: m.meanings.map((x) => read(x, part(m.start))) }));
  }

  /**
   * Which phrases to read the question as: the set of non-overlapping phrases that covers the most words,
   * so "the French foreign minister" is the office, not "the French" and two loose words.
   */
  private bestCover(tokens: string[], words: PhraseIndex<Meaning>, lang: Language): ({ end: number; values: Meaning[] } | undefined)[] {
    const n = tokens.length;
    const stems = tokens.map((t) => stem(t, lang));
    const at: { end: number; values: Meaning[] }[][] = [];
    for (let i = 0; i < n; i++) {
      const byEnd = new Map<number, Meaning[]>();
      const exact = [...this.names.matchesAt(tokens, i), ...words.matchesAt(tokens, i)];
      // Inflected forms only where the words as typed match nothing of that length.
      const inflected = this.stemmed[lang]()
        .matchesAt(stems, i)
        .filter((m) => !exact.some((e) => e.end === m.end))
        .map((m) => ({ end: m.end, values: m.values.filter((v) => v.last === tokens[m.end - 1]).map((v) => v.meaning) }))
        .filter((m) => m.values.length > 0);
      for (const m of [...exact, ...inflected]) {
        const seen = byEnd.get(m.end) ?? [];
        byEnd.set(m.end, [...seen, ...m.values.filter((v) => !seen.some((x) => sameMeaning(x, v)))]);
      }
      at.push([...byEnd].map(([end, values]) => ({ end, values })).sort((a, b) => b.end - a.end));
    }
    const covered = new Array<number>(n + 1).fill(0);
    const choice = new Array<{ end: number; values: Meaning[] } | undefined>(n);
    for (let i = n - 1; i >= 0; i--) {
      covered[i] = covered[i + 1]!;
      for (const m of at[i]!) {
        const total = m.end - i + covered[m.end]!;
        if (total > covered[i]!) {
          covered[i] = total;
          choice[i] = m;
        }
      }
    }
    // Walk the choices from the start: a phrase chosen inside one taken before is not used.
    const out = new Array<{ end: number; values: Meaning[] } | undefined>(n);
    for (let i = 0; i < n; ) {
      const c = choice[i];
      if (c && c.end - i + covered[c.end]! === covered[i]) {
        out[i] = c;
        i = c.end;
      } else i++;
    }
    return out;
  }

  /** German compounds ("Bundeswehrsoldaten", "Truppenabzug"): two known words joined. */
  private compound(token: string): Mention[] | null {
    if (token.length < 8) return null;
    for (let cut = 3; cut <= token.length - 4; cut++) {
      const head = token.slice(0, cut);
      const tail = token.slice(cut);
      const a = this.lookupWord(head) ?? (head.endsWith('s') ? this.lookupWord(head.slice(0, -1)) : null);
      const b = this.lookupWord(tail);
      if (a && b) {
        // "Militärintervention" is an intervention: a word for troops before another concept describes it.
        const troopsOnly = a.every((m) => m.type === 'concept' && m.concept.troops);
        const concept = b.some((m) => m.type === 'concept' && !m.concept.troops);
        if (troopsOnly && concept) return [{ start: 0, end: 1, words: [tail], meanings: b }];
        return [
          { start: 0, end: 1, words: [head], meanings: a },
          { start: 0, end: 1, words: [tail], meanings: b },
        ];
      }
    }
    // Else an unknown modifier before a known noun: "Luftwaffenbasis" is a kind of "Basis".
    for (let cut = 4; cut <= token.length - 4; cut++) {
      const tail = this.lookupWord(token.slice(cut));
      if (tail) return [{ start: 0, end: 1, words: [token.slice(cut)], meanings: tail }];
    }
    return null;
  }

  private lookupWord(word: string): Meaning[] | null {
    return this.names.matchAt([word], 0)?.values ?? this.words.de.matchAt([word], 0)?.values ?? null;
  }

  /** A known word within one typo (two from eight letters) of an unknown one. */
  private typo(token: string, lang: Language): string | null {
    if (token.length < TYPO_MIN) return null;
    return this.typoMemo.get(`${lang}:${token}`, () => {
      const t = token;
      const max = t.length >= 8 ? 2 : 1;
      let best: string | null = null;
      let bestDistance = max + 0.5;
      for (const w of this.vocabulary[lang]) {
        if (Math.abs(w.length - t.length) > max) continue;
        // Typos rarely touch the first letter: of two words as near, the one that starts the same wins.
        const d = typoDistance(w, t) + (w[0] === t[0] ? 0 : 0.5);
        if (d < bestDistance) {
          best = w;
          bestDistance = d;
        }
      }
      return best;
    });
  }

  /** The question's own date, read by the date parser after month names and date words are put in English. */
  private date(raw: string, lang: Language, now: Date): { query: DateQuery; matched: string } | { error: DateParseError } | null {
    const dates = this.pass?.dates;
    if (!dates) return this.dateUncached(raw, lang, now);
    const key = `${lang}\u0000${raw}`;
    if (!dates.has(key)) dates.set(key, this.dateUncached(raw, lang, now));
    return dates.get(key)!;
  }

  /**
   * A day named without a year ("le soir du 26 juillet") is the one the knowledge base has events on, when only
   * one year has: in this story, 26 July is the coup's, not this year's.
   */
  private yearFromEvents(
    date: { query: DateQuery; matched: string } | { error: DateParseError } | null,
    question: string,
    now: Date,
  ): { query: DateQuery; matched: string } | { error: DateParseError } | null {
    if (!date || 'error' in date || date.query.now || date.query.precision !== 'day' || date.query.start !== date.query.end) return date;
    if (/\b(?:19|20)\d{2}\b/.test(question) || /\b(?:19|20)\d{2}\b/.test(date.matched) || date.query.phrase?.kind !== 'period') return date;
    const monthDay = date.query.start.slice(4);
    const years = [
      ...new Set(this.kb.data.events.filter((e) => e.date.precision === 'day' && e.date.start.endsWith(monthDay)).map((e) => e.date.start.slice(0, 4))),
    ];
    if (years.length !== 1 || years[0] === date.query.start.slice(0, 4)) return date;
    const found = findDate(`${date.matched} ${years[0]}`, now, this.kb.anchorSpans);
    return found ? { query: found.query, matched: found.matched } : date;
  }

  private dateUncached(raw: string, lang: Language, now: Date): { query: DateQuery; matched: string } | { error: DateParseError } | null {
    // (English has date words of its own too: holidays.)
    try {
      const english = lang === 'en' ? this.holidaysAsDays(raw) : this.toEnglishDates(numericDaysAsIso(raw), lang);
      const found = findDate(english, now, this.kb.anchorSpans);
      if (found || lang === 'en') return found;
      // What the English reading missed, chrono-node's own French or German parser may know ("vor zwei Jahren"),
      // when the question has a word for a span of time or a numeric date: most have neither.
      if (!/\d[/.:]\d/.test(raw) && !tokenize(raw).some((t) => this.timeUnits[lang].has(t))) return null;
      // "une transition de 60 mois", "binnen 48 Stunden" name a length of time, not a date ("il y a 2 ans" is one).
      // (chrono reads "de 60 mois" as sixty months from now: a span of time with nothing saying "ago" is a length.)
      const duration = (r: ParsedResult) => {
        const words = tokenize(r.text);
        return words.length >= 2 && /^\d+$/.test(words.at(-2)!) && this.timeUnits[lang].has(words.at(-1)!) && r.start.date() > now;
      };
      const own = CHRONO[lang].parse(raw, now, { forwardDate: false }).find((r) => (r.start.isCertain('year') || r.start.isCertain('month')) && !duration(r));
      if (!own) return null;
      const d = own.start.date();
      const iso = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}${own.start.isCertain('day') ? `-${String(d.getDate()).padStart(2, '0')}` : ''}`;
      const query = findDate(iso, now, this.kb.anchorSpans);
      return query ? { query: query.query, matched: iso } : null;
    } catch (err) {
      if (err instanceof DateParseError) return { error: err };
      throw err;
    }
  }

  /** English text with the lexicon's English date words as days ("Christmas 2023" → "25 december 2023"); else as typed. */
  private holidaysAsDays(raw: string): string {
    const patterns = this.dateWordPatterns.en;
    if (patterns.length === 0) return raw;
    let text = raw.replace(/[’']/g, ' ');
    if (!patterns.some(([p]) => text.toLowerCase().search(p) >= 0)) return raw;
    text = text.toLowerCase();
    for (const [pattern, english] of patterns) text = text.replace(pattern, english);
    return text;
  }

  private toEnglishDates(raw: string, lang: Language): string {
    let text = raw
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/ß/g, 'ss')
      .toLowerCase()
      .replace(/[’']/g, ' ');
    // French and German write the day first: "03/10/2023", "3.10.2023" is 3 October (English would read 10 March).
    text = text.replace(/\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b/g, (all, d: string, m: string, y: string) =>
      Number(m) >= 1 && Number(m) <= 12 && Number(d) >= 1 && Number(d) <= 31 ? `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}` : all,
    );
    text = text.replace(/\b(\d{1,2})(?:\.|er)(?=\s)/g, '$1');
    text = text.replace(/\b[a-z]+\b/g, (w) => MONTHS[lang].get(w) ?? w);
    for (const [pattern, english] of this.dateWordPatterns[lang]) text = text.replace(pattern, english);
    return text;
  }

  /**
   * Reads a question. A line that asks two things ("… and when …", "… et combien …") is read as two
   * questions, the second taking what the first named when it names nothing of its kind itself.
   */
  understand(question: string, now: Date): Understanding {
    // A question's clauses are read, and their dates parsed, several times over: once each is enough.
    this.pass = { reads: new Map(), dates: new Map(), languages: new Map() };
    try {
      return this.understandQuestion(question, now);
    } finally {
      this.pass = undefined;
    }
  }

  /**
   * "Has Niger left ECOWAS, or not?", "… or is that just talk?", "… ou pas ?", "… oder nicht?": an "or" followed by
   * nothing the bot knows offers no second thing to weigh; the question is the yes/no before it.
   */
  private withoutOrNot(question: string): string | null {
    const lang = this.languageOf(question);
    const pattern = this.alternativePattern[lang];
    if (!pattern) return null;
    const last = [...question.matchAll(pattern)].at(-1);
    if (!last || last.index === 0) return null;
    const before = question.slice(0, last.index);
    const tail = question.slice(last.index + last[0].length);
    if (tokenize(before).length < 2 || /\d/.test(tail)) return null;
    const names = this.read(tail).mentions.some((m) => m.meanings.some((x) => NAMING.has(x.type)));
    return names ? null : before.replace(/[\s,;:–—-]+$/u, '');
  }

  /**
   * "When the AES charter was signed, were French troops still in Niger?", "Before the coup, how many …?": a clause
   * of time put first, before the comma, is read where the reader expects it, after the question ("were French troops
   * still in Niger when the AES charter was signed?"). Only when what follows the comma opens as a question and the
   * clause is no question of its own ("When did the French leave, and why?").
   */
  private frontedRelation(question: string): string | null {
    const parts = question.split(',');
    if (parts.length < 2) return null;
    const opens = (text: string, type: 'relation' | 'question') => {
      const m = this.read(text).mentions[0];
      if (m?.start !== 0) return false;
      return m.meanings.some((x) => (type === 'relation' ? x.type === 'relation' : x.type === 'form' || x.type === 'yesno'));
    };
    const lang = this.languageOf(question);
    const l = this.lexicon.languages[lang];
    // ("As the last US troops flew out, …": a word that is a time only opening such a clause reads as "when".)
    const when = l.clauseOfTimeAs;
    const timeWords = this.clauseOfTimePatterns[lang];
    for (let k = 0; k < Math.min(parts.length - 1, 2); k++) {
      const opening = when ? timeWords.find((w) => w.test(parts[k]!)) : undefined;
      if (opening) parts[k] = parts[k]!.replace(opening, `${k > 0 ? ' ' : ''}${when}`);
      const clause = parts[k]!;
      if (!opens(clause, 'relation')) continue;
      // ("When did …" is a question, not a time.)
      const second = this.read(clause).mentions[1];
      if (second && second.start === 1 && second.meanings.some((x) => x.type === 'yesno')) return null;
      const asked = parts
        .slice(k + 1)
        .join(',')
        .trim();
      if (tokenize(asked).length < 2 || !opens(asked, 'question')) return null;
      return `${asked.replace(/[\s?.!]+$/u, '')} ${parts
        .slice(0, k + 1)
        .join(',')
        .trim()}?`;
    }
    return null;
  }

  /** What one understand() call has read and parsed already, by text. */
  private pass?: {
    reads: Map<string, ReturnType<QuestionReader['readUncached']>>;
    dates: Map<string, ReturnType<QuestionReader['dateUncached']>>;
    languages: Map<string, Language>;
  };

  /** The language of a text, detected once per understand() call: the question's own is asked for by several readings. */
  private languageOf(text: string): Language {
    const languages = this.pass?.languages;
    let lang = languages?.get(text);
    if (!lang) {
      lang = this.detectLanguage(text, tokenize(text));
      languages?.set(text, lang);
    }
    return lang;
  }

  private understandQuestion(question: string, now: Date): Understanding {
    const claim = this.claimQuestion(question);
    if (claim !== null) return this.understandQuestion(claim, now);
    const tagged = this.withoutOrNot(question);
    if (tagged !== null) return this.understandQuestion(tagged, now);
    const fronted = this.frontedRelation(question);
    if (fronted !== null) return this.understandQuestion(fronted, now);
    const clauses = this.clauses(question);
    if (clauses.length < 2) return this.understandClause(question, now);
    // "Wann sind die Franzosen und wann die Amerikaner abgezogen?": a clause with no verb of its own takes
    // the next one's ("abgezogen").
    const lang = this.languageOf(question);
    const verbs = (clause: string) => this.read(clause).mentions.filter((m) => m.meanings.some((x) => x.type === 'concept' && !x.concept.troops));
    // ("Who is Amadou Abdramane and when was the coup?": who someone is needs no verb.)
    const identity = (clause: string) => {
      const ms = this.read(clause).mentions;
      const asks = ms.find((m) => m.meanings.some((x) => x.type === 'form'));
      return (
        !!asks?.meanings.some((x) => x.type === 'form' && (x.form === 'who' || x.form === 'what')) &&
        ms.some((m) => m.meanings.some((x) => x.type === 'person' || x.type === 'organisation' || x.type === 'place'))
      );
    };
    for (let i = clauses.length - 2; i >= 0; i--) {
      if (verbs(clauses[i]!).length === 0 && !identity(clauses[i]!))
        clauses[i] = `${clauses[i]} ${verbs(clauses[i + 1]!)
          .map((m) => m.words.join(' '))
          .join(' ')}`;
      // "wie viele Franzosen und wie viele Deutsche waren im Juli 2023": the date at the end is both clauses'.
      const own = this.date(clauses[i]!, lang, now);
      const next = this.date(clauses[i + 1]!, lang, now);
      if (!own && next && !('error' in next) && !next.query.now) clauses[i] = `${clauses[i]} ${next.matched}`;
    }
    // "Gab es am Tag des Putsches deutsche Soldaten, und wenn ja, wie viele?": a later clause with no date of its own
    // keeps the one before's.
    for (let i = 1; i < clauses.length; i++) {
      const own = this.date(clauses[i]!, lang, now);
      const before = this.date(clauses[i - 1]!, lang, now);
      if (!own && before && !('error' in before) && !before.query.now) clauses[i] = `${clauses[i]} ${before.matched}`;
    }
    const first = this.understandClause(clauses[0]!, now);
    const named = this.read(clauses[0]!).mentions;
    const readings = [first];
    for (const clause of clauses.slice(1)) {
      const own = this.read(clause).mentions;
      // Who (a country, person, body) and what (troops, an office) are taken only when the clause names none
      // of its own: "… and when did the last French soldier leave?" keeps its France and is no Macron's.
      const roles = new Set(own.flatMap((m) => m.meanings.map(subjectRole)));
      const borrowed = named.filter((m) => m.meanings.some((x) => subjectRole(x) && !roles.has(subjectRole(x))));
      // "… and when did Burkina Faso do the same?": a clause with no verb of its own takes the first one's; so
      // does one that only says how far it went ("… and when was it wrapped up?": the withdrawal).
      const aspectOnly = (m: Mention) => m.meanings.every((x) => x.type !== 'concept' || x.concept.aspect);
      if (verbs(clause).every(aspectOnly)) borrowed.push(...verbs(clauses[0]!).filter((m) => !borrowed.includes(m) && !aspectOnly(m)));
      // What is counted was named in the first clause: "… and how many were there in 2023?".
      const counted = borrowed.some((m) =>
        m.meanings.some((x) => (x.type === 'concept' && x.concept.troops) || (x.type === 'country' && this.kb.countries().includes(x.country.name))),
      );
      readings.push(this.understandClause(`${clause} ${borrowed.map(borrowedText).join(' ')}`, now, counted));
    }
    const answered = readings.filter((r) => r.parts.length > 0 || r.compare);
    if (answered.length === 0) return first;
    const parts = answered.flatMap((r) => r.parts);
    return {
      ...answered[0]!,
      free: readings.flatMap((r) => r.free),
      // The same answer twice ("when did the coup happen and who took power?") is given once.
      parts: parts.filter((p, i) => parts.findIndex((q) => JSON.stringify(q) === JSON.stringify(p)) === i),
      ...(answered.length > 1 ? { compare: undefined } : {}),
    };
  }

  /**
   * A claim put to the bot to check ("a reader says GIs are still in Agadez: true?", "stimmt es, dass Zeine noch
   * regiert?") as the yes/no question it asks: the words asking whether it is true and who made it go, the claim
   * stays. Null when the question checks no claim. Whether the words ask is read at the ends only: "right after the
   * coup" checks nothing.
   */
  private claimQuestion(question: string): string | null {
    const lang = this.languageOf(question);
    const p = this.claimPatterns[lang];
    if (!p) return null;
    const text = question
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .trim();
    const end = p.verifyEnd.exec(text);
    const start = end ? null : p.verifyStart.exec(text);
    if (!end && !start) return null;
    let rest = (end ? text.slice(0, end.index) : text.slice(start![0].length)).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (tokenize(rest).length < 2) return null;
    // Already a question ("was the ambassador expelled, right?"): it stays as asked.
    const read = this.read(rest).mentions;
    const asking = new Set<QuestionForm>(['when', 'who', 'where', 'why', 'howMany']);
    if (read.some((m) => m.meanings.some((x) => (x.type === 'form' && asking.has(x.form)) || (x.type === 'yesno' && m.start === 0)))) return rest;
    const attributed = p.attribution.exec(rest);
    if (attributed && tokenize(rest.slice(attributed[0].length)).length >= 2) rest = rest.slice(attributed[0].length);
    return `${p.opening} ${rest.replace(/^[^\p{L}\p{N}]+/u, '')}`;
  }

  /** The questions in a line: split before a conjunction that opens a new question ("and when", "und wie viele"). */
  private clauses(question: string): string[] {
    const pattern = this.clauseStart[this.languageOf(question)];
    const text = question.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    const parts: string[] = [];
    let from = 0;
    for (const m of text.matchAll(pattern)) {
      if (m.index === 0) continue;
      const before = text.slice(from, m.index);
      // "In 2023, how many …" is one question: a comma ends one only after a question of its own.
      // (A question of its own: a question word, or a yes/no opening: "il y a 2 ans" is no "y a-t-il".)
      // ("When the ambassador left, who ruled?" opens with a relation, not a question: no "did" follows its "when".)
      const read = this.read(before).mentions;
      const subordinate = read[0]?.start === 0 && read[0].meanings.some((y) => y.type === 'relation') && !read[1]?.meanings.some((y) => y.type === 'yesno');
      const asks = !subordinate && read.some((x) => x.meanings.some((y) => y.type === 'form' || (y.type === 'yesno' && x.start === 0)));
      if (/^[,;]\s*$/.test(m[0]) && !asks) continue;
      parts.push(before);
      from = m.index + m[0].length;
    }
    parts.push(text.slice(from));
    return parts.map((p) => p.trim()).filter(Boolean);
  }

  /** A text as the reader sees it: its language, its words with typos put right, and the phrases they make. */
  private read(text: string): { lang: Language; tokens: string[]; mentions: Mention[]; free: string[] } {
    const reads = this.pass?.reads;
    if (!reads) return this.readUncached(text);
    let out = reads.get(text);
    if (!out) reads.set(text, (out = this.readUncached(text)));
    return out;
  }

  private readUncached(text: string): { lang: Language; tokens: string[]; mentions: Mention[]; free: string[] } {
    const raw = tokenize(text);
    const lang = this.languageOf(text);
    // Typos are looked for in the first few unknown words only: a real question has few, and a wall of
    // random text must stay cheap to read.
    let budget = MAX_CORRECTIONS;
    // German typed without umlauts ("Bundeswehrangehoerige", "Fruehjahr"): the word as the lexicon writes it, when
    // that is a word the reader knows or a compound of such words.
    const umlaut = (t: string) => {
      if (lang !== 'de' || this.known.has(t) || !/[aou]e/.test(t)) return t;
      const plain = t.replace(/([aou])e/g, '$1');
      return this.known.has(plain) || this.compound(plain) ? plain : t;
    };
    const plain = raw.map(umlaut);
    const corrected = plain.map((t, i) =>
      budget > 0 && !this.known.has(t) && t.length >= TYPO_MIN && budget-- > 0 ? this.corrected(t, lang, plain[i - 1], plain[i + 1]) : t,
    );
    const tokens = this.joinVerb(this.joinParticle(corrected, lang), lang);
    const read = this.mentions(text, tokens, lang);
    const tenure = this.possessiveTenure(tokens, read.mentions, lang);
    return tenure ? { lang, tokens: tenure, ...this.mentions(text, tenure, lang) } : { lang, tokens, ...read };
  }

  /**
   * Which of a person's titles in an office the question names, by the words only that title has (in English or the
   * question's language): "president of the republic" is Tiani's title since March 2025, not "President of the CNSP
   * and head of state". Words of the office's own names ("head of state") and words all his titles share say nothing.
   */
  private namedTitle(office: Office, person: Person, tokens: string[], lang: Language): string | undefined {
    const terms = office.terms.filter((t) => t.person === person.id);
    const titles = [...new Set(terms.map((t) => t.title))];
    if (titles.length < 2) return undefined;
    const common = new Set([...this.stopwords.en, ...this.stopwords[lang]]);
    const officeWords = new Set([office.name, ...Object.values(office.names).flat()].flatMap(tokenize));
    const wordsOf = (title: string) =>
      new Set(
        [title, ...terms.filter((t) => t.title === title).map((t) => this.kb.localized('terms', t, lang).title)]
          .flatMap(tokenize)
          .filter((w) => !common.has(w) && !officeWords.has(w)),
      );
    const words = new Map(titles.map((t) => [t, wordsOf(t)]));
    const own = (title: string) => [...words.get(title)!].filter((w) => titles.every((o) => o === title || !words.get(o)!.has(w)));
    const asked = new Set(tokens);
    const named = titles.filter((t) => own(t).some((w) => asked.has(w)));
    return named.length === 1 ? named[0] : undefined;
  }

  /**
   * "Bazoum's prime minister", "le Premier ministre de Bazoum": an office of a person who held another is the
   * office during their time in it, as "the prime minister under Bazoum" says (the words are put in that order).
   * Not a person's own office: "Itté's office" is his, and "the French ambassador's residence" names no one.
   */
  private possessiveTenure(tokens: string[], mentions: Mention[], lang: Language): string[] | null {
    const l = this.lexicon.languages[lang];
    const marks = new Set(l.possessive.flatMap(tokenize));
    const ofWords = new Set(l.officeOf.flatMap(tokenize));
    const tenureWord = tokenize(l.tenure[0] ?? '')[0];
    if (!tenureWord || (marks.size === 0 && ofWords.size === 0)) return null;
    const personAt = (m: Mention | undefined) => m?.meanings.find((x) => x.type === 'person')?.person;
    const officeAt = (m: Mention | undefined) => (m?.meanings.some((x) => x.type === 'office' || (x.type === 'concept' && x.concept.office)) ? m : undefined);
    const heldBy = (person: Person) => new Set(this.kb.officesHeldBy(person.id).map((h) => h.office.id));
    const other = (office: Mention, person: Person) =>
      office.meanings.every((x) => x.type !== 'office' || !heldBy(person).has(x.office.id)) &&
      this.kb.officesHeldBy(person.id).some((h) => h.term.start || h.term.end || h.term.attested);
    for (const [k, m] of mentions.entries()) {
      const person = personAt(m);
      if (!person) continue;
      // English: the person, "s", perhaps one word ("last"), the office.
      const next = mentions.find((o) => o.start > m.end && o.start <= m.end + 2 && officeAt(o));
      if (marks.has(tokens[m.end] ?? '') && next && other(next, person)) {
        const personWords = tokens.slice(m.start, m.end);
        return [...tokens.slice(0, m.start), ...tokens.slice(m.end + 1, next.end), tenureWord, ...personWords, ...tokens.slice(next.end)];
      }
      // French: the office, "de", the person.
      const before = mentions[k - 1];
      if (before && officeAt(before) && before.end === m.start - 1 && ofWords.has(tokens[before.end] ?? '') && other(before, person)) {
        return [...tokens.slice(0, before.end), tenureWord, ...tokens.slice(m.start)];
      }
    }
    return null;
  }

  /**
   * A verb's particle standing away from it goes back to it when the two make a known phrase: "Wann trat
   * Niger aus der ECOWAS aus?" is read with "trat aus", "when did the US pull its troops out of Agadez?" with
   * "pull out", the lexicon's phrases for leaving.
   */
  private joinParticle(tokens: string[], lang: Language): string[] {
    const particles = this.particles[lang];
    if (particles.size === 0 || tokens.length < 3) return tokens;
    const words = this.words[lang];
    let out = tokens;
    for (let i = 0; i < out.length - 2; i++) {
      if (particles.has(out[i + 1]!)) continue;
      for (let j = i + 2; j < Math.min(out.length, i + 9); j++) {
        // (The verb in any form its stem shares: "pulling its troops out" is "pull out".)
        if (!particles.has(out[j]!) || (words.matchAt([out[i]!, out[j]!], 0)?.end !== 2 && words.matchAt([stem(out[i]!, lang), out[j]!], 0)?.end !== 2))
          continue;
        out = [...out.slice(0, i + 1), out[j]!, ...out.slice(i + 1, j), ...out.slice(j + 1)];
        break;
      }
    }
    return out;
  }

  /**
   * Where a verb stands apart from its object (German puts it second or last: "Führt Zeine noch die Regierung?",
   * "… dass Zeine die Regierung führt"), an office named by the two together ("führt die Regierung") is read with
   * the verb put back before its object.
   */
  private joinVerb(tokens: string[], lang: Language): string[] {
    const near = this.verbBeforeObject(tokens, lang);
    if (near) return near;
    const verbs = this.splitVerbs[lang];
    if (!this.verbsMove[lang] || verbs.size === 0) return tokens;
    for (const [key, heads] of verbs) {
      const object = key.split(' ');
      for (let k = 0; k + object.length <= tokens.length; k++) {
        if (object.some((w, n) => tokens[k + n] !== w)) continue;
        if (heads.includes(tokens[k - 1] ?? '')) return tokens;
        const near = (i: number) => Math.abs(i - k) <= 8 && (i < k - 1 || i >= k + object.length);
        const at = tokens.findIndex((t, i) => near(i) && heads.some((h) => h === t || stem(h, lang) === stem(t, lang)));
        if (at < 0) continue;
        const verb = tokens[at]!;
        // (A verb that opens the question stays there too: it makes it a yes/no question.)
        const rest = at === 0 ? tokens : tokens.filter((_, i) => i !== at);
        if (at === 0) return [...rest.slice(0, k), verb, ...rest.slice(k)];
        const to = at < k ? k - 1 : k;
        return [...rest.slice(0, to), verb, ...rest.slice(to)];
      }
    }
    return tokens;
  }

  /**
   * An office named by a verb and its object, in any form of the verb and with a few words between them: "who headed
   * Niger's government", "qui dirigeait alors le gouvernement" read as the name ("heads the government"); the words
   * between are kept after it.
   */
  private verbBeforeObject(tokens: string[], lang: Language): string[] | null {
    for (const { verb, name } of this.verbObjects[lang]) {
      const noun = name.at(-1)!;
      for (let i = 0; i < tokens.length; i++) {
        if (stem(tokens[i]!, lang) !== verb) continue;
        const j = tokens.indexOf(noun, i + 1);
        if (j < 0 || j > i + 4) continue;
        const between = tokens.slice(i + 1, j);
        // (Already the name as written: nothing to do.)
        if (between.join(' ') === name.slice(1, -1).join(' ') && tokens[i] === name[0]) return null;
        const kept = between.filter((t) => !name.includes(t));
        return [...tokens.slice(0, i), ...name, ...kept, ...tokens.slice(j + 1)];
      }
    }
    return null;
  }

  private understandClause(question: string, now: Date, countedBefore = false): Understanding {
    const { lang, tokens, mentions, free } = this.read(question);
    this.clauseLang = lang;
    if (tokens.length === 0) return { lang, free: [], parts: [{ kind: 'help' }], yesNo: false };
    const found = new Found(mentions);
    // Yes/no: a question that opens with its verb, or an inversion among its first words ("Issoufou est-il …").
    const opensWithForm = mentions[0]?.start === 0 && mentions[0].meanings.some((x) => x.type === 'form' && x.form !== 'still');
    // ("Et les Allemands, combien sont-ils ?": the inversion after a question word is no yes/no question.)
    const asksForm = (m: Mention) => m.meanings.some((x) => x.type === 'form' && x.form !== 'still');
    const inverted = this.inversion[lang]?.exec(question);
    const invertedAt = inverted ? tokenize(question.slice(0, inverted.index)).length : -1;
    // "Quick check for a caption: is Tiani …?", "for the graphic – did …": a short lead-in, then the question.
    const leadIn = LEAD_IN.exec(question);
    // Only a lead-in that names nothing: "Air Base 101 – is that the airport?" asks about what it names.
    const leadInAt = leadIn ? tokenize(question.slice(0, leadIn.index)).length : 0;
    const opensAt = mentions.some((m) => m.start < leadInAt) ? 0 : leadInAt;
    const yesNo =
      !opensWithForm &&
      (mentions.some(
        (m) =>
          m.meanings.some((x) => x.type === 'yesno') &&
          (m.start === 0 || (m.start === opensAt && opensAt <= MAX_LEAD_IN) || (m.end - m.start > 1 && m.start <= 6)) &&
          !mentions.some((f) => f.end <= m.start && asksForm(f)),
      ) ||
        (invertedAt >= 0 && invertedAt <= 6 && !mentions.some((f) => f.end <= invertedAt && asksForm(f))));
    let form = found.firstForm();
    // The period the question names, once read (below).
    let namedPeriod: DateQuery | undefined;
    // "Was the coup in 2022?", "did the US withdraw in 2023?": what is asked happened, but not in the period the
    // question names. Whatever found the events, their own dates then say no.
    // ("In October", with no year, is October of any year: the month alone decides.)
    let yearless = false;
    const outside = (p: Part) => {
      if (p.kind !== 'event' || namedPeriod === undefined || namedPeriod.now) return false;
      const e = this.kb.eventsById.get(p.event)!;
      if (!yearless) return !this.overlaps(e, namedPeriod);
      const month = (d: string) => d.slice(5, 7);
      return month(e.date.start) !== month(namedPeriod.start) && month((e.endDate ?? e.date).end) !== month(namedPeriod.start);
    };
    const result = (u: Omit<Understanding, 'lang' | 'yesNo' | 'free'>): Understanding => {
      // A who-question is answered by events only if they name who: "who shot at the airport?" is not told by the
      // gunfire's date.
      const nobody =
        form === 'who' && !yesNo && u.parts.length > 0 && u.parts.every((p) => p.kind === 'event' && this.kb.eventsById.get(p.event)!.actors.length === 0);
      if (nobody) u = { parts: [], decline: { reason: 'default' } };
      const leadNo = yesNo && form !== 'when' && !u.lead && !u.compare && !u.decline && u.parts.length > 0 && u.parts.every(outside);
      return { lang, yesNo, free, ...u, ...(leadNo ? { lead: 'No.' as const } : {}) };
    };
    const decline = (reason: DeclineReason, params?: Record<string, string>) => result({ parts: [], decline: { reason, ...(params ? { params } : {}) } });

    const scope = found.all('scope')[0];
    if (scope) return decline('scope', { topic: scope.scope.reason });
    // "What did Tiani say the transition would last?" reports words; only a question of its own about the future is a prediction.
    if (found.forms.has('future') && !found.forms.has('said')) return decline('future');
    // Likewise "how long should the transition last, according to Tiani?" reports what he said.
    if (found.forms.has('opinion') && !found.forms.has('said')) return decline('opinion');

    // "Did the AES countries leave the ICC?": a name (an acronym, or a capitalised word in English or French)
    // the knowledge base has nowhere is something it knows nothing about, whatever else the question names.
    const unknownName = this.unknownName(question, free, lang);
    if (unknownName) return decline('noInformation', { words: unknownName });

    const date = this.yearFromEvents(this.date(question, lang, now), question, now);
    if (date && 'error' in date) return result({ parts: [], decline: { reason: 'badDate', date: date.error } });
    // "Two weeks before the last ones left": a distance from an event the relation below finds, not from today.
    const offset = date && !('error' in date) ? relativeOffset(date.matched) : null;
    if (date && !offset && date.query.start > now.toISOString().slice(0, 10)) return decline('futureDate');
    // The commands read the date again from these words alone: a day or month whose year the question gave
    // elsewhere ("in 2021, before 2 April") takes that year with it.
    const years = [...new Set(question.match(/\b(?:19|20)\d{2}\b/g) ?? [])];
    let dateText =
      date && !('error' in date) && years.length === 1 && !/\b(?:19|20)\d{2}\b/.test(date.matched) && ENGLISH_MONTH.test(date.matched)
        ? `${date.matched} ${years[0]}`
        : date?.matched;
    const period = date && !('error' in date) ? date.query : undefined;
    namedPeriod = period;
    yearless = years.length === 0 && period?.precision === 'month' && ENGLISH_MONTH.test(date!.matched as string);
    let anchorEvent: KbEvent | undefined;
    let successorOffice: Office | undefined;

    // A date tied to an event ("when the ambassador left", "avant le coup d'État"): the words after the
    // relation describe the event, the words before it what is asked.
    // Either "… when the ambassador left" (the relation after what is asked) or "Pendant le retrait des troupes
    // françaises, qui était Premier ministre ?" (the relation first, what is asked from its question word on).
    const relation = this.relationClause(found, mentions, tokens);
    let main = mentions;
    // (A date read from the relation itself, "during the French withdrawal", is the event's, not what is asked.)
    const fromRelation = (!!date && !('error' in date) && /^(before|after|during|since|until|at)\b/.test(date.matched)) || !!offset;
    if (relation && (!date || date.query.now || fromRelation)) {
      const inAsked = (m: Mention) => m.start >= relation.asked[0] && m.end <= relation.asked[1];
      const inEvent = (m: Mention) => m.start >= relation.event[0] && m.end <= relation.event[1];
      const before = new Found(mentions.filter(inAsked));
      // "Who succeeded Zeine as prime minister?": the office may follow the person.
      const officeAnywhere = found.all('office').length > 0 || found.concepts().some((c) => c.office);
      const clausePeople = mentions.filter((m) => inEvent(m) && m.meanings.some((x) => x.type === 'person'));
      const successorOf = before.forms.has('who') && clausePeople.length === 1 ? clausePeople[0]!.meanings.find((x) => x.type === 'person') : undefined;
      const asksFigure =
        before.concepts().some((c) => c.troops || c.office) ||
        // "How many Germans were in Niger when …": a country's people counted are its troops.
        (before.forms.has('howMany') &&
          // ("How much American aid …": a word right after the country is what is counted, no troops.)
          mentions.some(
            (m) =>
              inAsked(m) &&
              m.meanings.some((x) => x.type === 'country' && x.country.iso !== 'NE') &&
              (free.includes(tokens[m.end] ?? '') === false || m.end >= relation.asked[1]),
          )) ||
        before.all('office').length > 0 ||
        (before.forms.has('who') && (officeAnywhere || !!successorOf)) ||
        // "What happened after the US left?": the events on that side of the event.
        before.concepts().some((c) => c.timeline);
      // "Who replaced Itté?": the office is the one the person held.
      if (successorOf?.type === 'person' && !officeAnywhere && before.all('office').length === 0) {
        successorOffice = this.kb.officesHeldBy(successorOf.person.id).at(-1)?.office;
      }
      // "After 2024", "nach August 2024": the relation ties what is asked to a date, which the date reader has.
      const datedOnly = !mentions.some(inEvent) && freeBetween(tokens, free, relation.event[0], relation.event[1]).length === 0;
      // "Had Niger already left ECOWAS when the confederation was signed?": whether one event came before the other.
      const already = this.already[lang];
      if (yesNo && !asksFigure && !datedOnly && relation.relation === 'during' && tokens.some((t) => already.has(t))) {
        const strip = (ms: Mention[]) => ms.filter((m) => !m.meanings.every((x) => x.type === 'form' || x.type === 'yesno' || x.type === 'relation'));
        const words = (from: number, to: number) => freeBetween(tokens, free, from, to).filter((w) => !already.has(w));
        // (A named span found by other words ends with its end event: "had the French already left" is their last day.)
        const side = (ms: Mention[], from: number, to: number) => {
          const found = this.bestEvent(strip(ms), words(from, to), []);
          return found ? this.endOfNamedSpan(found, ms) : null;
        };
        const first = side(mentions.filter(inAsked), relation.asked[0], relation.asked[1]);
        const second = side(mentions.filter(inEvent), relation.event[0], relation.event[1]);
        if (first?.strong && second?.strong && first.event !== second.event) {
          return result({ parts: [], compare: { first: first.event, second: second.event, asked: 'before' } });
        }
      }
      if (asksFigure && !datedOnly) {
        // The event is the asked country's: "the US contingent after the pullback from Niamey".
        const context = mentions.filter((m) => inAsked(m) && m.meanings.some((x) => x.type === 'country' && x.country.iso !== 'NE'));
        const own = mentions.filter(inEvent);
        const clauseFree = freeBetween(tokens, free, relation.event[0], relation.event[1]);
        const askedOffices = new Set([...found.all('office').map((m) => m.office.id), ...found.concepts().flatMap((c) => (c.office ? [c.office] : []))]);
        // "During" a term is a term in the office the relation names ("when Bazoum was president"), not the one asked.
        const isOffice = (m: Mention) => m.meanings.some((x) => x.type === 'office' || (x.type === 'concept' && x.concept.office));
        const eventOffices = new Set(
          own
            .filter(isOffice)
            .flatMap((m) =>
              m.meanings.flatMap((x) => (x.type === 'office' ? [x.office.id] : x.type === 'concept' && x.concept.office ? [x.concept.office] : [])),
            ),
        );
        const successor = this.termBoundary(
          own.filter((m) => !isOffice(m)),
          clauseFree,
          relation.relation,
          relation.relation === 'during' ? eventOffices : askedOffices,
          now.toISOString().slice(0, 10),
        );
        if (successor === 'open') return decline('stillRunning');
        if (successor === 'no-start') return decline('noStart');
        if (successor === 'no-term') return decline('noAnchor');
        // A named moment by its own words ("vor dem Putsch"); any other event with the asked country as context.
        // (Unless the moment is another country's: "how many GIs were there before they left?" is the US withdrawal,
        // not the French one the name "the withdrawal" stands for.)
        const named = this.namedMoment(this.units(own, clauseFree));
        const contextTags = context.flatMap((m) => m.meanings.flatMap((x) => (x.type === 'country' ? [normalizeName(x.country.name).replace(/ /g, '-')] : [])));
        // (A moment of no country's own, the coup, stands for everyone's.)
        const ofCountry = named ? named.event.tags.filter((t) => this.troopCountryTags.has(t)) : [];
        const moment = named && (contextTags.length === 0 || ofCountry.length === 0 || contextTags.some((t) => ofCountry.includes(t))) ? named : null;
        // (The asked country only helps pick the event: "when the junta took over" is the coup, France's or not.)
        const event = successor
          ? null
          : moment
            ? { event: moment.event, named: true }
            : (this.bestEvent([...own, ...context], clauseFree, []) ?? (context.length > 0 ? this.bestEvent(own, clauseFree, []) : null));
        if (!successor && !event) return decline('noAnchor');
        if (event) anchorEvent = event.event;
        dateText = successor ?? this.anchorDate(event!.event, relation.relation, event!.named);
        if (offset && event && !successor) {
          const e = event.event;
          const day = shift(
            offset.relation === 'before' ? e.date.start : (e.endDate ?? e.date).end,
            offset.relation === 'before' ? -offset.count : offset.count,
            offset.unit,
          );
          if (day > now.toISOString().slice(0, 10)) return decline('futureDate');
          dateText = day;
        }
        main = mentions.filter(inAsked);
      }
    }
    const asked = main === mentions ? found : new Found(main);
    // What is asked is asked by its own question word: "When the ambassador left, who ruled?" asks who.
    // (The relation's own "when" is no question word of what is asked: "was Bazoum still president when the
    // ambassador left?" asks yes or no.)
    if (main !== mentions) form = asked.firstForm() ?? (yesNo && found.forms.has('when') && relation?.relation === 'during' ? undefined : form);

    const countries = asked.all('country').map((m) => m.country);
    const namedTroopCountries = unique(countries.filter((c) => this.kb.countries().includes(c.name)).map((c) => c.name));
    // "How many foreign troops are in Niger?": each country the knowledge base counts.
    const troopCountries = namedTroopCountries.length === 0 && asked.concepts().some((c) => c.everyCountry) ? this.kb.countries() : namedTroopCountries;
    const otherCountries = unique(countries.filter((c) => !this.kb.countries().includes(c.name) && c.iso !== 'NE').map((c) => c.name));
    const namedCountries = unique(countries.filter((c) => c.iso !== 'NE').map((c) => c.name));
    const people = unique(asked.all('person').map((m) => m.person));
    const organisations = unique(asked.all('organisation').map((m) => m.organisation));
    const places = unique(asked.all('place').map((m) => m.place));
    const concepts = asked.concepts();
    const has = (flag: 'troops' | 'places' | 'timeline' | 'sources' | 'help' | 'office-question' | 'role-question') => concepts.some((c) => c[flag]);
    // Offices named in so many words ("prime minister") come before one implied by a verb ("who rules").
    const namedOffices = unique(asked.all('office').map((m) => m.office));
    const implied = unique(concepts.flatMap((c) => (c.office ? [this.kb.officesById.get(c.office)!] : [])));
    const offices = namedOffices.length > 0 ? namedOffices : implied.length > 0 ? implied : successorOffice ? [successorOffice] : [];
    const comparison = found.all('comparison').length > 0;

    const namesSomething = people.length + organisations.length + places.length + countries.length + offices.length > 0;
    if (has('help') && tokens.length <= 6 && !namesSomething) return result({ parts: [{ kind: 'help' }] });
    if (has('sources') && !has('troops') && offices.length === 0 && people.length === 0) return result({ parts: [{ kind: 'sources' }] });

    // "Which came first: X or Y?", "was the AES founded before the ambassador left?"
    if ((comparison || (yesNo && !anchorEvent)) && form !== 'when') {
      const compare = this.compare(mentions, tokens, free, lang);
      if (compare) return result({ parts: [], compare });
    }
    // "How long did the French withdrawal take?", "wie lange dauerte der US-Abzug?": a named span lasted from its
    // first event to its last.
    if (form !== 'when' && !asked.forms.has('said') && this.asksDuration(tokens, lang)) {
      // "How long after the coup did the last French soldier leave?": from the moment named after the relation to
      // the event the rest of the question names.
      const since = this.durationSince(mentions, tokens, free);
      if (since) return result({ parts: [], compare: { ...since, asked: 'between' } });
      const named = mentions.filter((m) =>
        m.meanings.some((x) => x.type === 'country' || x.type === 'organisation' || (x.type === 'concept' && !x.concept.aspect && !x.concept.ordinal)),
      );
      // (A happening must be named: "how long were French troops in Niger?" names none, and is no withdrawal.)
      const happens = named.some((m) => m.meanings.some((x) => x.type === 'concept' && !x.concept.troops));
      // (Or the span whose first or last event the words find: "wie lange dauerte der Abzug der Amerikaner?".)
      const found = happens ? this.bestEvent(named, [], []) : null;
      const span = happens ? (this.namedMoment(this.units(named, [])) ?? (found ? this.spanOf(found.event) : null)) : null;
      if (span?.end) return result({ parts: [], compare: { first: span.event, second: span.end, asked: 'between' } });
      // (One event's date is no length: "how long did the withdrawal from Mali take?" is no "it was announced in 2022".)
      if (offices.length === 0 && people.length === 0) return decline('noSpan');
    }

    // "What did Bazoum say…", "…, and why?": the question's verb, wherever it stands.
    // (When a date is tied to an event, what is asked is before it: "who was president when Paris announced
    // the withdrawal?" asks who, not what was announced.)
    const asks: QuestionForm | undefined =
      form === 'when' || form === 'howMany' ? form : asked.forms.has('said') ? 'said' : asked.forms.has('why') ? 'why' : form;
    const asksDate = asks === 'when' || asks === 'why' || asks === 'said';
    // "Is the Bundeswehr still stationed in Niger?" asks for presence, which troop figures answer.
    const stillThere =
      // (The capital stands for the country: "is the Bundeswehr still at Niamey?")
      found.forms.has('still') &&
      troopCountries.length > 0 &&
      places.every((p) => /capital/i.test(p.kind)) &&
      concepts.every((c) => c.troops || c.places || c.id === 'withdrawal');
    // "Which countries had forces at the Niamey air base?": a named place and forces, but no count.
    const atPlace = places.length > 0 && has('troops') && !found.forms.has('howMany');
    // "Where was Bazoum born?" is no question about bases: where-questions are answered for forces and places.
    const aboutForces = has('places') || has('troops') || places.length > 0 || troopCountries.length > 0;
    const asksPlaces = (form === 'where' && aboutForces) || ((has('places') || atPlace) && !asksDate && form !== 'howMany' && !stillThere);
    const howMany = found.forms.has('howMany') && asks !== 'when';
    // "How many drones …", "how much aid …": what is counted follows "how many"; only troops are counted here.
    if (howMany && !countedBefore && !this.countsTroops(mentions, tokens, lang)) return decline('onlyTroops');
    const asksCount = !asksDate && !asksPlaces && (has('troops') || (howMany && troopCountries.length > 0) || stillThere);

    // "Was Barkhane still running at the time of the coup?", "Lief die Operation Barkhane … noch?": a body whose end
    // the knowledge base records before that day was not. (Whether it still ran otherwise is not said: no Yes.)
    if (yesNo && found.forms.has('still') && organisations.length === 1 && people.length === 0) {
      // (The day a relation names: "zum Zeitpunkt des Putsches".)
      const moment = relation
        ? this.namedMoment(
            this.units(
              mentions.filter((m) => m.start >= relation.event[0] && m.end <= relation.event[1]),
              [],
            ),
          )
        : null;
      const day = anchorEvent?.date.start ?? moment?.event.date.start ?? (period && !period.now ? period.start : undefined);
      const ended = day ? this.endOf(organisations[0]!, day) : undefined;
      if (ended) return result({ parts: [{ kind: 'event', event: ended.id, related: [] }], lead: 'No.', anchorEvent });
    }
    // "Is the French ambassador still in Niamey?", "Is Itté still in Niger?": a person's presence, not their office,
    // which their leaving ends ("French ambassador leaves Niamey"). (Whether they are there otherwise is not said:
    // no Yes.)
    if (yesNo && found.forms.has('still') && (people.length > 0 || namedOffices.length > 0) && concepts.every((c) => c.id === 'presence')) {
      const inNiger = countries.some((c) => c.iso === 'NE') || tokens.some((t) => t.length > 3 && this.namesHost(t));
      const day = anchorEvent?.date.start ?? (period && !period.now ? period.start : '9999-12-31');
      const who = people.length > 0 ? people : namedOffices.flatMap((o) => this.holdersBy(o, day));
      const left = places.length > 0 || inNiger ? this.leaving(who, places, day) : undefined;
      if (left) return result({ parts: [{ kind: 'event', event: left.id, related: [] }], lead: 'No.', anchorEvent });
    }
    // "Since when is Tiani president?", "when was Bazoum sworn in as president?": the person's terms say it.
    if (asks === 'when' && offices.length > 0 && people.length > 0) {
      const held = this.kb.officesHeldBy(people[0]!.id).find((h) => offices.includes(h.office));
      if (held) return result({ parts: [{ kind: 'offices-of', person: people[0]!.id, office: held.office.id }] });
    }
    // "Who headed the CSRD?": the term whose title names the organisation.
    if (namedOffices.length === 0 && offices.length > 0 && organisations.length > 0 && !asksDate) {
      const term = this.termNaming(organisations[0]!);
      // ("Is the junta still in charge?" asks of the question's day, not of the day the term began.)
      if (term) return result({ parts: [{ kind: 'office', office: term.office.id, date: yesNo ? dateText : term.date }] });
      // "Who leads the AES?": a verb's office is Niger's head of state; a body no term names has a leader of its own,
      // whom the knowledge base does not know.
      // So is "was Barkhane still running in 2023?": whether it ran is no question of who ruled Niger.
      if (people.length === 0 && ((form === 'who' && !yesNo) || yesNo)) return decline('noAnswerAbout', { name: organisations[0]!.name });
    }
    // Offices: "who rules", "prime minister in 2023", "the French ambassador", "is Tiani still in charge".
    // "Did the junta expel the French ambassador?" asks about an event, not who held the office.
    const aboutEvent =
      (yesNo || (form !== 'who' && form !== 'what')) &&
      concepts.some((c) => !c.office && !c.troops && !c['office-question'] && !c.places && !(c.ordinal && offices.length > 0));
    // "Where did the French ambassador go?" asks where, not who held the office.
    if (offices.length > 0 && !asksCount && !asksDate && !asksPlaces && !aboutEvent && form !== 'where') {
      const ofCountry = namedCountries.length > 0 ? offices.filter((o) => namedCountries.includes(o.country)) : [];
      if (namedCountries.length > 0 && ofCountry.length === 0) {
        return decline('otherOffice', { country: namedCountries[0]! });
      }
      // "Who is Niger's foreign minister?": an office only another country's holder has is not Niger's.
      const niger = this.kb.data.countries.find((c) => c.iso === 'NE');
      // (Not when the office's own words name its country: "the French ambassador to Niger", "le président français
      // quand Paris a annoncé le retrait du Niger" are France's offices.)
      const ownCountry = mentions.some((m) =>
        m.meanings.some((x) => x.type === 'office' && m.words.some((w) => this.kb.findCountry(w)?.name === x.office.country)),
      );
      const hostNamed = tokens.some((t) => t.length > 3 && this.namesHost(t));
      if (niger && namedCountries.length === 0 && hostNamed && !ownCountry && offices.every((o) => o.country !== niger.name))
        return decline('otherOffice', { country: niger.name });
      const chosen = ofCountry.length > 0 ? ofCountry : offices;
      const subject = people[0] ? people[0].name : undefined;
      const title = yesNo && people[0] && chosen.length === 1 ? this.namedTitle(chosen[0]!, people[0], tokens, lang) : undefined;
      return result({ parts: chosen.map((o) => ({ kind: 'office', office: o.id, date: dateText })), anchorEvent, subject, ...(title ? { title } : {}) });
    }
    if (has('office-question') && people.length > 0) return result({ parts: [{ kind: 'offices-of', person: people[0]!.id }] });
    // "What was Abdramane's role in the coup?": who he is, in the record that says what he did.
    if (has('role-question') && people.length > 0 && !yesNo) return result({ parts: people.map((p) => ({ kind: 'who', person: p.id })) });

    // "How many US troops were at Agadez?": a count at a base (not the capital, which stands for the country)
    // is what the sources say was there, not the national figure.
    const base = places.length === 1 && !/capital/i.test(places[0]!.kind) && this.locatedAt(main, tokens, lang) ? places[0]! : undefined;
    if (asksCount && howMany && base) {
      if (otherCountries.length > 0) return decline('otherHost', { country: otherCountries[0]! });
      const at = this.countAt(base, troopCountries, period, dateText);
      if (!at) return decline('noTroopFigures', { country: base.name.split(',')[0]! });
      return result({ parts: at });
    }
    // Troop figures, for each country asked about (France when none is named).
    if (asksCount) {
      if (otherCountries.length > 0 && troopCountries.length === 0) return decline('noTroopFigures', { country: otherCountries[0]! });
      // "How many soldiers does Niger's army have?", "… the AES unified force?": no foreign country's figures.
      if (troopCountries.length === 0 && organisations.length > 0) return decline('noTroopFigures', { country: organisations[0]!.name });
      if (otherCountries.length > 0) return decline('otherHost', { country: otherCountries[0]! });
      const list = troopCountries.length > 0 ? troopCountries : ['France'];
      // "Did France withdraw all its troops?" is yes when none are left.
      // ("Are there any French soldiers left?" asks the opposite: there "left" means remaining.)
      // ("Has Germany left Niger?": "left" right after the country, or before the place, is the departure.)
      const departs = (m: Mention) =>
        !m.meanings.some((x) => x.type === 'form') ||
        main.some((n) => (n.end === m.start || n.start === m.end) && n.meanings.some((x) => x.type === 'country' || x.type === 'place')) ||
        this.namesHost(tokens[m.end] ?? '');
      const absence =
        yesNo &&
        asked.all('concept').length > 0 &&
        main.some((m) => m.meanings.some((x) => x.type === 'concept' && x.concept.id === 'withdrawal') && departs(m));
      // "What was the peak French troop level?": each country's largest figure, on its own date.
      const peak = !date && tokens.some((t) => this.peak[lang].has(t));
      const dateOf = (country: string) => (peak ? this.largestFigure(country)?.asOf.text : undefined) ?? dateText;
      // "How did French troop numbers change over time?": every figure, not one.
      const joined = ` ${tokens.join(' ')} `;
      const history = !date && !peak && !yesNo && this.overTime[lang].some((p) => joined.includes(p));
      return result({
        parts: list.map((country) => ({ kind: 'troops', country, date: dateOf(country), ...(history ? { history: true } : {}) })),
        anchorEvent,
        ...(absence ? { asksAbsence: true } : {}),
      });
    }
    // Troops are the only thing the knowledge base counts.
    if (howMany) return decline('onlyTroops');

    if (asks === 'said' || asks === 'why') {
      // "Who announced the CNSP?" asks for the speaker: what it names is what was said, not who said it.
      const speakers = asks === 'said' && form === 'who' ? { people: [], organisations: [] } : { people, organisations };
      const statements = this.statementsFor(speakers.people, speakers.organisations, mentions, free, asks === 'why');
      if (statements.length > 0) return result({ parts: [{ kind: 'statements', statements }] });
      if (asks === 'why') {
        // An event whose sourced summary gives its reason ("on humanitarian grounds", "because …").
        const event = this.bestEvent(
          mentions.filter((m) => !m.meanings.some((x) => x.type === 'form')),
          free,
          otherCountries,
          undefined,
          period,
        );
        if (event?.strong && this.givesReason(event.event)) return result({ parts: [{ kind: 'event', event: event.event.id, related: [] }] });
        // "Why did the US pull its troops out?": what led to it, by the lexicon (revoking the agreement that
        // let them stay), the latest such event of the same country before it.
        const cause = event?.strong ? this.causeOf(event.event, concepts) : null;
        if (cause) return result({ parts: [{ kind: 'event', event: cause.id, related: [event!.event.id] }] });
        return decline('noReason');
      }
      // No quote on record: an event that reports what they said ("in a TF1 interview, Macron said …").
      const reported = this.reportedSpeech(speakers.people, speakers.organisations, mentions, free);
      if (reported.length > 0) return result({ parts: [{ kind: 'event', event: reported[0]!.id, related: reported.slice(1).map((e) => e.id) }] });
      // Nor an event: the person's own record, when it reports what they said ("… he said Italy's forces stayed").
      const recorded = speakers.people.length === 1 && speakers.organisations.length === 0 ? speakers.people[0]! : undefined;
      if (recorded && this.recordReportsOwnSpeech(recorded) && this.recordCovers(recorded, main))
        return result({ parts: [{ kind: 'who', person: recorded.id }] });
      const speaker = speakers.people[0]?.name ?? speakers.organisations[0]?.name;
      if (speaker) return decline('noQuote', { name: speaker });
      // "What did the pope say about the coup?", "qu'a dit le pape ?", "was hat Blinken gesagt?": a word the
      // knowledge base has nowhere, next to the verb of speech, is a speaker it does not know.
      const verb = mentions.find((m) => m.meanings.some((x) => x.type === 'form' && x.form === 'said'));
      const speakerWords = verb ? tokens.slice(Math.max(0, verb.start - 3), verb.end + 3).filter((w) => free.includes(w)) : [];
      const unknown = speakerWords.filter((w) => this.isUnknownWord(w));
      if (unknown.length > 0) return decline('noInformation', { words: unknown.join(' ') });
      // "Who demanded the withdrawal?": no speaker named; the verb of speech is what happened, and an event
      // that uses it ("Junta demands withdrawal of French soldiers") answers.
      const said = mentions.filter((m) => m.meanings.some((x) => x.type === 'form' && x.form === 'said')).flatMap((m) => m.words);
      const event = this.bestEvent(
        mentions.filter((m) => !m.meanings.some((x) => x.type === 'form')),
        [...free, ...said],
        otherCountries,
        undefined,
        period,
      );
      if (event?.strong) return result({ parts: [{ kind: 'event', event: event.event.id, related: event.related.map((e) => e.id) }] });
    }

    // "Where did the US move its people to …?", "which base did the Americans leave in August 2024?": a
    // question about something that happened at a base.
    // (What happened is said by a concept, an office or a word events use: "where did the first convoy go?")
    const happened = concepts.some((c) => !c.troops && !c.places && !c.timeline) || offices.length > 0 || free.some((w) => this.index.eventWeight(stem(w)) > 0);
    if ((form === 'where' || asksPlaces) && happened) {
      const event = this.bestEvent(mentions, free, otherCountries, undefined, period);
      // A where-question answered by a date alone is no answer: the event must say where.
      if (event?.strong && form === 'where' && !this.saysWhere(event.event, namedCountries, places)) return decline('noPlace');
      if (event?.strong) return result({ parts: [{ kind: 'event', event: event.event.id, related: event.related.map((e) => e.id) }] });
    }
    // "Were French troops at Ouallam?": yes when its figures or its summary put them there. (Whether they still
    // are is a question for the figures, and one dated is one for that period's events.)
    if (
      yesNo &&
      atPlace &&
      places.length === 1 &&
      troopCountries.length === 1 &&
      !found.forms.has('still') &&
      !this.presentOpening(tokens, lang) &&
      (!period || period.now)
    ) {
      if (this.kb.forcesWereAt(places[0]!.id, troopCountries[0]!)) return result({ parts: [{ kind: 'places', place: places[0]!.name }], lead: 'Yes.' });
    }
    // "Are there still US troops in Agadez?": no, when an event says they left that place (a base, not the
    // capital, which the national figures answer).
    if (yesNo && atPlace && places.length === 1 && troopCountries.length === 1 && !/capital/i.test(places[0]!.kind)) {
      const dated = period && !period.now ? period : undefined;
      const still = found.forms.has('still') || (!dated && this.presentOpening(tokens, lang));
      const withdrawal = this.lexicon.concepts.find((c) => c.id === 'withdrawal');
      const country = mentions.filter((m) => m.meanings.some((x) => x.type === 'country' || x.type === 'place'));
      const left =
        still && withdrawal
          ? this.bestEvent([...country, { start: -1, end: -1, words: [], meanings: [{ type: 'concept', concept: withdrawal }] }], [], otherCountries)
          : null;
      if (left?.strong && left.event.places.some((p) => this.within(p, places[0]!.id) || this.within(places[0]!.id, p))) {
        const part: Part = { kind: 'event', event: left.event.id, related: [] };
        // ("Were US troops still at Air Base 101 in August 2024?": they had left on 7 July; in June, not yet.)
        if (!dated || (left.event.endDate ?? left.event.date).end < dated.start) return result({ parts: [part], lead: 'No.' });
        if (left.event.date.start > dated.end && this.kb.forcesWereAt(places[0]!.id, troopCountries[0]!)) return result({ parts: [part], lead: 'Yes.' });
      }
    }
    // "Did the Americans leave the Niamey base?" asks whether something happened, not where a base is.
    if (asksPlaces && !(yesNo && form !== 'where')) {
      if (otherCountries.length > 0 && places.length === 0) return decline('otherHost', { country: otherCountries[0]! });
      // "Where are Ouallam and Ayorou?": each place named.
      if (places.length > 1) return result({ parts: places.map((p) => ({ kind: 'places', place: p.name })) });
      return result({
        parts: [{ kind: 'places', place: places[0]?.name, country: places.length === 0 && troopCountries.length === 1 ? troopCountries[0] : undefined }],
      });
    }

    // "Is Niger still a member of ECOWAS?", "was Bazoum released?": the newest events decide.
    // (So do those asked in the present with "still": "are the sanctions from summer 2023 still in force?" asks about
    // today; the period says which sanctions.)
    const stillNow = found.forms.has('still') && this.presentOpening(tokens, lang);
    if (yesNo && form !== 'when' && (!period || period.now || stillNow)) {
      const state = this.stateAnswer(mentions, free, otherCountries, found.forms.has('still') || this.presentOpening(tokens, lang));
      if (state) return result({ parts: [{ kind: 'event', event: state.event.id, related: [] }], lead: state.lead });
    }
    // "Was the French embassy still open in March 2024?": the same, as of a past period.
    if (yesNo && form !== 'when' && period && !period.now && !stillNow) {
      const state =
        this.stateAt(mentions, free, otherCountries, period, found.forms.has('still')) ?? this.stateAnswer(mentions, free, otherCountries, false, period.end);
      if (state) return result({ parts: [{ kind: 'event', event: state.event.id, related: [] }], lead: state.lead });
    }
    // "When was the junta set up?": an organisation's own record dates its founding; the event of that day says it.
    if (form === 'when' && organisations.length === 1) {
      const founding = this.foundingEvent(organisations[0]!, concepts);
      if (founding) return result({ parts: [{ kind: 'event', event: founding.id, related: [] }] });
    }
    if (form === 'when' || yesNo) {
      // "When did the French and the Americans leave?": one event for each country.
      const perCountry = troopCountries.length > 1 ? troopCountries : [null];
      const parts: Part[] = [];
      // "When did Niger shut its airspace after the coup?": a named moment after "before"/"after" dates the
      // event asked about; it is not what is asked.
      const dated = this.sideOfMoment(found, mentions, tokens, free);
      const asked = dated?.mentions ?? mentions;
      const askedFree = dated?.free ?? free;
      for (const country of perCountry) {
        const own = country ? asked.filter((m) => !m.meanings.some((x) => x.type === 'country' && x.country.name !== country)) : asked;
        // ("When did the foreign troops leave?" names no country: each one counted is searched for as if named.)
        const named = this.kb.data.countries.find((c) => c.name === country);
        if (country && named && !namedTroopCountries.includes(country))
          own.push({ start: -1, end: -1, words: [], meanings: [{ type: 'country', country: named }] });
        const found = this.hasContent(own, askedFree) ? this.bestEvent(own, askedFree, otherCountries, undefined, dated?.within ?? period) : null;
        const event = found ? this.endOfNamedSpan(found, own) : null;
        // A yes is a claim: it needs an event that covers everything the question names.
        // A date is a claim too: the event must be the happening asked about ("reopen", "resign"), not one beside it.
        if (event && (form === 'when' ? event.happening !== false : event.strong))
          parts.push({ kind: 'event', event: event.event.id, related: event.related.map((e) => e.id) });
      }
      // "Did France recognise the junta?" — "France does not recognise Niger's new rulers": the event denies it.
      const asked1 = concepts.filter(saysWhatHappened);
      const denial =
        yesNo && form !== 'when' && parts.length === 1 && asked1.length === 1 && parts[0]!.kind === 'event'
          ? this.kb.eventsById.get(parts[0]!.event)
          : undefined;
      if (denial && this.negates(denial.title, asked1[0]!)) return result({ parts, lead: 'No.' });
      // "Does France still have an ambassador in Niger?" — "French ambassador leaves Niamey": a presence asked
      // about is answered by its end, which says no.
      // (Any concept that ends something: "is the EU mission still in Niger?" — "Niger ends EU missions".)
      const enders = this.lexicon.concepts.filter((c) => c.ends?.length && !concepts.includes(c));
      const left = yesNo && found.forms.has('still') && parts.length === 1 && parts[0]!.kind === 'event' ? this.kb.eventsById.get(parts[0]!.event) : undefined;
      const titleWords = left ? tokenize(left.title) : [];
      if (left && enders.some((c) => titleWords.some((w) => c.en.includes(w) || tokenize(c.means).includes(w)))) return result({ parts, lead: 'No.' });
      if (parts.length > 0) return result({ parts });
      // "When was Bazoum sworn in?": no event, but how one of their terms began says it ("Elected president; sworn
      // in on 2021-04-02").
      const began = form === 'when' && offices.length === 0 && people.length === 1 && concepts.length > 0;
      const held = began ? this.kb.officesHeldBy(people[0]!.id).find((h) => this.termBeganWith(h.term, concepts)) : undefined;
      if (held) return result({ parts: [{ kind: 'offices-of', person: people[0]!.id, office: held.office.id }] });
      // "When was Tiani born?": no event, but the person's own record says it.
      if (form === 'when' && people.length === 1 && concepts.length > 0 && this.recordCovers(people[0]!, main, free))
        return result({ parts: [{ kind: 'who', person: people[0]!.id }] });
      // "Since when was Air Base 201 in use?": no event, but a place named alone has its dated record ("in use from
      // November 2019").
      if (form === 'when' && places.length === 1 && people.length + organisations.length + namedCountries.length === 0 && /\b\d{4}\b/.test(places[0]!.summary))
        return result({ parts: [{ kind: 'places', place: places[0]!.name }] });
      if (form === 'when') return decline('noEvent');
      // "Did Italy withdraw?": no event says so, but the troop figures say whether any are left.
      const withdrew = concepts.some((c) => c.id === 'withdrawal') && concepts.every((c) => c.id === 'withdrawal' || c.troops);
      if (troopCountries.length > 0 && places.length === 0 && withdrew && (!period || period.now))
        return result({ parts: troopCountries.map((country) => ({ kind: 'troops', country })), asksAbsence: true });
      // "Did Bazoum resign?": no event, but the person's own record says they did not.
      const denied = this.recordDenies(people, concepts);
      if (denied) return result({ parts: [{ kind: 'who', person: denied.id }], lead: 'No.' });
      // "Was Tiani promoted general?": no event, but the person's own record says so.
      // (Not for a date: "was Tiani born in 1960?" is no yes for a record that says 1960, 1961 or 1964.)
      if (people.length === 1 && (!period || period.now) && (asked1.length > 0 || free.length > 0) && this.recordCovers(people[0]!, main, free)) {
        return result({ parts: [{ kind: 'who', person: people[0]!.id }], lead: 'Yes.' });
      }
      // A description of who or what is named is no yes or no.
      return decline('cannotConfirm');
    }

    // "How old is Tiani?": a word the knowledge base has nowhere asks more than who.
    const unknownWords = free.filter((w) => this.isUnknownWord(w));
    const onlyNames = main.every((m) => m.meanings.every((x) => x.type !== 'concept'));
    const named = form === 'who' || form === 'what' || onlyNames;
    if (people.length > 0 && named && !has('timeline')) {
      // "Issa Maïga" is not "Abdou Sidikou Issa": a known name next to an unknown one names someone else.
      const names = capitalised(question);
      const other = main.find(
        (m) =>
          m.meanings.some((x) => x.type === 'person') && [tokens[m.start - 1], tokens[m.end]].some((t) => t !== undefined && free.includes(t) && names.has(t)),
      );
      if (other)
        return decline('noInformation', {
          words: [tokens[other.start - 1], ...other.words, tokens[other.end]].filter((t) => t && (free.includes(t) || other.words.includes(t))).join(' '),
        });
      // "How old is Tiani?", "where was Bazoum born?": a word the knowledge base has nowhere asks more than who.
      if (unknownWords.length > 0 || !this.recordCovers(people[0]!, main)) return decline('noAnswerAbout', { name: people[0]!.name });
      return result({ parts: people.map((p) => ({ kind: 'who', person: p.id })) });
    }
    if (organisations.length > 0 && named && !has('timeline')) {
      return result({ parts: organisations.map((o) => ({ kind: 'organisation', organisation: o.id })) });
    }
    // ("Who attacked Niamey airport?" asks who did something there, which a description of the place does not say.)
    const asksDoer = form === 'who' && (concepts.length > 0 || free.length > 0);
    if (places.length > 0 && named && !asksDoer) return result({ parts: [{ kind: 'places', place: places[0]!.name }] });
    // "Who is the president of Burkina Faso?": about another country, and nobody the knowledge base knows.
    if ((form === 'who' || form === 'what') && otherCountries.length > 0 && !has('timeline')) return decline('otherCountry', { country: otherCountries[0]! });

    if (has('timeline') || (date && !date.query.now)) {
      if (otherCountries.length > 0) return decline('otherCountryEvents', { country: otherCountries[0]! });
      // Only words the knowledge base knows: "who won the cup in 2024?" is not a question about 2024's events.
      if (free.length > 0 && !has('timeline')) return decline('default');
      const span = anchorEvent ? dateText : date && !date.query.now ? date.matched : undefined;
      // ("After the US left" is from the day after, on; "before" up to the day before.)
      const side = anchorEvent ? relation?.relation : undefined;
      const topic = this.topicOf(concepts, troopCountries, organisations);
      // "What happened to the Italian mission?": a country or body named with no events of its own is no
      // question about all events.
      if (!topic && !people[0] && troopCountries.length + organisations.length > 0) return decline('noEvent');
      // "Who closed Niger's airspace to French planes in September 2023?": a question about what happened in the
      // period, that one event of it answers, is that event, not the period's timeline.
      if (!has('timeline') && (form === 'who' || form === 'what') && concepts.some(saysWhatHappened) && period) {
        const one = this.bestEvent(mentions, free, otherCountries, undefined, period);
        if (one?.strong && this.overlaps(one.event, period))
          return result({ parts: [{ kind: 'event', event: one.event.id, related: one.related.map((e) => e.id) }] });
      }
      return result({
        parts: [{ kind: 'timeline', from: side === 'before' ? undefined : span, to: side === 'after' ? undefined : span, topic, actor: people[0]?.name }],
      });
    }

    // Nothing asked in so many words: the entry that matches the question best, if it matches well.
    const event = this.bestEvent(mentions, free, otherCountries, undefined, period);
    if (event?.strong) return result({ parts: [{ kind: 'event', event: event.event.id, related: event.related.map((e) => e.id) }] });
    // A topic typed alone ("sanctions", "airspace"): the events about it, when one says it in so many words.
    const keyword = !form && !yesNo && tokens.length <= 2 && otherCountries.length === 0;
    if (keyword && event?.covers) return result({ parts: [{ kind: 'event', event: event.event.id, related: event.related.map((e) => e.id) }] });
    if (people.length > 0 && this.recordCovers(people[0]!, main)) return result({ parts: [{ kind: 'who', person: people[0]!.id }] });
    if (people.length > 0) return decline('noAnswerAbout', { name: people[0]!.name });
    if (organisations.length > 0) return result({ parts: [{ kind: 'organisation', organisation: organisations[0]!.id }] });
    if (otherCountries.length > 0) return decline('otherCountry', { country: otherCountries[0]! });
    return decline('default');
  }

  /**
   * The person named whose record (summary, and how their terms began and ended) says in so many words that
   * they did not do what the concept says: "he has not resigned".
   */
  private recordDenies(people: Person[], concepts: Concept[]): Person | null {
    const asked = concepts.filter(saysWhatHappened);
    if (people.length !== 1 || asked.length !== 1) return null;
    const p = people[0]!;
    const terms = this.kb.officesHeldBy(p.id).map((h) => h.term);
    const record = [p.summary, ...terms.flatMap((t) => [t.began, t.ended, t.note])].filter((x): x is string => !!x);
    return record.some((r) => this.negates(r, asked[0]!)) ? p : null;
  }

  /** Whether English text (the knowledge base's) says in so many words that the concept did not happen: "has not resigned". */
  private negates(text: string, c: Concept): boolean {
    const stems = new Set([...tokenize(c.means), ...c.en.flatMap((w) => (tokenize(w).length === 1 ? tokenize(w) : []))].map((w) => stem(w)));
    this.negations ??= new Set(this.lexicon.languages.en.negations.flatMap(tokenize));
    const negations = this.negations;
    return text.split(/[.;]/).some((sentence) => {
      const words = tokenize(sentence);
      return words.some((w, i) => stems.has(stem(w)) && words.slice(Math.max(0, i - 3), i).some((x) => negations.has(x)));
    });
  }

  /**
   * For "X after the coup" / "X avant le retrait": the mentions and words before the relation, and the span on
   * that side of the named moment that follows it; undefined when no named moment follows a relation.
   */
  private sideOfMoment(
    found: Found,
    mentions: Mention[],
    tokens: string[],
    free: string[],
  ): { mentions: Mention[]; free: string[]; within: DateQuery } | undefined {
    const rel = found.relationAfterStart();
    if (!rel || rel.relation === 'during') return undefined;
    const after = mentions.filter((m) => m.start >= rel.end);
    const moment = this.namedMoment(this.units(after, freeBetween(tokens, free, rel.end, tokens.length)));
    if (!moment) return undefined;
    const before = mentions.filter((m) => m.end <= rel.start);
    if (!before.some((m) => m.meanings.some((x) => x.type === 'concept' || x.type === 'office'))) return undefined;
    const start = moment.event.date.start;
    const end = ((moment.end ?? moment.event).endDate ?? (moment.end ?? moment.event).date).end;
    const within: DateQuery =
      rel.relation === 'after'
        ? { start: addDays(end, 1), end: '9999-12-31', precision: 'span', label: '', now: false }
        : { start: '0000-01-01', end: addDays(start, -1), precision: 'span', label: '', now: false };
    return { mentions: before, free: freeBetween(tokens, free, 0, rel.start), within };
  }

  /**
   * The event that ended a body (an operation, a mission) on or before `day`: one it acts in or is named in whose
   * title says it ended, by the lexicon's words for ending ("Macron formally ends Operation Barkhane").
   */
  private endOf(o: Organisation, day: string): KbEvent | undefined {
    this.enderStems ??= new Set(
      this.lexicon.concepts
        .filter((c) => c.id === 'end' || c.id === COMPLETION)
        .flatMap((c) => c.en.flatMap((w) => (tokenize(w).length === 1 ? tokenize(w) : [])))
        .map((w) => stem(w)),
    );
    const names = [o.name, ...(o.acronym ? [o.acronym] : []), ...o.names.en].map((n) => ` ${tokenize(n).join(' ')} `);
    return this.kb.data.events
      .filter((e) => e.date.start <= day)
      .filter((e) => e.actors.includes(o.id) || names.some((n) => ` ${tokenize(e.title).join(' ')} `.includes(n)))
      .filter((e) => tokenize(e.title).some((w) => this.enderStems!.has(stem(w))))
      .sort((a, b) => b.date.start.localeCompare(a.date.start))[0];
  }

  private enderStems?: Set<string>;

  /** The people who held an office on or before `day`, newest term first. */
  private holdersBy(office: Office, day: string): Person[] {
    const from = (t: OfficeTerm) => (t.start ?? t.attested)?.start ?? '9999';
    return office.terms
      .filter((t) => from(t) <= day)
      .sort((a, b) => from(b).localeCompare(from(a)))
      .flatMap((t) => {
        const p = t.person ? this.kb.peopleById.get(t.person) : undefined;
        return p ? [p] : [];
      });
  }

  /**
   * The newest event on or before `day` in which one of the people left (by the lexicon's words for leaving, in its
   * title) one of the places, or Niger when no place is named; none when a later event of theirs
   * there has them travel or something reopen (a return).
   */
  private leaving(people: Person[], places: Place[], day: string): KbEvent | undefined {
    const stemsOf = (ids: string[]) =>
      new Set(
        this.lexicon.concepts
          .filter((c) => ids.includes(c.id))
          .flatMap((c) => c.en.flatMap((w) => (tokenize(w).length === 1 ? tokenize(w) : [])))
          .map((w) => stem(w)),
      );
    this.leavingStems ??= { leave: stemsOf(['withdrawal']), back: stemsOf(['travel', 'reopen']) };
    const { leave, back } = this.leavingStems;
    // ("French ambassador given 48 hours to leave": a leaving after "to" is one asked for, not done; nor is one announced.)
    const says = (e: KbEvent, stems: Set<string>) =>
      !this.reportsSpeech(e.title) && tokenize(e.title).some((w, i, all) => stems.has(stem(w)) && all[i - 1] !== 'to');
    const ids = new Set(people.map((p) => p.id));
    const at = (e: KbEvent) => places.length === 0 || places.some((p) => e.places?.includes(p.id));
    const theirs = this.kb.data.events
      .filter((e) => e.date.start <= day && e.actors.some((a) => ids.has(a)) && at(e))
      .sort((a, b) => b.date.start.localeCompare(a.date.start));
    const left = theirs.find((e) => says(e, leave));
    return left && !theirs.some((e) => e.date.start > left.date.start && says(e, back)) ? left : undefined;
  }

  private leavingStems?: { leave: Set<string>; back: Set<string> };

  /** For troops of one country named: the event of the day its newest figure fell to none (tagged with it), if any. */
  private troopsEnded(mentions: Mention[]): KbEvent | undefined {
    if (!mentions.some((m) => m.meanings.some((x) => x.type === 'concept' && x.concept.troops))) return undefined;
    const countries = unique(
      mentions.flatMap((m) => m.meanings.flatMap((x) => (x.type === 'country' && this.kb.countries().includes(x.country.name) ? [x.country.name] : []))),
    );
    if (countries.length !== 1) return undefined;
    const history = this.kb.troopHistory(countries[0]!);
    const last = history.at(-1);
    if (last?.count !== 0) return undefined;
    // The first figure of none after the last that was not.
    const lastPresent = history.findLastIndex((d) => d.count > 0);
    const ended = history[lastPresent + 1]!;
    const tag = normalizeName(countries[0]!).replace(/ /g, '-');
    return this.kb.data.events.find((e) => e.date.start === ended.asOf.start && e.tags.includes(tag));
  }

  private relationClause(
    found: Found,
    mentions: Mention[],
    tokens: string[],
  ): { relation: Relation; asked: [number, number]; event: [number, number] } | undefined {
    const after = found.relationAfterStart();
    if (after) return { relation: after.relation, asked: [0, after.start], event: [after.end, tokens.length] };
    const first = mentions[0];
    const lead = first?.start === 0 ? first.meanings.find((x) => x.type === 'relation') : undefined;
    if (!first || lead?.type !== 'relation') return undefined;
    const question = mentions.find((m) => m.start >= first.end && m.meanings.some((x) => x.type === 'form' && x.form !== 'still' && x.form !== 'said'));
    if (!question) return undefined;
    return { relation: lead.relation, asked: [question.start, tokens.length], event: [first.end, question.start] };
  }

  /** A word of the question written as a name that no entry uses in any language, as typed; else undefined. */
  private unknownName(question: string, free: string[], lang: Language): string | undefined {
    if (free.length === 0) return undefined;
    const unknown = new Set(free.filter((w) => !/\d/.test(w) && !this.index.knows(stem(w)) && !this.kb.sourcesUse(w)));
    if (unknown.size === 0) return undefined;
    const words = question.split(/\s+/);
    for (const [i, word] of words.entries()) {
      const bare = word.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
      const acronym = /^\p{Lu}{2,6}$/u.test(bare);
      // German writes every noun with a capital: there only an acronym marks a name.
      const name = acronym || (i > 0 && lang !== 'de' && /^\p{Lu}\p{Ll}/u.test(bare));
      if (name && tokenize(bare).length === 1 && unknown.has(tokenize(bare)[0]!)) return bare;
    }
    return undefined;
  }

  /**
   * Whether a person's own entry (role and summary, in any language) says what the question asks about them
   * beyond their name: "which party did Bazoum found?" or "where was Bazoum born?" is no "who is Bazoum?".
   */
  private recordCovers(person: Person, mentions: Mention[], free: string[] = []): boolean {
    // Each concept asked about, as every phrase it has in any language (a phrase: its words, stemmed), and
    // each other word of the question, as typed.
    const asked = unique(
      mentions.flatMap((m) =>
        m.meanings.flatMap((x) =>
          x.type === 'concept' && !x.concept.troops && !x.concept.office && !x.concept['office-question'] && !x.concept['role-question'] && !x.concept.timeline
            ? [x.concept]
            : [],
        ),
      ),
    );
    const words = free.filter((w) => w.length >= 3 && !this.allStopwords.has(w));
    if (asked.length === 0 && words.length === 0) return true;
    const phrases = (c: Concept) =>
      [[c.means, 'en'] as const, ...LANGUAGES.flatMap((l) => c[l].map((p) => [p, l] as const))].map(([p, l]) =>
        tokenize(p)
          .filter((w) => !this.allStopwords.has(w))
          .map((w) => stem(w, l)),
      );
    const alternatives = [...asked.map((c) => phrases(c).filter((g) => g.length > 0)), ...words.map((w) => [[stem(w)]])];
    const hit = this.index.search(unique(alternatives.flat(2)), ['person']).find((h) => h.id === person.id);
    return !!hit && alternatives.every((groups) => groups.some((g) => g.every((t) => hit.matched.has(t))));
  }

  /**
   * The event that led to `e`: of the concepts the question asks about, those the lexicon says other
   * concepts cause; the event up to `e`'s date that shares its troop country's tag and most of its other
   * tags (the latest of those), and whose text has words of a causing concept. Null when the lexicon knows no
   * cause or no event fits.
   */
  private causeOf(e: KbEvent, asked: Concept[]): KbEvent | null {
    const askedIds = new Set(asked.map((c) => c.id));
    const causing = this.lexicon.concepts.filter((c) => c.causes?.some((id) => askedIds.has(id)));
    if (causing.length === 0) return null;
    // The words the knowledge base itself uses for the concept (`means`): "by the end of the year" is no ending.
    const words = new PhraseIndex<true>();
    for (const c of causing) for (const w of tokenize(c.means)) words.add(w, true);
    const countries = new Set(e.tags.filter((t) => this.troopCountryTags.has(t)));
    if (countries.size === 0) return null;
    const says = (x: KbEvent) => {
      const text = tokenize(`${x.title} ${x.summary}`);
      return text.some((_, i) => words.matchAt(text, i) !== null);
    };
    // About the same thing as well as the same country: France's troops leaving follows the end of its defence
    // agreements (tagged troops), not the cancelled visas of its ambassador.
    const shared = (x: KbEvent) => x.tags.filter((t) => e.tags.includes(t)).length;
    // (And in Niger: the end of France's operation in Burkina Faso is no reason for its leaving Niger.)
    const elsewhere = (x: KbEvent) => x.tags.some((t) => this.otherCountryTags.has(t) && !e.tags.includes(t));
    const before = this.kb.data.events.filter(
      (x) => x.id !== e.id && x.date.start <= e.date.start && x.tags.some((t) => countries.has(t)) && shared(x) >= 2 && !elsewhere(x) && says(x),
    );
    return before.sort((a, b) => shared(b) - shared(a) || b.date.start.localeCompare(a.date.start))[0] ?? null;
  }

  /** Whether an event's summary says why it happened, in the words the lexicon lists for a reason. */
  private givesReason(e: KbEvent): boolean {
    this.reasons ??= (() => {
      const index = new PhraseIndex<true>();
      for (const w of this.lexicon.languages.en.reasons) index.add(w, true);
      return index;
    })();
    const words = tokenize(e.summary);
    return words.some((_, i) => this.reasons!.matchAt(words, i) !== null);
  }

  private reasons?: PhraseIndex<true>;

  private negations?: Set<string>;

  /** Whether a yes/no question opens in the present ("is", "are there", "est-elle", "ist"). */
  private presentOpening(tokens: string[], lang: Language): boolean {
    const starts = this.presentStarts[lang];
    for (let i = 0; i < Math.min(tokens.length, 7); i++) {
      const m = starts.matchAt(tokens, i);
      if (m && (i === 0 || m.end - i > 1)) return true;
    }
    return false;
  }

  /** A word the bot does not know, put right when it is one typo from one it knows ("soldeirs", "minster"). */
  private corrected(token: string, lang: Language, before?: string, after?: string): string {
    if (token.length < TYPO_MIN || /\d/.test(token) || this.known.has(token) || this.stopwords[lang].has(token)) return token;
    const fixed = this.typo(token, lang);
    if (!fixed) return token;
    // A real word of the language is no typo ("juste" is not "junte", "comptait" not "coûtait"), unless what it is
    // near is one of the question's small words ("wen", a word too, is typed for "when"), the same word in another
    // form ("personnels"), or a word that makes a phrase we know with its neighbour ("prime minster").
    if (this.functionWords[lang].has(fixed) || stem(fixed, lang) === stem(token, lang) || !isDictionaryWord(token, lang)) return fixed;
    const phrase = (words: (string | undefined)[]) =>
      words.every(Boolean) && [this.words[lang], this.names].some((index) => (index.matchAt(words as string[], 0)?.end ?? 0) === 2);
    return phrase([before, fixed]) || phrase([fixed, after]) ? fixed : token;
  }

  private get functionWords(): Record<Language, Set<string>> {
    this.functionWordSets ??= Object.fromEntries(
      LANGUAGES.map((lang) => {
        const l = this.lexicon.languages[lang];
        return [lang, new Set([...this.stopwords[lang], ...Object.values(l.forms).flat(), ...l.yesNoStart].flatMap(tokenize))];
      }),
    ) as Record<Language, Set<string>>;
    return this.functionWordSets;
  }

  private functionWordSets?: Record<Language, Set<string>>;

  /**
   * A date option given as an event ("when the ambassador left", "avant le coup d'État"): the relation word,
   * if any, and the event the rest describes; as text the date parser reads, or null.
   */
  dateOfEvent(text: string, needsRelation: boolean): string | null {
    const { mentions, free, lang } = this.read(text);
    this.clauseLang = lang;
    const first = mentions[0]?.start === 0 ? mentions[0].meanings.find((m) => m.type === 'relation') : undefined;
    if (needsRelation && !first) return null;
    const relation = first?.type === 'relation' ? first.relation : 'during';
    const rest = first ? mentions.slice(1) : mentions;
    const event = this.bestEvent(rest, free, []);
    return event ? this.anchorDate(event.event, relation, event.named) : null;
  }

  /** The event a description names best ("the French ambassador left"), in any of the languages. */
  findEvent(text: string): { event: KbEvent; related: KbEvent[] } | null {
    const { mentions, free, lang } = this.read(text);
    this.clauseLang = lang;
    const others = mentions
      .flatMap((m) => m.meanings)
      .flatMap((m) => (m.type === 'country' && !this.kb.countries().includes(m.country.name) && m.country.iso !== 'NE' ? [m.country.name] : []));
    return this.bestEvent(mentions, free, others);
  }

  /** An ISO date (or span) for a relation to an event: the day before, the day after, or the event itself. */
  private anchorDate(event: KbEvent, relation: Relation, named = false): string {
    // A named moment ("the withdrawal") is given by its name, so a span keeps its end and its label; an event
    // found by its description ("when the SOFA was revoked") is that event's own date.
    const anchor = this.anchorOf.get(event.id);
    if (anchor && (named || relation !== 'during')) return `${relation === 'during' ? 'during' : relation} ${anchor}`;
    if (relation === 'before') return addDays(event.date.start, -1);
    if (relation === 'after') return addDays((event.endDate ?? event.date).end, 1);
    return event.date.precision === 'day' ? event.date.start : event.date.text;
  }

  /**
   * The event the mentions and words describe best. Units are the things the question names: each concept,
   * each entity and each other word. The best event must cover most of them, and at least one that is not
   * just a name when the question has such words ("when did Tiani…" alone names no event).
   */
  bestEvent(
    mentions: Mention[],
    free: string[],
    otherCountries: string[],
    only?: (eventId: string) => boolean,
    within?: DateQuery,
  ): { event: KbEvent; related: KbEvent[]; strong: boolean; covers?: boolean; named?: boolean; happening?: boolean } | null {
    const units = this.units(mentions, free);
    if (units.length === 0) return null;
    const named = this.namedMoment(units);
    if (named) return { event: named.event, related: named.end ? [named.end] : [], strong: true, named: true };
    // "When did the French withdrawal end?", "… was it completed?": how far a named span went is its end (or, begun,
    // its start), not whichever event has the word.
    const aspects = mentions.filter((m) => m.meanings.some((x) => x.type === 'concept' && x.concept.aspect));
    if (aspects.length > 0 && aspects.length < mentions.length) {
      const rest = this.units(
        mentions.filter((m) => !aspects.includes(m)),
        free,
      );
      const span = this.namedMoment(rest);
      const ends = aspects.some((m) => m.meanings.some((x) => x.type === 'concept' && x.concept.id === COMPLETION));
      if (span?.end && ends) return { event: span.end, related: [span.event], strong: true, named: true };
      if (span && !ends) return { event: span.event, related: span.end ? [span.end] : [], strong: true, named: true };
      // "When did the French military presence end?": a country's troops ended on the day its figure fell to none,
      // and the event of that day tagged with the country says so.
      const zero = ends ? this.troopsEnded(mentions) : undefined;
      if (zero) return { event: zero, related: [], strong: true };
    }
    const scored = this.scoreEvents(units, mentions, otherCountries, only);
    if (scored.length === 0) return null;
    // A question dated "in August 2024" asks about the events of that period, when one covers the question as
    // well as any other: "did ECOWAS lift sanctions in 2023?" is about the lifting (2024), not the 2023 sanctions.
    if (within && !within.now) {
      const best = Math.max(...scored.map((c) => c.coverage.share));
      const dated = scored.filter((c) => this.overlaps(this.kb.eventsById.get(c.hit.id)!, within));
      if (dated.some((c) => c.coverage.share >= best)) scored.splice(0, scored.length, ...dated);
    }
    // Of events that cover the question as well, one whose title is about a place the question does not name
    // answers for that place: "did the US leave Niger?" is the whole withdrawal, not the one from Air Base 101.
    const askedPlaces = units.flatMap((u) => u.places ?? []);
    const narrower = (id: string) =>
      this.titlePlaces(this.kb.eventsById.get(id)!).some((p) => !askedPlaces.some((q) => this.within(p, q) || this.within(q, p))) ? 1 : 0;
    // An event that reports a state goes on ("HRW: Bazoum still detained") comes after the one that began it.
    const continues = (id: string) => (this.reportsContinuation(this.kb.eventsById.get(id)!) ? 1 : 0);
    // A state named is the state, not its end: "when were the ECOWAS sanctions?" is when they were imposed, not
    // "ECOWAS lifts main sanctions" — unless the question asks about the end.
    const asked = new Set(mentions.flatMap((m) => m.meanings.flatMap((x) => (x.type === 'concept' ? [x.concept.id] : []))));
    const enderWords = new Set(
      this.lexicon.concepts
        .filter((c) => !asked.has(c.id) && c.ends?.some((e) => asked.has(e)))
        .flatMap((c) => [...tokenize(c.means), ...c.en.filter((w) => tokenize(w).length === 1)]),
    );
    const ends = (id: string) => (enderWords.size > 0 && tokenize(this.kb.eventsById.get(id)!.title).some((w) => enderWords.has(w)) ? 1 : 0);
    scored.sort(
      (a, b) =>
        b.coverage.share - a.coverage.share ||
        narrower(a.hit.id) - narrower(b.hit.id) ||
        ends(a.hit.id) - ends(b.hit.id) ||
        continues(a.hit.id) - continues(b.hit.id) ||
        b.hit.score - a.hit.score,
    );
    const top = scored[0]!;
    const related = scored
      .slice(1)
      .filter((s) => s.coverage.share >= top.coverage.share && s.hit.score >= top.hit.score * 0.6)
      .slice(0, 2)
      .map((s) => this.kb.eventsById.get(s.hit.id)!);
    return {
      event: this.kb.eventsById.get(top.hit.id)!,
      related,
      strong: top.coverage.share >= 0.9 && top.coverage.said && units.length >= 2,
      covers: top.coverage.share >= 0.9 && top.coverage.said,
      happening: top.coverage.happening,
    };
  }

  /**
   * The event of the day an organisation's description says it was founded ("established on 2023-07-26"), in
   * the words of the concept the question asks with (the lexicon's `create`), the organisation among its actors.
   */
  private foundingEvent(org: Organisation, concepts: Concept[]): KbEvent | null {
    const words = concepts.flatMap((c) => (c.id === 'create' ? c.en : []));
    if (words.length === 0 || !org.description) return null;
    const alternatives = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const dated = new RegExp(`\\b(?:${alternatives})\\b(?:\\W+\\S+){0,12}?\\W+(\\d{4}-\\d{2}-\\d{2})`, 'i').exec(org.description);
    if (!dated) return null;
    return this.kb.data.events.find((e) => e.date.start === dated[1] && e.actors.includes(org.id)) ?? null;
  }

  /** A country's largest troop figure in Niger (the earliest of equals). */
  private largestFigure(country: string): Deployment | undefined {
    const figures = this.kb.data.deployments.filter((d) => d.country === country && d.host === 'Niger');
    return figures.reduce<Deployment | undefined>((best, d) => (!best || d.count > best.count ? d : best), undefined);
  }

  /** Whether how a term began says each concept, in one of its English phrases. */
  private termBeganWith(term: OfficeTerm, concepts: Concept[]): boolean {
    const said = new Set(tokenize(term.began ?? '').map((w) => stem(w)));
    const phrases = (c: Concept) => [c.means, ...c.en].map((p) => tokenize(p).map((w) => stem(w)));
    return concepts.every((c) => phrases(c).some((ws) => ws.length > 0 && ws.every((w) => said.has(w))));
  }

  /** A word the knowledge base has nowhere: no event uses it and no entry is named by it. */
  private isUnknownWord(word: string): boolean {
    return this.index.eventWeight(stem(word)) === 0 && !this.index.knows(stem(word));
  }

  private overlaps(e: KbEvent, period: DateQuery): boolean {
    return e.date.start <= period.end && (e.endDate ?? e.date).end >= period.start;
  }

  /** Whether an event's title says a state goes on, in the lexicon's words for "still" that name nothing else. */
  private reportsContinuation(e: KbEvent): boolean {
    this.continuationWords ??= new Set(
      this.lexicon.languages.en.forms.still
        .filter((w) => !this.lexicon.concepts.some((c) => c.en.includes(w) || tokenize(c.means).includes(w)))
        .map(normalizeName),
    );
    const title = ` ${normalizeName(e.title)} `;
    return [...this.continuationWords].some((w) => title.includes(` ${w} `));
  }

  private continuationWords?: Set<string>;

  /**
   * A named span found through other words than its name: "when did the Americans leave?" is when "the US
   * withdrawal" ended, where "when was the US withdrawal?" is the span from its start.
   */
  private endOfNamedSpan<T extends { event: KbEvent; related: KbEvent[]; named?: boolean }>(found: T, mentions: Mention[]): T {
    const anchor = found.named ? this.kb.data.anchors.find((a) => a.event === found.event.id && a.endEvent) : undefined;
    const end = anchor ? this.kb.eventsById.get(anchor.endEvent!) : undefined;
    if (!anchor || !end) return found;
    const named = new Set(anchor.names.flatMap(tokenize).map((w) => stem(w)));
    const typed = mentions.filter((m) => m.meanings.some((x) => x.type === 'concept')).flatMap((m) => m.words.map((w) => stem(w)));
    if (typed.length === 0 || typed.some((t) => named.has(t))) return found;
    return { ...found, event: end, related: [found.event] };
  }

  /** The events the units find, each with how much of them it covers; those covering too little are left out. */
  private scoreEvents(
    units: Unit[],
    mentions: Mention[],
    otherCountries: string[],
    only?: (eventId: string) => boolean,
  ): { hit: SearchHit; coverage: ReturnType<QuestionReader['coverage']> }[] {
    // The troops' own words ("forces") help find an event only when nothing else says what happened: "when did US
    // forces withdraw?" is the withdrawal, not the revoked status-of-forces agreement.
    const troopTerms = units.some((u) => u.content) ? [] : this.troopTerms(mentions);
    const terms = unique([...units.flatMap((u) => u.groups.flat()), ...troopTerms]);
    const entityIds = new Set(units.flatMap((u) => u.entities ?? []));
    const foreignTags = new Set(otherCountries.map((c) => normalizeName(c).replace(/ /g, '-')));
    const namedTags = new Set(units.flatMap((u) => u.tags ?? []));
    // What was said or recommended is not yet what was done: "is Tiani an army general?" is his swearing-in as one
    // more than the conference that recommended it — unless the question asks what was said.
    const asksSpeech = mentions.some((m) => m.meanings.some((x) => x.type === 'form' && x.form === 'said'));
    const hits = this.index.search(terms, ['event'], (kind, id) => {
      const e = kind === 'event' ? this.kb.eventsById.get(id) : undefined;
      if (!e) return 1;
      let boost = 1;
      for (const a of e.actors) if (entityIds.has(a)) boost *= 1.5;
      // A question that names no other country is about Niger: events elsewhere (Mali, Burkina Faso) weigh less.
      if (e.tags.some((t) => this.otherCountryTags.has(t) && !foreignTags.has(t))) boost *= 0.4;
      // One that names the US is about the US: an event also tagged with France is less likely the one.
      if (namedTags.size > 0 && e.tags.some((t) => this.troopCountryTags.has(t) && !namedTags.has(t))) boost *= 0.6;
      if (!asksSpeech && this.titleReportsSpeech(e)) boost *= 0.7;
      return boost;
    });
    // The best-scored few are enough: an event outside them covers too little of the question to win.
    return hits
      .filter((h) => !only || only(h.id))
      .slice(0, 25)
      .map((h) => ({ hit: h, coverage: this.coverage(units, h) }))
      .filter((s) => s.coverage.share >= 0.5 && s.coverage.content);
  }

  /** The events that cover everything the mentions and words name (as a yes needs), newest first. */
  private coveringEvents(mentions: Mention[], free: string[], otherCountries: string[]): KbEvent[] {
    const units = this.units(mentions, free);
    if (units.length < 2) return [];
    return this.scoreEvents(units, mentions, otherCountries)
      .filter((s) => s.coverage.share >= 0.9 && s.coverage.said)
      .map((s) => this.kb.eventsById.get(s.hit.id)!)
      .sort((a, b) => (b.endDate ?? b.date).end.localeCompare((a.endDate ?? a.date).end));
  }

  /** Whether an event's title names an organisation, none of those given, while naming none of them. */
  private titleNamesOtherBody(e: KbEvent, bodies: Organisation[]): boolean {
    if (bodies.length === 0) return false;
    const title = ` ${tokenize(e.title).join(' ')} `;
    const names = (o: Organisation) => [o.name, ...(o.acronym ? [o.acronym] : []), ...o.names.en].some((n) => title.includes(` ${tokenize(n).join(' ')} `));
    return !bodies.some(names) && this.kb.data.organisations.some((o) => !bodies.includes(o) && names(o));
  }

  /**
   * Whether a state still holds ("is Niger still in ECOWAS?", "is the embassy open?"), or whether what would
   * end it happened ("was Bazoum released?"), from the newest events: a state is ended by the concepts that
   * say so in the lexicon (`ends`: an exit ends a membership, a reopening a closure).
   */
  private stateAnswer(
    mentions: Mention[],
    free: string[],
    otherCountries: string[],
    present: boolean,
    /** For a past period: its last day. Whether what would end the state happened by then. */
    until?: string,
  ): { event: KbEvent; lead: 'Yes.' | 'No.' } | null {
    const concepts = this.lexicon.concepts;
    const conceptOf = (m: Mention) => m.meanings.flatMap((x) => (x.type === 'concept' ? [x.concept] : []));
    const endersOf = (state: Concept) => concepts.filter((c) => c.ends?.includes(state.id));
    const asMention = (cs: Concept[]): Mention => ({ start: -1, end: -1, words: [], meanings: cs.map((concept) => ({ type: 'concept' as const, concept })) });
    // "Is the embassy still open?": a state asked about in the present, and what would have ended it.
    const states = mentions.filter((m) => conceptOf(m).some((c) => endersOf(c).length > 0));
    if (present && states.length > 0) {
      const enders = unique(states.flatMap((m) => conceptOf(m).flatMap(endersOf)));
      const rest = mentions.filter((m) => !states.includes(m));
      const subject = rest.some((m) => m.meanings.some((x) => x.type !== 'form' && x.type !== 'yesno' && x.type !== 'comparison')) ? rest : states;
      // ("Is Niger still a member of the AES?" — "Exit from ECOWAS takes effect", with the AES among its actors, ends
      // a membership of ECOWAS: an end whose title names another body than the one asked is that body's.)
      const asked = subject.flatMap((m) => m.meanings.flatMap((x) => (x.type === 'organisation' ? [x.organisation] : [])));
      const ended = this.coveringEvents([...subject, asMention(enders)], free, otherCountries).find((e) => !this.titleNamesOtherBody(e, asked));
      const holds = this.coveringEvents(mentions, free, otherCountries)[0];
      if (ended && (!holds || (ended.endDate ?? ended.date).end >= (holds.endDate ?? holds.date).end)) return { event: ended, lead: 'No.' };
      if (holds) return { event: holds, lead: 'Yes.' };
      return null;
    }
    // "Was Bazoum released?": nothing on record ends the state, and the newest record says it holds.
    const enders = mentions.filter((m) => conceptOf(m).some((c) => c.ends?.length));
    if (enders.length === 0) return null;
    const ended = enders.flatMap((m) => conceptOf(m).flatMap((c) => c.ends!)).map((id) => concepts.find((c) => c.id === id)!);
    const rest = mentions.filter((m) => !enders.includes(m));
    if (!rest.some((m) => m.meanings.some((x) => x.type === 'person' || x.type === 'organisation' || x.type === 'place'))) return null;
    if (this.coveringEvents(mentions, free, otherCountries).length > 0) return null;
    const holds = this.coveringEvents([...rest, asMention(ended)], free, otherCountries)[0];
    // ("Was Bazoum released in 2024?": still detained in July 2025, so not then either.)
    return holds && (!until || holds.date.start >= until) ? { event: holds, lead: 'No.' } : null;
  }

  /**
   * Whether a state held during a past period: No when what ended it happened before the period (and nothing
   * after restored it), Yes when what holds it is on record before the period, or — when the question says
   * "still", which takes the state before as given — when it ended only after. An end or a restoration
   * within the period makes the answer depend on the day: no answer.
   */
  private stateAt(
    mentions: Mention[],
    free: string[],
    otherCountries: string[],
    period: DateQuery,
    still: boolean,
  ): { event: KbEvent; lead: 'Yes.' | 'No.' } | null {
    const conceptOf = (m: Mention) => m.meanings.flatMap((x) => (x.type === 'concept' ? [x.concept] : []));
    const endersOf = (state: Concept) => this.lexicon.concepts.filter((c) => c.ends?.includes(state.id));
    const states = mentions.filter((m) => conceptOf(m).some((c) => endersOf(c).length > 0));
    if (states.length === 0) return null;
    const enders = unique(states.flatMap((m) => conceptOf(m).flatMap(endersOf)));
    const rest = mentions.filter((m) => !states.includes(m));
    if (!rest.some((m) => m.meanings.some((x) => x.type !== 'form' && x.type !== 'yesno' && x.type !== 'comparison'))) return null;
    const enderMention: Mention = { start: -1, end: -1, words: [], meanings: enders.map((concept) => ({ type: 'concept' as const, concept })) };
    // What ended it is what an event is about, in its title: "suspended transactions" in a summary suspends no membership.
    const enderStems = new Set(enders.flatMap((c) => tokenize(`${c.means} ${c.en.join(' ')}`).map((w) => stem(w))));
    // An end announced is not one yet: "Niger, Mali and Burkina Faso announce they are leaving ECOWAS" (January
    // 2024) left Niger a member for a year.
    // (Nor is one set for a later year: "ECOWAS sets 29 January 2025 for the three countries' exit".)
    const later = (e: KbEvent) => (e.title.match(/\b(?:19|20)\d{2}\b/g) ?? []).some((y) => y > e.date.end.slice(0, 4));
    const announces = (e: KbEvent) => this.reportsSpeech(e.title) || later(e);
    const ends = this.coveringEvents([...rest, enderMention], free, otherCountries).filter(
      (e) => !announces(e) && tokenize(e.title).some((w) => enderStems.has(stem(w))),
    );
    const holds = this.coveringEvents(mentions, free, otherCountries).filter((e) => !announces(e));
    const day = (e: KbEvent) => e.endDate ?? e.date;
    // (Events come newest first.)
    if ([...ends, ...holds].some((e) => this.overlaps(e, period))) return null;
    const ended = ends.find((e) => day(e).end < period.start);
    const heldBefore = holds.find((e) => day(e).end < period.start);
    if (ended && day(ended).end < period.start && (!heldBefore || day(ended).end >= day(heldBefore).end)) return { event: ended, lead: 'No.' };
    if (heldBefore) return { event: heldBefore, lead: 'Yes.' };
    // The first end after the period bounds it best: still open on 19 December, when its closure was announced.
    const endedAfter = ends.filter((e) => e.date.start > period.end).at(-1);
    return still && endedAfter ? { event: endedAfter, lead: 'Yes.' } : null;
  }

  /** Whether English text (an event's title) reports what someone said, in the lexicon's words of speech. */
  private reportsSpeech(text: string): boolean {
    return tokenize(text).some((w) => this.speechStems.has(stem(w)));
  }

  /** The stems of the lexicon's one-word English words of speech ("said", "told", "announced"). */
  private get speechStems(): Set<string> {
    this.speechWords ??= new Set(this.lexicon.languages.en.forms.said.filter((w) => tokenize(w).length === 1).map((w) => stem(w)));
    return this.speechWords;
  }

  private speechWords?: Set<string>;

  /**
   * Whether a person's record reports what they themselves said: a word of speech right after their name or "he" /
   * "she" ("… he said Italy's forces stayed"), not what others said of them ("Human Rights Watch said he was …").
   */
  private recordReportsOwnSpeech(p: Person): boolean {
    const own = new Set([...tokenize(p.name), ...p.aliases.flatMap(tokenize), 'he', 'she']);
    return p.summary.split(/[.;]/).some((sentence) => {
      const words = tokenize(sentence);
      return words.some((w, i) => i > 0 && this.speechStems.has(stem(w)) && own.has(words[i - 1]!));
    });
  }

  /** Like reportsSpeech, word for word: stemmed, "States" in "Alliance of Sahel States" would be "stated". */
  private titleReportsSpeech(e: KbEvent): boolean {
    this.exactSpeechWords ??= new Set(this.lexicon.languages.en.forms.said.filter((w) => tokenize(w).length === 1));
    return tokenize(e.title).some((w) => this.exactSpeechWords!.has(w));
  }

  private exactSpeechWords?: Set<string>;

  /**
   * A named moment (data/anchors.yaml: "the coup", "the French withdrawal") when the words say nothing but
   * its name: "avant le coup d'État" is the coup itself, not the first event that mentions one.
   */
  private namedMoment(units: Unit[]): { event: KbEvent; end?: KbEvent } | null {
    // (No words, no moment: "after 2024" names a date, not the first anchor.)
    if (units.length === 0) return null;
    for (const a of this.kb.data.anchors) {
      for (const name of a.names) {
        const stems = new Set(
          tokenize(name)
            .filter((w) => !this.allStopwords.has(w))
            .map((w) => stem(w)),
        );
        if (stems.size > 0 && units.every((u) => u.groups.some((g) => g.length > 0 && g.every((t) => stems.has(t))))) {
          const end = a.endEvent ? this.kb.eventsById.get(a.endEvent) : undefined;
          return { event: this.kb.eventsById.get(a.event)!, ...(end ? { end } : {}) };
        }
      }
    }
    return null;
  }

  private get troopCountryTags(): Set<string> {
    this.troopTags ??= new Set(this.kb.countries().map((c) => normalizeName(c).replace(/ /g, '-')));
    return this.troopTags;
  }

  private troopTags?: Set<string>;

  private get otherCountryTags(): Set<string> {
    this.otherTags ??= new Set(
      this.kb.data.countries.filter((c) => c.iso !== 'NE' && !this.kb.countries().includes(c.name)).map((c) => normalizeName(c.name).replace(/ /g, '-')),
    );
    return this.otherTags;
  }

  private otherTags?: Set<string>;

  /**
   * The things a question names, each once: its concepts, entities and other words, with the stemmed
   * terms that find them (the entity's names and the words the user typed for it) and how much each tells
   * events apart.
   */
  private units(mentions: Mention[], free: string[]): Unit[] {
    const byKey = new Map<string, Unit>();
    for (const m of mentions) {
      // (In a French or German question, only words English spells the same: "putsch", "junta"; "partie", left,
      // is no English "party".)
      const typed = m.words.filter((t) => !this.allStopwords.has(t) && (this.clauseLang === 'en' || stem(t) === t)).map((t) => stem(t));
      // One phrase is one thing the user meant: "Niamey airport" is the air base or the German site beside it,
      // either of which covers it, not two things the answer must both be about.
      const byType = new Map<Meaning['type'], Meaning[]>();
      for (const meaning of m.meanings) byType.set(meaning.type, [...(byType.get(meaning.type) ?? []), meaning]);
      for (const readings of byType.values()) {
        const parts = readings.flatMap((meaning) => {
          const u = this.unitOf(meaning);
          return u ? [{ meaning, u }] : [];
        });
        if (parts.length === 0) continue;
        const key = parts
          .map((x) => meaningKey(x.meaning))
          .sort()
          .join('|');
        const groups = [...(byKey.get(key)?.groups ?? parts.flatMap((x) => x.u.groups))];
        // What the user typed finds the thing too: "junta" for the CNSP, "president" for the head of state,
        // "treaty" for an agreement.
        if (typed.length > 0) groups.push(typed);
        byKey.set(key, {
          groups,
          covers: parts.flatMap((x) => x.u.covers ?? []),
          content: parts.some((x) => x.u.content),
          happening: parts.some((x) => x.u.happening),
          weight: 0,
          entities: parts.flatMap((x) => x.u.entities ?? []),
          tags: parts.flatMap((x) => x.u.tags ?? []),
          places: parts.flatMap((x) => x.u.places ?? []),
        });
      }
    }
    for (const w of free) {
      if (w.length >= 3 && !this.allStopwords.has(w)) byKey.set(`word:${w}`, { groups: [[stem(w, 'en')]], content: true, weight: 0, free: true });
    }
    const units = [...byKey.values()];
    for (const u of units) {
      u.groups = u.groups.filter((g) => g.length > 0);
      const weight = Math.max(0, ...u.groups.map((g) => Math.min(...g.map((t) => this.index.eventWeight(t)))));
      // A word of the user's own that the lexicon does not know is often a paraphrase ("pick", "go after"):
      // it counts, but less than a concept or a name, and little when no event uses it.
      u.weight = Math.max(UNKNOWN_WORD_WEIGHT, u.free ? weight / 2 : weight);
    }
    return units;
  }

  /** "Troops" is not a unit (figures answer it), but it still tells "the last French troops left" from "the ambassador left". */
  private troopTerms(mentions: Mention[]): string[] {
    return mentions.flatMap((m) => (m.meanings.some((x) => x.type === 'concept' && x.concept.troops) ? m.words.map((w) => stem(w)) : []));
  }

  private unitOf(m: Meaning): Pick<Unit, 'groups' | 'covers' | 'content' | 'happening' | 'entities' | 'tags' | 'places'> | null {
    const words = (text: string, min = 2) =>
      tokenize(text)
        .filter((w) => w.length >= min && !this.allStopwords.has(w))
        .map((w) => stem(w));
    switch (m.type) {
      case 'concept':
        // Troops are answered by figures; "what happened", "sources", "help" frame a question, naming nothing.
        if (m.concept.troops || m.concept.timeline || m.concept.sources || m.concept.help) return null;
        return { groups: words(m.concept.means).map((t) => [t]), content: true, happening: saysWhatHappened(m.concept) };
      case 'country':
        if (m.country.iso === 'NE') return null;
        return { groups: [words(m.country.name), words(m.country.adjective)], content: false, tags: [normalizeName(m.country.name).replace(/ /g, '-')] };
      case 'person':
        return { groups: words(m.person.name, 4).map((t) => [t]), content: false, entities: [m.person.id] };
      case 'organisation':
        return {
          groups: [...(m.organisation.acronym ? [words(m.organisation.acronym)] : []), words(m.organisation.name)],
          content: false,
          entities: [m.organisation.id],
        };
      case 'place':
        return { groups: [words(m.place.name.split(',')[0]!)], content: false, places: [m.place.id] };
      case 'office':
        // The knowledge base is written in English: an event that uses any of the office's English names
        // ("president") covers it, though only its name is searched for.
        return { groups: [words(m.office.name, 3)], content: true, covers: m.office.names.en.map((n) => words(n, 3)) };
      default:
        return null;
    }
  }

  /**
   * Whether what follows "how many" is troops: a word for troops, or a country's people ("how many French"),
   * perhaps after small words ("combien de soldats", "how many of the soldiers").
   */
  private countsTroops(mentions: Mention[], tokens: string[], lang: Language): boolean {
    const forms = mentions.filter((m) => m.meanings.some((x) => x.type === 'form' && x.form === 'howMany'));
    if (forms.length === 0) return true;
    const at = (k: number) => mentions.find((m) => m.start === k);
    const troops = (m: Mention) => m.meanings.some((x) => x.type === 'concept' && x.concept.troops);
    const foreign = (m: Mention) => m.meanings.some((x) => x.type === 'country' && x.country.iso !== 'NE') || m.meanings.some((x) => x.type === 'organisation');
    // Any of them: "Headcount check: how many German personnel …".
    return forms.some((form) => {
      let i = form.end;
      // Past small words and the verb ("how large was the Italian contingent", "wie stark war …").
      while (i < tokens.length && ((this.stopwords[lang].has(tokens[i]!) && !at(i)) || (at(i) && isComparison(at(i)!)))) i = at(i)?.end ?? i + 1;
      const next = at(i);
      // "Et les Allemands, combien sont-ils ?": nothing named after "how many" but a verb; what is counted came before.
      if (!next || next.meanings.every((x) => x.type === 'yesno' || x.type === 'form' || x.type === 'relation'))
        return mentions.some((m) => m.end <= form.start && (troops(m) || foreign(m)));
      return troops(next) || foreign(next);
    });
  }

  /** Whether the words say what happened, beyond who and where: "when were French troops first deployed" does not. */
  private hasContent(mentions: Mention[], free: string[]): boolean {
    return this.units(mentions, free).some((u) => u.content);
  }

  /** The places an event's title names, other than the capital (which stands for the country: "leaves Niamey"). */
  private titlePlaces(e: KbEvent): string[] {
    let out = this.titlePlaceMemo.get(e.id);
    if (!out) {
      const title = ` ${normalizeName(e.title)} `;
      out = e.places.filter((id) => {
        const p = this.kb.placesById.get(id);
        if (!p || /capital/i.test(p.kind)) return false;
        return [p.name.split(',')[0]!, ...p.aliases].some((n) => title.includes(` ${normalizeName(n)} `));
      });
      this.titlePlaceMemo.set(e.id, out);
    }
    return out;
  }

  private readonly titlePlaceMemo = new Map<string, string[]>();

  /** A place is within another when it is the same or its name contains the other's ("Air Base 101, Niamey"). */
  private within(placeId: string, otherId: string): boolean {
    if (placeId === otherId) return true;
    const name = this.kb.placesById.get(placeId)?.name;
    const other = this.kb.placesById.get(otherId)?.name;
    return !!name && !!other && ` ${normalizeName(name)} `.includes(` ${normalizeName(other)} `);
  }

  /**
   * The weighted share of the question's units an entry covers; `content`: it covers what the question
   * needs beyond names; `said`: it covers a concept or word of the question, not only its names.
   */
  private coverage(units: Unit[], hit: SearchHit): { share: number; content: boolean; said: boolean; happening: boolean } {
    const event = hit.kind === 'event' ? this.kb.eventsById.get(hit.id) : undefined;
    // Whether it covers what happened: one of the question's happenings, when it names any.
    let happening = !units.some((u) => u.happening);
    let covered = 0;
    let total = 0;
    let content = false;
    // Every country, person, organisation or place the question names must be in the answer's event.
    let entities = true;
    // A word no event uses cannot be covered; it does not make the question need more than its names.
    const hasContent = units.some((u) => u.content);
    for (const u of units) {
      total += u.weight;
      const linked =
        (event && u.entities?.some((e) => event.actors.includes(e))) ||
        (event && u.tags?.some((t) => event.tags.includes(t))) ||
        (event && u.places?.some((place) => event.places.some((p) => this.within(p, place))));
      const uses = (t: string) => hit.matched.has(t) || (event !== undefined && this.index.eventUses(event.id, t));
      if (linked || u.groups.some((g) => g.length > 0 && g.every((t) => hit.matched.has(t))) || u.covers?.some((g) => g.length > 0 && g.every(uses))) {
        // An event is about the countries, people and places it is tagged with; one it only mentions
        // ("… recalled envoys to France, Nigeria, Togo and the US") counts for half.
        covered += linked || u.content || u.free || !event ? u.weight : u.weight / 2;
        if (u.content) content = true;
        if (u.happening) happening = true;
      } else if (!u.content && !u.free) entities = false;
      // A country counts only where the event is tagged with it: "… first land convoy to Chad" is no event in Chad.
      if (u.tags?.length && event && !u.tags.some((t) => event.tags.includes(t))) entities = false;
    }
    return { share: total === 0 ? 0 : covered / total, content: (content || !hasContent) && entities, said: content, happening };
  }

  /**
   * "How long after the coup did …?", "combien de temps après le putsch …", "wie lange nach dem Putsch …": the named
   * moment right after the relation, as many of the following phrases as name one, and the event the rest names.
   */
  private durationSince(mentions: Mention[], tokens: string[], free: string[]): { first: KbEvent; second: KbEvent } | undefined {
    const r = mentions.findIndex((m) => m.meanings.some((x) => x.type === 'relation' && (x.relation === 'after' || x.relation === 'before')));
    if (r < 0) return undefined;
    const content = (ms: Mention[]) => ms.filter((m) => !m.meanings.every((x) => x.type === 'yesno' || x.type === 'form' || x.type === 'comparison'));
    const after = content(mentions.slice(r + 1));
    // (The event asked may come first: "les instructeurs russes sont arrivés combien de temps après le départ du
    // dernier soldat français ?")
    const before = content(mentions.slice(0, r));
    for (let k = after.length; k >= 1; k--) {
      // (When the event asked comes first, what follows the relation is any event: "… après le départ du dernier soldat".)
      const whole = k === after.length && before.length > 0 ? this.bestEvent(after, freeBetween(tokens, free, mentions[r]!.end, tokens.length), []) : null;
      const moment = this.namedMoment(this.units(after.slice(0, k), [])) ?? (whole ? { event: this.endOfNamedSpan(whole, after).event } : null);
      if (!moment) continue;
      const rest = k < after.length ? after.slice(k) : before;
      if (rest.length === 0) continue;
      const words = k < after.length ? freeBetween(tokens, free, rest[0]!.start, tokens.length) : freeBetween(tokens, free, 0, mentions[r]!.start);
      const event = this.bestEvent(rest, words, []);
      const second = event ? this.endOfNamedSpan(event, rest).event : undefined;
      if (!second || second.id === moment.event.id || second.id === moment.end?.id) continue;
      const first = moment.end && second.date.start > moment.end.date.start ? moment.end : moment.event;
      return second.date.start >= first.date.start ? { first, second } : { first: second, second: first };
    }
    return undefined;
  }

  /** The named span (an anchor with an end) that an event begins or ends. */
  private spanOf(event: KbEvent): { event: KbEvent; end: KbEvent } | null {
    const a = this.kb.data.anchors.find((x) => x.endEvent && (x.event === event.id || x.endEvent === event.id));
    return a ? { event: this.kb.eventsById.get(a.event)!, end: this.kb.eventsById.get(a.endEvent!)! } : null;
  }

  /** Whether the question opens by asking how long, in the lexicon's `duration` words. */
  private asksDuration(tokens: string[], lang: Language): boolean {
    const text = ` ${tokens.join(' ')} `;
    return this.duration[lang].some((p) => text.startsWith(` ${p} `) || text.includes(` ${p} `));
  }

  /** Two events set against each other by "before", "after" or "which came first, … or …". */
  private compare(mentions: Mention[], tokens: string[], free: string[], lang: Language): Understanding['compare'] | undefined {
    const relation = mentions.find((m) => m.start > 0 && m.meanings.some((x) => x.type === 'relation' && x.relation !== 'during'));
    const comparisons = mentions.filter((m) => m.meanings.some((x) => x.type === 'comparison'));
    // "before or after" splits the question where it stands; "which came first, X or Y" at its "or".
    const alternatives = new Set(this.lexicon.languages[lang].alternative.flatMap(tokenize));
    // (A pair says "or": "which came first" only opens the question.)
    const pair = comparisons.find((m) => m.end - m.start > 1 && m.start > 0 && m.words.some((w) => alternatives.has(w)));
    const or = comparisons.find((m) => m.start > 0 && m.end - m.start === 1 && alternatives.has(tokens[m.start]!));
    // "How long between the coup and the last French flight?": the two sides part at its "and".
    const { phrases, and } = this.between[lang];
    const between = comparisons.find((m) => phrases.has(m.words.join(' ')));
    const split = between ? tokens.findIndex((t, i) => i >= between.end && and.has(t)) : -1;
    const betweenAt = between && split > between.end ? { start: split, end: split + 1 } : undefined;
    const at = betweenAt ?? pair ?? relation ?? (comparisons.length >= 2 ? or : undefined);
    if (!at) return undefined;
    const from = betweenAt ? between!.end : 0;
    let left = mentions.filter((m) => m.start >= from && m.end <= at.start && !isComparison(m));
    let right = mentions.filter((m) => m.start >= at.end && !isComparison(m));
    // "Did the Americans leave before or after the French?": the side with no verb shares the other's.
    // (Its verb: the last thing said of the other side, "parti" in "l'ambassadeur est-il parti avant les soldats ?";
    // troops are who, not what happened.)
    // ("Macron saying the troops would go": saying is what he did.)
    const content = (ms: Mention[]) => ms.filter((m) => m.meanings.some((x) => (x.type === 'concept' && !x.concept.troops) || x.type === 'office'));
    const said = (lo: number, hi: number) =>
      mentions.some((m) => m.start >= lo && m.end <= hi && m.meanings.some((x) => x.type === 'form' && x.form === 'said'));
    const hasVerb = (side: Mention[], lo: number, hi: number) => content(side).length > 0 || said(lo, hi);
    // (So do its place and its country, when it names none: "qui a quitté la base 101 en premier : les Français ou
    // les Américains ?", "did the US leave Agadez before Niamey?")
    const ofType = (ms: Mention[], type: 'place' | 'country') => ms.filter((m) => m.meanings.some((x) => x.type === type));
    const borrowed = (own: Mention[], other: Mention[]) => [
      ...content(other).slice(-1),
      ...(['place', 'country'] as const).flatMap((type) => (ofType(own, type).length ? [] : ofType(other, type))),
    ];
    if (!hasVerb(left, from, at.start)) left = [...left, ...borrowed(left, right)];
    else if (!hasVerb(right, at.end, tokens.length)) right = [...right, ...borrowed(right, left)];
    const found = (side: Mention[], words: string[]) => {
      const event = this.bestEvent(side, words, []);
      return event ? this.endOfNamedSpan(event, side) : null;
    };
    const a = found(left, freeBetween(tokens, free, from, at.start));
    const b = found(right, freeBetween(tokens, free, at.end, tokens.length));
    if (!a || !b || a.event.id === b.event.id) return undefined;
    const r = relation?.meanings.find((x) => x.type === 'relation');
    const asked = betweenAt ? 'between' : r?.type === 'relation' ? (r.relation === 'before' ? 'before' : 'after') : 'first';
    return { first: a.event, second: b.event, asked };
  }

  /**
   * "Who ruled before Bazoum?": a person alone after the relation word dates the question by their terms,
   * the day before the first began or the day after the last ended.
   */
  private termBoundary(
    clause: Mention[],
    free: string[],
    relation: Relation,
    offices: ReadonlySet<string>,
    today: string,
  ): string | 'open' | 'no-start' | 'no-term' | null {
    const people = clause.flatMap((m) => m.meanings.flatMap((x) => (x.type === 'person' ? [x.person] : [])));
    // (A verb is nothing else named: "when Bazoum was president".)
    const others = clause.some((m) => m.meanings.every((x) => x.type !== 'person' && x.type !== 'yesno'));
    if (people.length !== 1 || others || free.length > 0) return null;
    // Their terms in the office asked about, when they held it: "president before Tiani" is not before he
    // commanded the guard.
    const all = this.kb.officesHeldBy(people[0]!.id);
    const inOffice = all.filter((h) => offices.has(h.office.id));
    // "Under Bazoum", "when Bazoum was president": his time in that office, or in the first office of
    // offices.yaml he held (the file lists each country's highest office first).
    if (relation === 'during') {
      const order = this.kb.offices().map((o) => o.id);
      const highest = [...all].sort((a, b) => order.indexOf(a.office.id) - order.indexOf(b.office.id))[0]?.office.id;
      // ("When Issoufou was prime minister": a term the sources do not give dates nothing.)
      const during = offices.size > 0 ? inOffice : all.filter((h) => h.office.id === highest);
      const start = during[0]?.term.start?.start;
      if (!start) return all.length > 0 ? 'no-term' : null;
      const end = during.at(-1)!.term.end?.start;
      // Without the days power changed hands: the predecessor's last day is their first.
      return `from ${formatDay(addDays(start, 1))} to ${formatDay(end ? addDays(end, -1) : today)}`;
    }
    const held = (inOffice.length > 0 ? inOffice : all).map((h) => h.term);
    const terms = held.filter((t) => t.start);
    // "Who was ambassador before Itté?": with no start on record, nobody can be said to come before.
    if (relation === 'before') return terms.length > 0 ? addDays(terms[0]!.start!.start, -1) : held.length > 0 ? 'no-start' : null;
    const last = held.at(-1);
    if (!last) return null;
    if (!last.end) return 'open';
    return addDays(last.end.start, 1);
  }

  /** The first office term whose title names an organisation ("Leader of the military council (CSRD)"). */
  private termNaming(o: Organisation): { office: Office; date: string } | null {
    // (Any of its English names: "Presidential guard (Niger)" is "the presidential guard" in a title.)
    const names = [o.acronym, o.name, ...o.names.en].filter((n): n is string => !!n).map(normalizeName);
    for (const office of this.kb.offices()) {
      for (const t of office.terms) {
        // (Its title, not its holder: the CNSP held the head-of-state office collectively for two days; it did not
        // head itself.)
        const title = ` ${normalizeName(t.title)} `;
        if (!names.some((n) => title.includes(` ${n} `))) continue;
        // Its first full day: on the day it began, the office changed hands.
        const first = t.start?.precision === 'day' && (!t.end || t.end.start > addDays(t.start.start, 1)) ? addDays(t.start.start, 1) : undefined;
        return { office, date: first ?? (t.start ?? t.attested)!.text };
      }
    }
    return null;
  }

  /** The best event, with one of the people or organisations named as actor, whose summary reports speech. */
  private reportedSpeech(people: Person[], organisations: Organisation[], mentions: Mention[], free: string[]): KbEvent[] {
    const actors = new Set([...people.map((p) => p.id), ...organisations.map((o) => o.id)]);
    if (actors.size === 0) return [];
    // Words of speech as phrases: "according to" is speech, its "to" alone is not.
    const speech = new PhraseIndex<true>();
    for (const w of this.lexicon.languages.en.forms.said) speech.add(w, true);
    // Their names' words, without the small ones: "the" in "the junta" is no one speaking.
    const nameWords = (text: string) => tokenize(text).filter((w) => !this.allStopwords.has(w));
    const names = new Map([
      ...people.map((p) => [p.id, nameWords([p.name, ...p.aliases].join(' '))] as const),
      ...organisations.map((o) => [o.id, nameWords([o.acronym ?? '', o.name, ...o.names.en].join(' '))] as const),
    ]);
    // The actor must be the speaker: their name just before the verb ("Macron said", not "HRW said Bazoum …").
    const speaks = (e: KbEvent) => {
      const words = tokenize(e.summary);
      return e.actors.some((a) => {
        const own = names.get(a);
        return own !== undefined && words.some((_, i) => speech.matchAt(words, i) !== null && words.slice(Math.max(0, i - 3), i).some((x) => own.includes(x)));
      });
    };
    const candidates = this.kb.data.events.filter((e) => e.actors.some((a) => actors.has(a)) && speaks(e));
    if (candidates.length === 0) return [];
    const ids = new Set(candidates.map((e) => e.id));
    const rest = mentions.filter((m) => !m.meanings.some((x) => x.type === 'form'));
    const best = this.bestEvent(rest, free, [], (id) => ids.has(id));
    // The speaker is certain; when the words do not single out one of their statements, all of them (newest first).
    return best ? [best.event, ...candidates.filter((e) => e !== best.event).slice(0, 2)] : [...candidates].reverse().slice(0, 3);
  }

  /** Statements by the people named (or matching the words), best first. */
  private statementsFor(people: Person[], organisations: Organisation[], mentions: Mention[], free: string[], reason: boolean): string[] {
    // Quotes are people's: "what did the junta say" is not answered with a minister's words.
    if (people.length === 0 && organisations.length > 0) return [];
    const units = this.units(mentions, free);
    const terms = unique(units.flatMap((u) => u.groups.flat()));
    const byPerson = this.kb.data.statements.filter((s) => people.some((p) => p.id === s.person));
    if (!reason && byPerson.length > 0) return byPerson.map((s) => s.id);
    const hits = this.index.search(terms, ['statement']).filter((h) => {
      const s = this.kb.data.statements.find((x) => x.id === h.id)!;
      const c = this.coverage(units, h);
      // A reason is a claim about cause: the statement must cover nearly all the question names, and what
      // happened in its own words (its context says where it was quoted, "a report on the withdrawal").
      return (
        (people.length === 0 || people.some((p) => p.id === s.person)) &&
        c.content &&
        c.share >= (reason ? 0.75 : 0.5) &&
        // (With no speaker named, the quote itself must say what is asked: "who demanded the withdrawal?" is
        // no quote whose context mentions one.)
        ((!reason && people.length > 0) || this.quoteCovers(units, s))
      );
    });
    return hits.map((h) => h.id);
  }

  /** Whether a quote's own words cover every concept and word of the question that says what happened. */
  private quoteCovers(units: Unit[], s: Statement): boolean {
    const words = new Set(tokenize(s.quote).map((w) => stem(w)));
    return units.filter((u) => u.content).every((u) => u.groups.some((g) => g.length > 0 && g.every((t) => words.has(t))));
  }

  /** A timeline topic from what the question names: a tag of the knowledge base, if one fits. */
  private topicOf(concepts: Concept[], troopCountries: string[], organisations: Organisation[]): string | undefined {
    for (const c of concepts) {
      if (c.timeline || c.troops) continue;
      for (const w of tokenize(c.means)) if (this.kb.isTag(w)) return w;
    }
    for (const o of organisations) if (o.acronym && this.kb.isTag(normalizeName(o.acronym))) return normalizeName(o.acronym);
    if (troopCountries.length === 1) {
      const tag = normalizeName(troopCountries[0]!).replace(/ /g, '-');
      if (this.kb.isTag(tag)) return tag;
    }
    return undefined;
  }
}

interface Unit {
  /** Stemmed terms: the unit is found when every term of one group is. */
  groups: string[][];
  /** More groups that cover the unit where an entry has them, though they are not searched for. */
  covers?: string[][];
  /** A word of the question that is no name or concept. */
  free?: boolean;
  /** How much the unit tells events apart (see KnowledgeIndex.eventWeight). */
  weight: number;
  /** More than a name: a concept or a word of the question ("left", "founded"). */
  content: boolean;
  /** A concept that says what happened ("reopen", "resign"): the thing a "when" asks the date of. */
  happening?: boolean;
  /** The people or organisations it names (any one of them, when the words name several). */
  entities?: string[];
  /** The country tags it names. */
  tags?: string[];
  places?: string[];
}

/** The mentions of a question, looked up by what they mean. */
class Found {
  readonly forms = new Set<QuestionForm>();

  constructor(private readonly mentions: Mention[]) {
    for (const m of mentions) for (const x of m.meanings) if (x.type === 'form') this.forms.add(x.form);
  }

  concepts(): Concept[] {
    return unique(this.all('concept').map((m) => m.concept));
  }

  all<T extends Meaning['type']>(type: T): Extract<Meaning, { type: T }>[] {
    return this.mentions.flatMap((m) => m.meanings.filter((x): x is Extract<Meaning, { type: T }> => x.type === type));
  }

  /** The form the question opens with ("when …", "how many …"), else the first one in it. */
  firstForm(): QuestionForm | undefined {
    for (const m of this.mentions) {
      // "ou" is "where" only where a question starts; inside one it is "or".
      if (m.start > 0 && m.meanings.some((x) => x.type === 'comparison')) continue;
      const f = m.meanings.find((x) => x.type === 'form');
      if (f && f.type === 'form' && f.form !== 'still') return f.form;
    }
    return undefined;
  }

  /** A relation word after the first word ("… when the ambassador left", "… avant le coup"). */
  relationAfterStart(): { relation: Relation; start: number; end: number } | undefined {
    for (const m of this.mentions) {
      if (m.start === 0) continue;
      const r = m.meanings.find((x) => x.type === 'relation');
      if (r && r.type === 'relation') return { relation: r.relation, start: m.start, end: m.end };
    }
    return undefined;
  }
}

/** Every name of a person, and each part of it long enough and no one else's ("Bazoum", "Itté"). */
function personNames(p: Person, people: Person[]): string[] {
  const full = [p.name, ...p.aliases];
  const parts = tokenize(p.name).filter((w) => w.length >= 4);
  const others = new Set(people.filter((o) => o !== p).flatMap((o) => [o.name, ...o.aliases].flatMap(tokenize)));
  return [...full, ...parts.filter((w) => !others.has(w) && !['president', 'general', 'ambassador', 'colonel'].includes(w))];
}

function unknownCountry(name: string): Country {
  return { id: normalizeName(name).replace(/ /g, '-'), name, iso: '', adjective: name, names: { en: [], fr: [], de: [] }, codes: [], aliases: [] };
}

/** What a clause can take from the one before it when it names none of its own: a country, a person, troops… */
function subjectKind(m: Meaning): string | undefined {
  if (m.type === 'country' || m.type === 'person' || m.type === 'organisation' || m.type === 'office') return m.type;
  if (m.type === 'concept' && (m.concept.troops || m.concept.office)) return `concept:${m.concept.id}`;
  return undefined;
}

/** Whether a concept says what happened, not what is counted, held, where, or over which span. */
function saysWhatHappened(c: Concept): boolean {
  return !c.troops && !c.office && !c['office-question'] && !c['role-question'] && !c.places && !c.timeline;
}

/** Whether a subject names who (a country, person, body, office) or what (troops, an office's work). */
function subjectRole(m: Meaning): 'who' | 'what' | undefined {
  const kind = subjectKind(m);
  return kind === undefined ? undefined : kind.startsWith('concept:') ? 'what' : 'who';
}

/**
 * A mention taken into the next clause, written so it is read the same there: by its name, since the words
 * as typed may mean it only in capitals ("US") or only in their own language.
 */
function borrowedText(m: Mention): string {
  const x = m.meanings[0]!;
  if (x.type === 'country') return x.country.name;
  if (x.type === 'person') return x.person.name;
  if (x.type === 'organisation') return x.organisation.acronym ?? x.organisation.name;
  return m.words.join(' ');
}

function escapePattern(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
}

/** A phrase that only shapes the question ("which came first", "did", "still"), naming nothing. */
function isComparison(m: Mention): boolean {
  return m.meanings.every((x) => x.type === 'comparison' || x.type === 'form' || x.type === 'yesno');
}

/** The words written with a capital, other than the first: names the bot may not know ("Issa Maïga"). */
function capitalised(text: string): Set<string> {
  const words = text.split(/\s+/).slice(1);
  return new Set(words.filter((w) => /^\p{Lu}/u.test(w)).flatMap(tokenize));
}

function freeBetween(tokens: string[], free: string[], from: number, to: number): string[] {
  const window = new Set(tokens.slice(from, to));
  return free.filter((w) => window.has(w));
}

/**
 * Edit distance where swapping two neighbouring letters is one typo, as it is when people type ("germna",
 * "soldeirs"); otherwise Levenshtein's.
 */
export function typoDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

function meaningKey(m: Meaning): string {
  switch (m.type) {
    case 'country':
      return `country:${m.country.id}`;
    case 'person':
      return `person:${m.person.id}`;
    case 'organisation':
      return `organisation:${m.organisation.id}`;
    case 'place':
      return `place:${m.place.id}`;
    case 'office':
      return `office:${m.office.id}`;
    case 'concept':
      return `concept:${m.concept.id}`;
    case 'scope':
      return `scope:${m.scope.reason}`;
    case 'form':
      return `form:${m.form}`;
    case 'relation':
      return `relation:${m.relation}`;
    default:
      return m.type;
  }
}

function sameMeaning(a: Meaning, b: Meaning): boolean {
  return meaningKey(a) === meaningKey(b);
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
