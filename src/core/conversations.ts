import type { KnowledgeBase } from '../knowledge/kb.ts';
import { LANGUAGES } from '../knowledge/lexicon.ts';
import { normalizeName } from '../knowledge/kb.ts';
import { optionSpecs, type CommandDefinition } from './command.ts';
import { extractKind } from './option-kinds.ts';

/** The command last answered in a conversation, as it ran: what a follow-up there is read against. */
export interface ConversationTurn {
  path: string;
  options: Record<string, string>;
  /** The language it was answered in (a question in French keeps its follow-ups in French). */
  lang: string;
  /** The words it was asked with: a follow-up may repeat some of them ("and how many soldiers in 2024?"). */
  text: string;
}

export interface ConversationMemoryOptions {
  /** Conversations remembered; the least recently used go first beyond it. */
  maxSize?: number;
  /** How long after its last answer a conversation is still remembered. */
  ttlMs?: number;
}

export const DEFAULT_CONVERSATIONS = 10_000;
/** A thread left for a day is a new conversation: its context may no longer be what the reader has in mind. */
export const DEFAULT_CONVERSATION_TTL_MS = 24 * 60 * 60_000;

/**
 * The last turn of each conversation (a Slack thread, keyed by the adapter), in this process's memory: an LRU
 * with a TTL. A follow-up that reaches another instance, or arrives after a restart, is answered on its own.
 */
export class ConversationMemory {
  private readonly turns = new Map<string, { turn: ConversationTurn; at: number }>();
  private readonly maxSize: number;
  private readonly ttlMs: number;

  constructor(options: ConversationMemoryOptions = {}) {
    this.maxSize = options.maxSize ?? DEFAULT_CONVERSATIONS;
    this.ttlMs = options.ttlMs ?? DEFAULT_CONVERSATION_TTL_MS;
  }

  get(key: string, now: number): ConversationTurn | undefined {
    const held = this.turns.get(key);
    if (!held) return undefined;
    if (now - held.at > this.ttlMs) {
      this.turns.delete(key);
      return undefined;
    }
    // Used: it moves to the end of the Map's order, the most recently used.
    this.turns.delete(key);
    this.turns.set(key, held);
    return held.turn;
  }

  set(key: string, turn: ConversationTurn, now: number): void {
    // Re-inserted so the Map's order is the order of use: the first key is the least recently used.
    this.turns.delete(key);
    this.turns.set(key, { turn, at: now });
    while (this.turns.size > this.maxSize) this.turns.delete(this.turns.keys().next().value!);
  }

  get size(): number {
    return this.turns.size;
  }
}

/**
 * A follow-up is short ("and in 2024?", "what about the Germans in July?"): longer text is a question of its own,
 * and is never scanned for a country phrase by phrase (every message of a thread may come through here).
 */
export const MAX_FOLLOW_UP_CHARS = 120;

/** The kinds a follow-up may change: "and in 2024?", "what about Germany?". */
const MERGED_KINDS = ['date', 'country'] as const;

/**
 * A follow-up read against the conversation's last turn: its date and country put into that command's options.
 * Undefined when the follow-up brings neither, the command takes neither, or it says more than they and small words
 * (`strict`), or than they, small words and the last question's own words (not strict: when it was not understood
 * alone). One option of each kind only: a command with two dates (a timeline's from and to) is not guessed at.
 */
export function mergeFollowUp(
  text: string,
  turn: ConversationTurn,
  def: CommandDefinition,
  kb: KnowledgeBase,
  now: Date,
  strict: boolean,
): Record<string, string> | undefined {
  if (text.length > MAX_FOLLOW_UP_CHARS) return undefined;
  const specs = optionSpecs(def.options);
  let rest = text
    .replace(/[?!.,;:¿¡]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const merged = { ...turn.options };
  let changed = false;
  for (const kind of MERGED_KINDS) {
    const of = specs.filter((s) => s.kind === kind);
    if (of.length !== 1 || !rest) continue;
    const found = extractKind(kind, rest, kb, now);
    if (!found) continue;
    merged[of[0]!.name] = kind === 'date' ? withoutLocative(found.value, kb) : found.value;
    rest = found.rest;
    changed = true;
  }
  if (!changed) return undefined;
  const allowed = smallWords(kb);
  const earlier = strict ? new Set<string>() : new Set(words(turn.text));
  return words(rest).every((w) => allowed.has(w) || earlier.has(w)) ? merged : undefined;
}

/** "in 2024" → "2024", "en septembre 2023" → "septembre 2023": the date as the merged command shows it. */
function withoutLocative(value: string, kb: KnowledgeBase): string {
  const [first = '', ...rest] = value.split(' ');
  const locatives = new Set(LANGUAGES.flatMap((l) => kb.questions.lexicon.languages[l].locatives.filter((w) => !w.includes(' '))));
  return rest.length && locatives.has(first.toLowerCase()) ? rest.join(' ') : value;
}

function words(text: string): string[] {
  return normalizeName(text).split(' ').filter(Boolean);
}

const smallWordsOf = new WeakMap<KnowledgeBase, Set<string>>();

/** The stopwords of every language the lexicon has ("and", "about", "et", "und"), normalised as names are. */
function smallWords(kb: KnowledgeBase): Set<string> {
  let set = smallWordsOf.get(kb);
  if (!set) {
    set = new Set(LANGUAGES.flatMap((l) => kb.questions.lexicon.languages[l].stopwords.flatMap(words)));
    smallWordsOf.set(kb, set);
  }
  return set;
}
