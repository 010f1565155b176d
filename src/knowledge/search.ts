import MiniSearch, { type SearchResult } from 'minisearch';
import type { KnowledgeBase } from './kb.ts';
import { stem, tokenize, LANGUAGES, type Language } from './lexicon.ts';

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
  /** The title and text in other languages, as `title:fr`, `text:de` (data/translations). */
  [translated: `${'title' | 'text'}:${string}`]: string;
}

/** The language a field is written in: `text:fr` is French, the others are the English of data/. */
function fieldLanguage(field: string): Language {
  const lang = field.split(':')[1] as Language | undefined;
  return lang && LANGUAGES.includes(lang) ? lang : 'en';
}


/**
 * A full-text index over what the bot knows, built once when the knowledge base loads (MiniSearch: small,
 * no dependencies, BM25 with field boosts, prefix and typo-tolerant matching, and our own term processing,
 * so the same stemmer reads the data and the questions).
 */
export class KnowledgeIndex {
  private readonly index: MiniSearch<IndexedEntry>;

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

  /**
   * The index holds every entry's text in each language the knowledge base has (data/translations), each
   * stemmed in its own language, so a French question's own words find the French text of an entry.
   */
  constructor(kb: KnowledgeBase, stopwords: Readonly<Record<Language, ReadonlySet<string>>>) {
    // Stems of the knowledge base's words; one-letter and small common words carry nothing.
    const processTerm = (term: string, field?: string): string | null => {
      const lang = fieldLanguage(field ?? '');
      return term.length < 2 || stopwords[lang].has(term) ? null : stem(term, lang);
    };
    const translated = kb.textLanguages().filter((l): l is Language => l !== 'en' && LANGUAGES.includes(l as Language));
    const fields = ['title', 'names', 'tags', 'text', ...translated.flatMap((l) => [`title:${l}`, `text:${l}`])];
    const boost: Record<string, number> = { title: 3, names: 2.5, tags: 1.5, text: 1 };
    for (const l of translated) Object.assign(boost, { [`title:${l}`]: 3, [`text:${l}`]: 1 });
    this.index = new MiniSearch<IndexedEntry>({
      idField: 'key',
      fields,
      storeFields: ['kind', 'id'],
      tokenize,
      processTerm,
      searchOptions: { boost, processTerm },
    });
    const entries = [...entriesOf(kb, translated)];
    this.index.addAll(entries);
    const termsOf = (e: IndexedEntry) =>
      new Set(fields.flatMap((f) => tokenize(e[f as keyof IndexedEntry] ?? '').map((t) => processTerm(t, f))).filter((t): t is string => t !== null));
    for (const e of entries) for (const t of termsOf(e)) this.vocabulary.add(t);
    const events = entries.filter((e) => e.kind === 'event');
    this.eventCount = events.length;
    for (const e of events) {
      const terms = termsOf(e);
      for (const t of terms) this.eventFrequency.set(t, (this.eventFrequency.get(t) ?? 0) + 1);
      this.eventTerms.set(e.id, terms);
    }
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

function* entriesOf(kb: KnowledgeBase, languages: readonly Language[]): Generator<IndexedEntry> {
  const nameOf = (id: string) => kb.peopleById.get(id)?.name ?? kb.organisationsById.get(id)?.name ?? '';
  const placeName = (id: string) => kb.placesById.get(id)?.name ?? '';
  /** The translated title and text of an entry, for the `title:<lang>` and `text:<lang>` fields. */
  const translations = (title: (lang: Language) => string | undefined, text: (lang: Language) => string | undefined) =>
    Object.fromEntries(languages.flatMap((l) => [[`title:${l}`, title(l) ?? ''], [`text:${l}`, text(l) ?? '']])) as Record<`${'title' | 'text'}:${string}`, string>;
  for (const e of kb.data.events) {
    const local = (l: Language) => kb.localized('events', e, l);
    yield {
      key: `event:${e.id}`,
      kind: 'event',
      id: e.id,
      title: e.title,
      names: [...e.actors.map(nameOf), ...e.places.map(placeName)].join(' '),
      tags: e.tags.join(' ').replace(/-/g, ' '),
      text: e.summary,
      ...translations((l) => (local(l).title === e.title ? undefined : local(l).title), (l) => (local(l).summary === e.summary ? undefined : local(l).summary)),
    };
  }
  for (const s of kb.data.statements) {
    const local = (l: Language) => kb.localized('statements', s, l);
    yield {
      key: `statement:${s.id}`,
      kind: 'statement',
      id: s.id,
      title: s.quote,
      names: nameOf(s.person),
      tags: s.tags.join(' '),
      text: s.context,
      ...translations((l) => kb.quoteTranslation(s, l), (l) => (local(l).context === s.context ? undefined : local(l).context)),
    };
  }
  for (const p of kb.data.people) {
    const local = (l: Language) => kb.localized('people', p, l);
    const text = `${p.role} ${p.summary}`;
    yield {
      key: `person:${p.id}`,
      kind: 'person',
      id: p.id,
      title: p.name,
      names: p.aliases.join(' '),
      tags: '',
      text,
      ...translations(() => undefined, (l) => (local(l) === p ? undefined : `${local(l).role} ${local(l).summary}`)),
    };
  }
  for (const o of kb.organisations()) {
    const local = (l: Language) => kb.localized('organisations', o, l);
    yield {
      key: `organisation:${o.id}`,
      kind: 'organisation',
      id: o.id,
      title: o.name,
      names: [o.acronym ?? '', ...Object.values(o.names).flat()].join(' '),
      tags: o.kind,
      text: o.description,
      ...translations(() => undefined, (l) => (local(l) === o ? undefined : `${local(l).kind} ${local(l).description}`)),
    };
  }
  for (const p of kb.data.places) {
    const local = (l: Language) => kb.localized('places', p, l);
    yield {
      key: `place:${p.id}`,
      kind: 'place',
      id: p.id,
      title: p.name,
      names: p.aliases.join(' '),
      tags: p.kind,
      text: p.summary,
      ...translations(() => undefined, (l) => (local(l) === p ? undefined : `${local(l).kind} ${local(l).summary}`)),
    };
  }
}
