import { distance } from 'fastest-levenshtein';
import { DateParseError, findDate } from './dates.ts';
import { normalizeName, type KnowledgeBase } from './kb.ts';
import type { Person, Place } from './schema.ts';
import { BoundedMemo } from './memo.ts';

export type Intent = 'troops' | 'ruler' | 'timeline' | 'places' | 'who' | 'sources' | 'help';

export interface QuestionAnalysis {
  intent: Intent | null;
  /** Why the bot declines, when it does. */
  decline?: string;
  country?: string;
  /** Date text found in the question, passed on as the date option. */
  date?: string;
  person?: Person;
  place?: Place;
  topic?: string;
}

/** Keywords per intent with weights. Matching tolerates small typos on longer words. */
const KEYWORDS: Record<Exclude<Intent, 'who'>, Record<string, number>> = {
  troops: {
    troops: 3, troop: 3, soldiers: 3, soldier: 3, forces: 2, force: 1, military: 1, personnel: 2, servicemen: 3,
    deployed: 2, deployment: 2, presence: 1, army: 1, garrison: 2, contingent: 2, boots: 1, bundeswehr: 2,
    left: 1, remain: 1, remaining: 1, stationed: 1, many: 1, number: 1, count: 1, headcount: 3,
  },
  ruler: {
    rules: 3, ruled: 3, ruler: 3, rule: 2, ruling: 2, leader: 3, leads: 2, led: 2, president: 2, head: 1, state: 1,
    power: 2, charge: 2, governs: 3, governed: 3, government: 1, junta: 1, runs: 2, running: 1, control: 1, controls: 2,
    leading: 2, presidency: 2,
  },
  timeline: {
    timeline: 4, happened: 3, events: 3, chronology: 4, history: 2, news: 2, latest: 1, recent: 1, developments: 3,
    going: 1, happening: 3, summary: 1, summarize: 2, recap: 3, overview: 2,
  },
  places: {
    where: 2, base: 3, bases: 3, stationed: 2, located: 2, based: 2, camp: 2, airbase: 3, location: 2, locations: 2, sites: 2, site: 1,
    map: 2, coordinates: 3,
  },
  sources: { sources: 4, source: 3, cite: 3, citations: 3, references: 3, reference: 2 },
  help: { help: 4, commands: 3, command: 2, usage: 3 },
};

/** Asked things the knowledge base does not hold: answering them with a troop count would be a guess. */
const OUT_OF_SCOPE = /\b(died|dead|killed|kill|casualt\w*|wounded|injured|deaths|cost|costs|money|budget|salary|paid|gdp|economy|population|weather|temperature|election results?|score|world cup|bitcoin|stock|price)\b/;

const DEMONYM_HINT = /^(\w+)(ian|ans|ese|ish|ans|an|i|ch)$/;

const REGION_CODES = new Map<string, string>();
const REGION_NAMES: string[] = (() => {
  const names: string[] = [];
  const display = new Intl.DisplayNames(['en'], { type: 'region' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      try {
        const name = display.of(code);
        if (name && name !== code) {
          names.push(normalizeName(name));
          REGION_CODES.set(code, normalizeName(name));
        }
      } catch {
        // not a region code
      }
    }
  }
  return names;
})();

/**
 * Where each region name first appears in REGION_NAMES. unknownCountry reports the region that comes first
 * in that list, so looking up the question's phrases here gives the same answer as scanning the whole list.
 */
const REGION_RANK = new Map<string, number>();
REGION_NAMES.forEach((name, rank) => {
  if (!REGION_RANK.has(name)) REGION_RANK.set(name, rank);
});

/** The first words of region names ("united", "united arab"): a phrase not among them cannot grow into one. */
const REGION_PREFIXES = new Set(
  REGION_NAMES.flatMap((name) => name.split(' ').map((_, i, parts) => parts.slice(0, i + 1).join(' '))),
);

/** The first region (other than Niger) starting with each four-letter stem, for the demonym test. */
const REGION_BY_STEM = new Map<string, string>();
for (const name of REGION_NAMES) {
  const stem = name.slice(0, 4);
  if (name !== 'niger' && stem.length === 4 && !REGION_BY_STEM.has(stem)) REGION_BY_STEM.set(stem, name);
}

/** The capitalised codes that name a country only when written in capitals. */
const CAPITALS_ONLY = new Map(['us', 'it', 'de', 'fr'].map((word) => [word, new RegExp(`\\b${word.toUpperCase()}\\b`)]));

function words(text: string): string[] {
  return normalizeName(text).split(' ').filter(Boolean);
}

function matches(word: string, keyword: string): boolean {
  if (word === keyword) return true;
  if (keyword.length < 5 || Math.abs(word.length - keyword.length) > 2) return false;
  return distance(word, keyword) <= (keyword.length >= 7 ? 2 : 1);
}

type ScoredIntent = keyof typeof KEYWORDS;
const SCORED_INTENTS = Object.keys(KEYWORDS) as ScoredIntent[];

interface KeywordHit {
  intent: ScoredIntent;
  keyword: string;
  weight: number;
}

const KEYWORD_LIST: readonly KeywordHit[] = SCORED_INTENTS.flatMap((intent) =>
  Object.entries(KEYWORDS[intent]).map(([keyword, weight]) => ({ intent, keyword, weight })),
);

const hitsByWord = new BoundedMemo<string, readonly KeywordHit[]>(20_000);

/**
 * The keywords one word matches, typos included. Memoised per word: questions reuse a small vocabulary,
 * and the fuzzy comparison against every keyword was the most expensive part of analysing a question.
 */
function keywordHits(word: string): readonly KeywordHit[] {
  return hitsByWord.get(word, (w) => KEYWORD_LIST.filter((k) => matches(w, k.keyword)));
}

/** Per intent, the summed weights of its keywords that some word matches (each keyword counts once). */
function keywordScores(ws: string[]): Record<ScoredIntent, number> {
  const scores: Record<ScoredIntent, number> = { troops: 0, ruler: 0, timeline: 0, places: 0, sources: 0, help: 0 };
  const counted = new Set<KeywordHit>();
  for (const w of ws) {
    for (const hit of keywordHits(w)) {
      if (counted.has(hit)) continue;
      counted.add(hit);
      scores[hit.intent] += hit.weight;
    }
  }
  return scores;
}

/** A country named in the text that the knowledge base has no figures for ("Russian troops", "in Mali"). */
function unknownCountry(ws: string[], original: string, kb: KnowledgeBase): string | null {
  // A region named by a run of words; of several, the one listed first in REGION_NAMES.
  let firstRank = Infinity;
  for (let i = 0; i < ws.length; i++) {
    let phrase = ws[i]!;
    for (let next = i + 1; REGION_PREFIXES.has(phrase); next++) {
      const rank = REGION_RANK.get(phrase);
      if (rank !== undefined && rank < firstRank && phrase !== 'niger' && !kb.resolveCountry(phrase)) firstRank = rank;
      if (next === ws.length) break;
      phrase = `${phrase} ${ws[next]}`;
    }
  }
  if (firstRank !== Infinity) return REGION_NAMES[firstRank]!;
  for (const code of original.match(/\b[A-Z]{2,3}\b/g) ?? []) {
    if (kb.resolveCountry(code) || code === 'NE') continue;
    if (code === 'UK') return 'united kingdom';
    if (REGION_CODES.has(code)) return REGION_CODES.get(code)!;
  }
  for (const w of ws) {
    if (w.length < 4 || /^nig(er|erien|eriens)$/.test(w) || kb.resolveCountry(w)) continue;
    if (REGION_RANK.has(w)) return w;
    if (DEMONYM_HINT.test(w)) {
      const hit = REGION_BY_STEM.get(w.slice(0, 4));
      if (hit && !KNOWN_WORDS.has(w)) return hit;
    }
  }
  return null;
}

/** Ordinary words that look like demonyms to the stem test above. */
const KNOWN_WORDS = new Set([
  'american', 'italian', 'german', 'french', 'president', 'presidential', 'transition', 'coalition', 'civilian', 'guardian',
  'african', 'union', 'sahelian', 'military', 'ministry', 'human', 'embassy', 'junta',
  'interim', 'partial', 'official', 'between', 'million', 'billion', 'muslim', 'christian', 'ecowas',
  'general', 'soldiers', 'international', 'withdrawal', 'national', 'colonial', 'capital', 'regional', 'special',
  'european', 'western', 'central', 'southern', 'northern', 'eastern', 'armed', 'agadez', 'anti', 'this', 'than',
  'then', 'when', 'which', 'much', 'such', 'each', 'tell', 'many', 'main', 'mean', 'plan', 'ban', 'man', 'women',
]);

/** Recognises what a free-text question asks: which topic, which country, which date. Never guesses. */
export function analyzeQuestion(question: string, kb: KnowledgeBase, now: Date): QuestionAnalysis {
  const ws = words(question);
  const text = ws.join(' ');
  const result: QuestionAnalysis = { intent: null };
  if (ws.length === 0) return { intent: 'help' };

  try {
    const found = findDate(question, now, kb.anchorSpans);
    if (found) result.date = found.matched;
  } catch (err) {
    if (!(err instanceof DateParseError)) throw err;
    result.date = err.input;
  }

  for (let len = 3; len >= 1 && !result.country; len--) {
    for (let i = 0; i + len <= ws.length; i++) {
      const phrase = len === 1 ? ws[i]! : len === 2 ? `${ws[i]} ${ws[i + 1]}` : `${ws[i]} ${ws[i + 1]} ${ws[i + 2]}`;
      const capitals = len === 1 ? CAPITALS_ONLY.get(phrase) : undefined;
      // "us" and "it" are ordinary words; only "US" in capitals names the country.
      if (capitals && !capitals.test(question)) continue;
      const c = kb.resolveCountry(phrase);
      if (c) {
        result.country = c;
        break;
      }
    }
  }

  const scores = keywordScores(ws);

  // "who is X" / "who was X": a person lookup when X is someone we know and nothing else is asked.
  const whoIs = /^(who|what) (is|was|s) (.+)$/.exec(text) ?? /^(tell me about|who s) (.+)$/.exec(text);
  const personText = whoIs ? whoIs[whoIs.length - 1]! : null;
  for (const w of personText ? [personText] : ws.filter((w) => w.length >= 4)) {
    const p = kb.resolvePerson(w);
    if (p) {
      result.person = p;
      break;
    }
  }
  const place = kb.findPlaceIn(text);
  if (place) result.place = place;
  const topicWord = ws.find((w) => w.length >= 3 && kb.isTag(w) && !['france', 'junta', 'troops'].includes(w));
  if (topicWord) result.topic = topicWord;

  if (OUT_OF_SCOPE.test(text)) {
    return { ...result, intent: null, decline: 'The knowledge base holds no sourced figures on that.' };
  }

  if (personText && result.person && scores.ruler < 3 && scores.troops < 3) return { ...result, intent: 'who' };
  if (scores.help >= 4 && ws.length <= 6) return { ...result, intent: 'help' };
  if (scores.sources >= 3 && scores.troops < 3 && scores.ruler < 3) return { ...result, intent: 'sources' };

  if (/^where\b/.test(text) && scores.places >= 2) return { ...result, intent: 'places' };
  const troopTopic = scores.troops >= 3 || (scores.troops >= 2 && (/\bhow many\b/.test(text) || result.country !== undefined));
  if (troopTopic && scores.troops >= scores.ruler && !(scores.places > scores.troops && !/\bhow many\b/.test(text))) {
    const other = unknownCountry(ws, question, kb);
    if (other && !result.country) {
      return { ...result, intent: null, decline: `I have no troop figures for ${titleCase(other)}.` };
    }
    const host = /\bin (?:the )?([a-z]+(?: [a-z]+)?)\b/.exec(text);
    if (host) {
      const h = host[1]!.split(' ')[0]!;
      if (REGION_RANK.has(h) && h !== 'niger' && !kb.resolveCountry(h)) {
        return { ...result, intent: null, decline: `I only track foreign forces in Niger, not in ${titleCase(h)}.` };
      }
    }
    return { ...result, intent: 'troops' };
  }
  if (scores.ruler >= 3 || (scores.ruler >= 2 && /^who\b/.test(text))) return { ...result, intent: 'ruler' };
  if (scores.places >= 3 || (scores.places >= 2 && (result.place || /\b(french|foreign|us|american|german|italian)\b/.test(text)))) {
    return { ...result, intent: 'places' };
  }
  if (scores.timeline >= 3 || (result.topic && /^(what|when)\b/.test(text))) return { ...result, intent: 'timeline' };
  if (result.person && ws.length <= 4) return { ...result, intent: 'who' };
  return result;
}

function titleCase(s: string): string {
  return s.replace(/\b\w/g, (c) => c.toUpperCase());
}
