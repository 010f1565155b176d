import MiniSearch from 'minisearch';
import type { KnowledgeBase } from './kb.ts';
import { stem, tokenize } from './lexicon.ts';

/** The kinds of entry the index holds. Troop figures and office terms are reached through their entities. */
export type EntryKind = 'event' | 'statement' | 'person' | 'organisation' | 'place';

export interface SearchHit {
  kind: EntryKind;
  id: string;
  score: number;
  /** The stemmed query terms this entry matched (exactly, by prefix or with a typo). */
  matched: Set<string>;
}

interface IndexedEntry {
  key: string;
  kind: EntryKind;
  id: string;
  title: string;
  names: string;
  tags: string;
  text: string;
}

/**
 * A full-text index over what the bot knows, built once when the knowledge base loads (MiniSearch: small,
 * no dependencies, BM25 with field boosts, prefix and typo-tolerant matching, and our own term processing,
 * so the same stemmer reads the data and the questions).
 */
export class KnowledgeIndex {
  /**
   * Built by the first search, not at load: indexing every entry was ~40 ms of each start, and questions about
   * troops and office holders (the most asked) never search; knows() and the event weights need only the terms.
   */
  private built: MiniSearch<IndexedEntry> | undefined;
  private readonly entries: IndexedEntry[];
  private readonly processTerm: (term: string) => string | null;

  /** Per stemmed term, how many events use it: rare words tell events apart, common ones do not. */
  private readonly eventFrequency = new Map<string, number>();
  private readonly eventCount: number;
  /** Per event, the stemmed terms it uses. */
  private readonly eventTerms = new Map<string, Set<string>>();

  /**
   * Per stemmed term, its BM25 score in each entry that uses it, as MiniSearch scores a one-term query: the
   * knowledge base does not change while the bot runs, so a question's search is a sum over these lists.
   * Each term's list is taken from MiniSearch the first time a question uses the term.
   */
  private readonly postings = new Map<string, { kind: EntryKind; id: string; score: number }[]>();
  /** Every stemmed term some entry uses. */
  private readonly vocabulary = new Set<string>();

  constructor(kb: KnowledgeBase, stopwords: ReadonlySet<string>) {
    // English stems of the knowledge base's words; one-letter and small common words carry nothing.
    const processTerm = (term: string): string | null => (term.length < 2 || stopwords.has(term) ? null : stem(term, 'en'));
    this.processTerm = processTerm;
    const entries = [...entriesOf(kb)];
    this.entries = entries;
    for (const e of entries) {
      for (const t of tokenize(`${e.title} ${e.names} ${e.tags} ${e.text}`)) {
        const term = processTerm(t);
        if (term !== null) this.vocabulary.add(term);
      }
    }
    const events = entries.filter((e) => e.kind === 'event');
    this.eventCount = events.length;
    for (const e of events) {
      const terms = new Set(
        tokenize(`${e.title} ${e.names} ${e.tags} ${e.text}`)
          .map(processTerm)
          .filter((t): t is string => t !== null),
      );
      for (const t of terms) this.eventFrequency.set(t, (this.eventFrequency.get(t) ?? 0) + 1);
      this.eventTerms.set(e.id, terms);
    }
  }

  private get index(): MiniSearch<IndexedEntry> {
    if (this.built) return this.built;
    const processTerm = this.processTerm;
    this.built = new MiniSearch<IndexedEntry>({
      idField: 'key',
      fields: ['title', 'names', 'tags', 'text'],
      storeFields: ['kind', 'id'],
      tokenize,
      processTerm,
      searchOptions: { boost: { title: 3, names: 2.5, tags: 1.5, text: 1 }, processTerm },
    });
    this.built.addAll(this.entries);
    return this.built;
  }

  /** Whether any entry (event, person, organisation, place, statement) uses the stemmed term. */
  knows(term: string): boolean {
    return this.vocabulary.has(term);
  }

  /** The entries that use the term, with its score in each. */
  private postingsOf(term: string): { kind: EntryKind; id: string; score: number }[] {
    if (!this.vocabulary.has(term)) return [];
    let list = this.postings.get(term);
    if (!list) {
      list = this.index.search(term, { processTerm: (t) => t }).map((h) => ({ kind: h.kind as EntryKind, id: h.id as string, score: h.score }));
      this.postings.set(term, list);
    }
    return list;
  }

  /** Whether the event uses the stemmed term (in its title, names, tags or summary). */
  eventUses(eventId: string, term: string): boolean {
    return this.eventTerms.get(eventId)?.has(term) ?? false;
  }

  /** How much a term tells events apart (inverse document frequency); 0 for a term no event uses. */
  eventWeight(term: string): number {
    const df = this.eventFrequency.get(term);
    return df ? Math.log(1 + this.eventCount / df) : 0;
  }

  /**
   * Entries matching any of the terms (OR), best first. `terms` are already stemmed, and typos were put right
   * before (QuestionReader), so terms match exactly: a prefix would let "minister" find "ministry".
   */
  search(terms: string[], kinds?: readonly EntryKind[], boost?: (kind: EntryKind, id: string) => number): SearchHit[] {
    // MiniSearch's OR query, from the one-term scores: the sum of each term's score (a term given twice counts
    // twice), times the entry's boost, times how many of the terms it matched.
    const found = new Map<string, SearchHit>();
    for (const term of terms) {
      for (const p of this.postingsOf(term)) {
        if (kinds && !kinds.includes(p.kind)) continue;
        const key = `${p.kind}:${p.id}`;
        const hit = found.get(key);
        if (hit) {
          hit.score += p.score;
          hit.matched.add(term);
        } else found.set(key, { kind: p.kind, id: p.id, score: p.score, matched: new Set([term]) });
      }
    }
    const hits = [...found.values()];
    for (const h of hits) h.score *= (boost ? boost(h.kind, h.id) : 1) * h.matched.size;
    return hits.sort((a, b) => b.score - a.score);
  }
}

function* entriesOf(kb: KnowledgeBase): Generator<IndexedEntry> {
  const nameOf = (id: string) => kb.peopleById.get(id)?.name ?? kb.organisationsById.get(id)?.name ?? '';
  const placeName = (id: string) => kb.placesById.get(id)?.name ?? '';
  for (const e of kb.data.events) {
    yield {
      key: `event:${e.id}`,
      kind: 'event',
      id: e.id,
      title: e.title,
      names: [...e.actors.map(nameOf), ...e.places.map(placeName)].join(' '),
      tags: e.tags.join(' ').replace(/-/g, ' '),
      text: e.summary,
    };
  }
  for (const s of kb.data.statements) {
    yield {
      key: `statement:${s.id}`,
      kind: 'statement',
      id: s.id,
      title: s.quote,
      names: nameOf(s.person),
      tags: s.tags.join(' '),
      text: s.context,
    };
  }
  for (const p of kb.data.people) {
    yield { key: `person:${p.id}`, kind: 'person', id: p.id, title: p.name, names: p.aliases.join(' '), tags: '', text: `${p.role} ${p.summary}` };
  }
  for (const o of kb.organisations()) {
    yield {
      key: `organisation:${o.id}`,
      kind: 'organisation',
      id: o.id,
      title: o.name,
      names: [o.acronym ?? '', ...Object.values(o.names).flat()].join(' '),
      tags: o.kind,
      text: o.description,
    };
  }
  for (const p of kb.data.places) {
    yield { key: `place:${p.id}`, kind: 'place', id: p.id, title: p.name, names: p.aliases.join(' '), tags: p.kind, text: p.summary };
  }
}
