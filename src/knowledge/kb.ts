import { distance } from 'fastest-levenshtein';
import { loadKnowledgeData, DEFAULT_DATA_DIR, type KnowledgeData } from './load.ts';
import type { Anchor, Deployment, KbEvent, Person, Place, RulerTerm, Source } from './schema.ts';
import type { AnchorSpan, DateQuery } from './dates.ts';
import { BoundedMemo } from './memo.ts';

/** How old the newest source on a topic may be before answers warn that it may be out of date. */
export const STALE_AFTER_DAYS = 180;

export interface Citation {
  sourceId: string;
  title: string;
  publisher: string;
  published: string;
  url?: string;
}

export interface TroopsAtResult {
  country: string;
  /** The figure in force at the start of the period (null: none reported that early). */
  inForce: Deployment | null;
  /** Figures reported inside the period, oldest first (excluding inForce). */
  during: Deployment[];
  /** The first figure after the period, when the period has none (shows what is known). */
  next: Deployment | null;
  /** A later figure exists: the answer is historical, not current. */
  superseded: boolean;
}

export interface TimelineFilter {
  from?: string;
  to?: string;
  topic?: string;
  actor?: string;
  order?: 'newest' | 'oldest';
  limit?: number;
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
}

const normalized = new BoundedMemo<string, string>(20_000);

/** Lower case, no accents or punctuation. Memoised: the same names are normalised on every query. */
export function normalizeName(s: string): string {
  return normalized.get(s, normalizeUncached);
}

function normalizeUncached(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Country names users type, mapped to the names the data uses. */
const COUNTRY_ALIASES: Record<string, string> = {
  france: 'France',
  french: 'France',
  fr: 'France',
  paris: 'France',
  'united states': 'United States',
  'united states of america': 'United States',
  us: 'United States',
  usa: 'United States',
  america: 'United States',
  american: 'United States',
  americans: 'United States',
  germany: 'Germany',
  german: 'Germany',
  germans: 'Germany',
  bundeswehr: 'Germany',
  de: 'Germany',
  italy: 'Italy',
  italian: 'Italy',
  italians: 'Italy',
  it: 'Italy',
};

export class KnowledgeBase {
  readonly sourcesById: Map<string, Source>;
  readonly peopleById: Map<string, Person>;
  readonly placesById: Map<string, Place>;
  readonly eventsById: Map<string, KbEvent>;
  /** Deployments by country, sorted by the date their figure holds for. */
  private readonly deploymentsByCountry: Map<string, Deployment[]>;
  private readonly rulersByStart: RulerTerm[];
  private readonly eventsByDate: KbEvent[];
  readonly anchorSpans: AnchorSpan[];

  constructor(readonly data: KnowledgeData) {
    this.sourcesById = new Map(data.sources.map((s) => [s.id, s]));
    this.peopleById = new Map(data.people.map((p) => [p.id, p]));
    this.placesById = new Map(data.places.map((p) => [p.id, p]));
    this.eventsById = new Map(data.events.map((e) => [e.id, e]));
    this.deploymentsByCountry = new Map();
    for (const d of [...data.deployments].sort((a, b) => a.asOf.start.localeCompare(b.asOf.start))) {
      const list = this.deploymentsByCountry.get(d.country) ?? [];
      list.push(d);
      this.deploymentsByCountry.set(d.country, list);
    }
    this.rulersByStart = [...data.rulers].sort((a, b) => a.start.start.localeCompare(b.start.start));
    this.eventsByDate = [...data.events].sort(
      (a, b) => a.date.start.localeCompare(b.date.start) || a.id.localeCompare(b.id),
    );
    this.anchorSpans = data.anchors.map((a) => this.anchorSpan(a));
    this.sourceHaystack = new Map(data.sources.map((s) => [s.id, normalizeName(`${s.publisher} ${s.title} ${s.url ?? ''}`)]));
    this.tagList = [...new Set(data.events.flatMap((e) => e.tags))].sort();
    this.tagSet = new Set(this.tagList);
    this.personNames = data.people.map((person) => ({
      person,
      names: [person.name, ...person.aliases, person.id.replace(/-/g, ' ')].map((n) => {
        const full = normalizeName(n);
        return { full, parts: full.split(' ') };
      }),
    }));
    this.placeNames = data.places.flatMap((place) =>
      [place.name, ...place.aliases, ...place.name.split(',').slice(1)]
        .map(normalizeName)
        .filter(Boolean)
        .map((name) => ({ place, name, padded: ` ${name} `, fuzzy: !name.includes(' ') && name.length >= 5 })),
    );
    this.fuzzyPlaceNames = this.placeNames.filter((p) => p.fuzzy).map((p) => p.name);
  }

  private readonly tagList: string[];
  private readonly tagSet: Set<string>;
  /**
   * Every place's names and aliases as findPlaceIn compares them, in data order; `fuzzy` marks the
   * one-word names long enough to be matched with a typo.
   */
  private readonly placeNames: { place: Place; name: string; padded: string; fuzzy: boolean }[];
  private readonly fuzzyPlaceNames: string[];
  /** Per word of user text, the fuzzy place names it is within one typo of (the same words recur). */
  private readonly nearPlaceNameMemo = new BoundedMemo<string, readonly string[]>(10_000);
  private readonly placeMemo = new BoundedMemo<string, Place | null>(10_000);
  private readonly personNames: { person: Person; names: { full: string; parts: string[] }[] }[];
  /** Lookups by user text repeat a lot (autocomplete, ask); small memo tables keep them cheap. */
  private readonly personMemo = new BoundedMemo<string, Person | null>(10_000);
  private readonly countryMemo = new BoundedMemo<string, string | null>(10_000);

  static load(dir: string = DEFAULT_DATA_DIR): KnowledgeBase {
    return new KnowledgeBase(loadKnowledgeData(dir));
  }

  private anchorSpan(anchor: Anchor): AnchorSpan {
    const start = this.eventsById.get(anchor.event)!;
    const end = anchor.endEvent ? this.eventsById.get(anchor.endEvent)! : start;
    return {
      names: [...anchor.names].sort((a, b) => b.length - a.length),
      start: start.date.start,
      end: (end.endDate ?? end.date).end,
      label: anchor.names[0]!,
    };
  }

  citation(sourceId: string): Citation {
    let template = this.citationTemplates.get(sourceId);
    if (!template) {
      const s = this.sourcesById.get(sourceId)!;
      template = {
        sourceId: s.id,
        title: s.title,
        publisher: s.publisher,
        published: s.published.text,
        ...(s.url ? { url: s.url } : {}),
      };
      this.citationTemplates.set(sourceId, template);
    }
    // A fresh copy each time, as before: a caller may change the citation it was given.
    return { ...template };
  }

  /** Each source's citation, built once: every answer cites a handful of the same sources. */
  private readonly citationTemplates = new Map<string, Citation>();

  citations(sourceIds: Iterable<string>): Citation[] {
    return [...new Set(sourceIds)].map((id) => this.citation(id));
  }

  /** The newest publication date among the given sources. */
  newestSourceDate(sourceIds: Iterable<string>): string | null {
    let newest: string | null = null;
    for (const id of sourceIds) {
      const p = this.sourcesById.get(id)?.published.end ?? null;
      if (p && (!newest || p > newest)) newest = p;
    }
    return newest;
  }

  /** A warning when the newest source backing an answer about "now" is older than the threshold. */
  stalenessNote(sourceIds: Iterable<string>, today: string, topic: string): string | null {
    const newest = this.newestSourceDate(sourceIds);
    if (!newest) return null;
    const age = daysBetween(newest, today);
    if (age <= STALE_AFTER_DAYS) return null;
    return `The newest source on ${topic} is from ${newest} (${describeAge(age)} old); there may be later developments not in the knowledge base.`;
  }

  /** Sources whose publisher, title or URL contain the words, newest first. */
  searchSources(text: string): Source[] {
    const key = normalizeName(text);
    if (!key) return this.sourcesNewestFirst;
    const found = this.sourceSearchMemo.get(key, () => this.sourcesNewestFirst.filter((s) => this.sourceHaystack.get(s.id)!.includes(key)));
    // A copy, so a caller that sorts or trims its list cannot change what the next search returns.
    return [...found];
  }

  private readonly sourceSearchMemo = new BoundedMemo<string, Source[]>(1_000);

  private get sourcesNewestFirst(): Source[] {
    this.sortedSources ??= [...this.data.sources].sort((a, b) => b.published.start.localeCompare(a.published.start));
    return this.sortedSources;
  }

  private sortedSources?: Source[];
  private readonly sourceHaystack: Map<string, string>;

  // ---- troops ----

  countries(): string[] {
    return [...this.deploymentsByCountry.keys()];
  }

  /** Maps user text ("french", "USA", "Bundeswehr") to a country with figures, or null. */
  resolveCountry(text: string): string | null {
    return this.countryMemo.get(text, (t) => this.resolveCountryUncached(t));
  }

  private resolveCountryUncached(text: string): string | null {
    const key = normalizeName(text);
    const direct = COUNTRY_ALIASES[key] ?? this.countries().find((c) => normalizeName(c) === key);
    if (direct) return direct;
    if (key.length < 4) return null;
    for (const alias of Object.keys(COUNTRY_ALIASES)) {
      if (alias.length >= 4 && distance(alias, key) <= (alias.length > 6 ? 2 : 1)) return COUNTRY_ALIASES[alias]!;
    }
    return null;
  }

  countryAliases(): Record<string, string> {
    return COUNTRY_ALIASES;
  }

  troopHistory(country: string): Deployment[] {
    return this.deploymentsByCountry.get(country) ?? [];
  }

  troopsAt(country: string, at: DateQuery): TroopsAtResult {
    const history = this.troopHistory(country);
    let inForce: Deployment | null = null;
    const during: Deployment[] = [];
    let next: Deployment | null = null;
    for (const d of history) {
      // A figure holds from its asOf start; one reported over a span counts as in force during it.
      if (d.asOf.start <= at.start) inForce = d;
      else if (d.asOf.start <= at.end) during.push(d);
      else if (!next) next = d;
    }
    if (at.now && during.length === 0 && inForce === null && history.length > 0) {
      inForce = history[history.length - 1]!;
    }
    const last = during[during.length - 1] ?? inForce;
    const superseded = last !== null && last !== history[history.length - 1];
    return { country, inForce, during, next: during.length === 0 && !inForce ? next : null, superseded };
  }

  // ---- rulers ----

  rulerTerms(): RulerTerm[] {
    return this.rulersByStart;
  }

  /**
   * Ruler terms overlapping the period, oldest first. The day power changed hands belongs to both
   * terms: on 26 July 2023 Bazoum was detained and the CNSP took over the same evening.
   */
  rulersDuring(at: DateQuery): RulerTerm[] {
    return this.rulersByStart.filter((r) => r.start.start <= at.end && (!r.end || r.end.start >= at.start));
  }

  rulerName(term: RulerTerm): string {
    return term.person ? this.peopleById.get(term.person)!.name : term.body!;
  }

  // ---- events ----

  timeline(filter: TimelineFilter = {}): KbEvent[] {
    const topic = filter.topic ? normalizeName(filter.topic) : undefined;
    const actor = filter.actor ? this.resolvePerson(filter.actor)?.id : undefined;
    let events = this.eventsByDate.filter((e) => {
      const end = (e.endDate ?? e.date).end;
      if (filter.from && end < filter.from) return false;
      if (filter.to && e.date.start > filter.to) return false;
      if (topic && !e.tags.some((t) => normalizeName(t) === topic || normalizeName(t).replace(/ /g, '') === topic.replace(/ /g, ''))) return false;
      if (filter.actor && !(actor && e.actors.includes(actor))) return false;
      return true;
    });
    if ((filter.order ?? 'oldest') === 'newest') events = [...events].reverse();
    return filter.limit ? events.slice(0, filter.limit) : events;
  }

  tags(): string[] {
    return this.tagList;
  }

  /** Whether the text is exactly one of the tags (a set lookup; tags() is the sorted list). */
  isTag(text: string): boolean {
    return this.tagSet.has(text);
  }

  resolveTag(text: string): string | null {
    const key = normalizeName(text).replace(/ /g, '-');
    const tags = this.tags();
    const exact = tags.find((t) => t === key);
    if (exact) return exact;
    const country = this.resolveCountry(text);
    if (country) {
      const t = normalizeName(country).replace(/ /g, '-');
      if (tags.includes(t)) return t;
    }
    return tags.find((t) => key.length >= 4 && distance(t, key) <= 2) ?? null;
  }

  eventsAddedSince(added: string): KbEvent[] {
    return this.eventsByDate.filter((e) => e.added.start > added);
  }

  // ---- people and places ----

  resolvePerson(text: string): Person | null {
    return this.personMemo.get(text, (t) => this.resolvePersonUncached(t));
  }

  private resolvePersonUncached(text: string): Person | null {
    const key = normalizeName(text);
    if (!key) return null;
    let best: { person: Person; score: number } | null = null;
    for (const { person: p, names } of this.personNames) {
      for (const { full: n, parts } of names) {
        let score = Infinity;
        if (n === key) score = 0;
        else if (parts.includes(key) && key.length >= 3) score = 1;
        else if (key.length >= 4) {
          const d = Math.min(distance(n, key), ...parts.map((part) => distance(part, key)));
          if (d <= (key.length > 6 ? 2 : 1)) score = 2 + d;
        }
        if (score < (best?.score ?? Infinity)) best = { person: p, score };
      }
    }
    return best?.person ?? null;
  }

  resolvePlace(text: string): Place | null {
    return this.placeMemo.get(text, (t) => this.resolvePlaceUncached(t));
  }

  private resolvePlaceUncached(text: string): Place | null {
    const key = normalizeName(text);
    if (!key) return null;
    for (const p of this.data.places) {
      for (const name of [p.name, ...p.aliases]) {
        const n = normalizeName(name);
        if (n === key || (key.length >= 4 && n.includes(key)) || (key.length >= 5 && distance(n, key) <= 2)) return p;
      }
    }
    return null;
  }

  /**
   * A place named inside a longer text ("where is air base 201?"): whole names or aliases only, the
   * longest one wins, so "French troops" does not match "French projected air base".
   */
  findPlaceIn(text: string): Place | null {
    const normalized = normalizeName(text);
    const paddedText = ` ${normalized} `;
    let nearNames: string[] | undefined;
    let best: { place: Place; length: number } | null = null;
    for (const { place, name, padded, fuzzy } of this.placeNames) {
      // Only a longer name can replace the best so far; skipping the others changes nothing.
      if (name.length <= (best?.length ?? 0)) continue;
      let hit = paddedText.includes(padded);
      if (!hit && fuzzy) {
        nearNames ??= this.placeNamesNearAny(normalized.split(' '));
        hit = nearNames.includes(name);
      }
      if (hit) best = { place, length: name.length };
    }
    return best?.place ?? null;
  }

  /** The one-word place names within one typo of any of the words (usually none). */
  private placeNamesNearAny(words: string[]): string[] {
    const near: string[] = [];
    for (const w of words) near.push(...this.placeNamesNear(w));
    return near;
  }

  /** The one-word place names within one typo of a word. */
  private placeNamesNear(word: string): readonly string[] {
    // Names whose length differs by more than one are more than one edit away: skip the distance.
    return this.nearPlaceNameMemo.get(word, (w) =>
      this.fuzzyPlaceNames.filter((n) => Math.abs(n.length - w.length) <= 1 && distance(w, n) <= 1),
    );
  }

  /** Deployments that name each place, so the places answer can say who was there and when. */
  deploymentsAt(placeId: string): Deployment[] {
    return this.data.deployments.filter((d) => d.places.includes(placeId));
  }

  eventsAt(placeId: string): KbEvent[] {
    return this.eventsByDate.filter((e) => e.places.includes(placeId));
  }

  /** The last day covered by any fact: what "now" can truthfully be answered up to. */
  newestFactDate(): string {
    return this.eventsByDate.reduce((max, e) => ((e.endDate ?? e.date).end > max ? (e.endDate ?? e.date).end : max), '0000-00-00');
  }
}

export function describeAge(days: number): string {
  if (days < 60) return `${days} days`;
  const months = Math.round(days / 30.44);
  if (months < 24) return `about ${months} months`;
  const years = Math.floor(days / 365.25);
  const rest = Math.round((days - years * 365.25) / 30.44);
  return rest >= 6 ? `over ${years} and a half years` : `about ${years} years`;
}
