import { distance } from 'fastest-levenshtein';
import { loadKnowledgeData, termSpan, DEFAULT_DATA_DIR, type KnowledgeData, type LoadOptions } from './load.ts';
import {
  HEAD_OF_STATE_OFFICE,
  LANGUAGES,
  type Anchor,
  type Country,
  type Deployment,
  type KbEvent,
  type Office,
  type OfficeTerm,
  type Organisation,
  type Person,
  type Place,
  type RulerTerm,
  type Source,
  type Statement,
} from './schema.ts';
import { type AnchorSpan, type DateQuery, daysBetween } from './dates.ts';
import { BoundedMemo } from './memo.ts';
import { normalizeName } from './normalize.ts';
import { QuestionReader } from './understand.ts';
import { TRANSLATABLE, type TranslatableCollection, type TranslatableEntries } from './translations.ts';

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

export { normalizeName };

/** A term of an office with the span of days it is taken to cover (see termSpan in load.ts). */
interface SpannedTerm {
  term: OfficeTerm;
  from: string;
  /** Undefined: still open. */
  to: string | undefined;
}

function isRulerTerm(t: OfficeTerm): t is RulerTerm {
  return t.start !== undefined && t.began !== undefined;
}

/** A name as fuzzy matching compares it, with what it names. */
interface FuzzyName<T> {
  name: string;
  value: T;
}

/** The closest name within the typo budget (`maxTypos(name)`), or null. */
function nearest<T>(key: string, names: readonly FuzzyName<T>[], maxTypos: (name: string) => number): T | null {
  let best: { value: T; d: number } | null = null;
  for (const { name, value } of names) {
    const budget = maxTypos(name);
    if (Math.abs(name.length - key.length) > budget) continue;
    const d = distance(name, key);
    if (d <= budget && (!best || d < best.d)) best = { value, d };
  }
  return best?.value ?? null;
}

export class KnowledgeBase {
  readonly sourcesById: Map<string, Source>;
  readonly peopleById: Map<string, Person>;
  readonly placesById: Map<string, Place>;
  readonly eventsById: Map<string, KbEvent>;
  readonly countriesById: Map<string, Country>;
  readonly organisationsById: Map<string, Organisation>;
  readonly officesById: Map<string, Office>;
  /** Deployments by country, sorted by the date their figure holds for. */
  private readonly deploymentsByCountry: Map<string, Deployment[]>;
  private readonly rulersByStart: RulerTerm[];
  /** Per office id, its terms with their spans, oldest first. */
  private readonly spannedTerms: Map<string, SpannedTerm[]>;
  private readonly eventsByDate: KbEvent[];
  readonly anchorSpans: AnchorSpan[];

  /** Reads free-text questions against this knowledge base (see understand.ts). */
  readonly questions: QuestionReader;

  /**
   * When entries approved from chat were recorded (UTC ms), by "kind/id": what the digests list as new, by
   * approval time. Entries not in it (the reviewed seed) are new from their `added` day.
   */
  readonly approvedAt: ReadonlyMap<string, number>;

  constructor(
    readonly data: KnowledgeData,
    options: { approvedAt?: ReadonlyMap<string, number> } = {},
  ) {
    this.approvedAt = options.approvedAt ?? new Map();
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
    this.countriesById = new Map(data.countries.map((c) => [c.id, c]));
    this.organisationsById = new Map(data.organisations.map((o) => [o.id, o]));
    this.officesById = new Map(data.offices.map((o) => [o.id, o]));
    const termsById = new Map(data.offices.flatMap((o) => o.terms.map((t) => [t.id, t] as const)));
    this.spannedTerms = new Map(
      data.offices.map((o) => [
        o.id,
        o.terms.map((term) => ({ term, ...(termSpan(term, termsById) ?? { from: '9999-12-31', to: undefined }) })).sort((a, b) => a.from.localeCompare(b.from)),
      ]),
    );
    this.rulersByStart = (this.spannedTerms.get(HEAD_OF_STATE_OFFICE) ?? []).map((s) => s.term).filter(isRulerTerm);
    // Country names: the first country to claim a normalised name keeps it (the loader rejects two
    // countries sharing a name in one language).
    for (const c of data.countries) {
      for (const n of [c.name, ...LANGUAGES.flatMap((l) => c.names[l]), ...c.aliases]) {
        const key = normalizeName(n);
        if (key && !this.countryByName.has(key)) this.countryByName.set(key, c);
      }
      for (const code of c.codes) if (!this.countryByCode.has(code)) this.countryByCode.set(code, c);
    }
    // Aliases (capital cities) are matched exactly only: "Rome" is one typo from "home".
    this.fuzzyCountryNames = data.countries.flatMap((c) =>
      [...new Set([c.name, ...LANGUAGES.flatMap((l) => c.names[l])].map(normalizeName))].filter((name) => name.length >= 4).map((name) => ({ name, value: c })),
    );
    for (const o of data.organisations) {
      for (const n of [o.name, ...(o.acronym ? [o.acronym] : []), ...LANGUAGES.flatMap((l) => o.names[l])]) {
        const key = normalizeName(n);
        if (key && !this.organisationByName.has(key)) this.organisationByName.set(key, o);
      }
      for (const code of o.codes) if (!this.organisationByCode.has(code)) this.organisationByCode.set(code, o);
    }
    this.fuzzyOrganisationNames = [...this.organisationByName].filter(([name]) => name.length >= 6).map(([name, value]) => ({ name, value }));
    this.eventsByDate = [...data.events].sort((a, b) => a.date.start.localeCompare(b.date.start) || a.id.localeCompare(b.id));
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
    // Built at load, after everything it reads: the search index and the names questions are read with.
    this.questions = new QuestionReader(this, data.lexicon);
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
  private readonly findCountryMemo = new BoundedMemo<string, Country | null>(10_000);
  private readonly organisationMemo = new BoundedMemo<string, Organisation | null>(10_000);
  /** Every country's normalised names (display name, names in all languages, aliases). */
  private readonly countryByName = new Map<string, Country>();
  /** Codes, compared case-sensitively with the text as typed. */
  private readonly countryByCode = new Map<string, Country>();
  /** Names (not aliases) of four letters or more, for typo-tolerant matching. */
  private readonly fuzzyCountryNames: FuzzyName<Country>[];
  private readonly organisationByName = new Map<string, Organisation>();
  private readonly organisationByCode = new Map<string, Organisation>();
  /** Organisation names and acronyms of six letters or more, for matching with one typo. */
  private readonly fuzzyOrganisationNames: FuzzyName<Organisation>[];

  static load(dir: string = DEFAULT_DATA_DIR, options: LoadOptions = {}): KnowledgeBase {
    return new KnowledgeBase(loadKnowledgeData(dir, options));
  }

  private anchorSpan(anchor: Anchor): AnchorSpan {
    const start = this.eventsById.get(anchor.event)!;
    const end = anchor.endEvent ? this.eventsById.get(anchor.endEvent)! : start;
    return {
      id: anchor.id,
      names: [...anchor.names].sort((a, b) => b.length - a.length),
      start: start.date.start,
      end: (end.endDate ?? end.date).end,
      label: anchor.names[0]!,
    };
  }

  private readonly localizedMemo = new Map<string, object>();

  /**
   * `entry` with its text (titles, summaries, descriptions, notes) in `lang`, each field in English where
   * it has no translation. Facts, dates and sources are the English entry's. A statement's quote stays as
   * said: its translation is `quoteTranslation`.
   */
  localized<C extends TranslatableCollection>(collection: C, entry: TranslatableEntries[C], lang: string): TranslatableEntries[C] {
    const given = this.data.translations[lang]?.[collection]?.[entry.id] as Record<string, string | undefined> | undefined;
    if (!given) return entry;
    // The knowledge base never changes after load, so each localized entry is built once.
    const key = `${lang}\u0000${collection}\u0000${entry.id}`;
    let out = this.localizedMemo.get(key);
    if (!out) {
      const text: Record<string, string> = {};
      for (const field of TRANSLATABLE[collection]) {
        const value = given[field];
        if (value !== undefined && !(collection === 'statements' && field === 'quote')) text[field] = value;
      }
      out = { ...entry, ...text };
      this.localizedMemo.set(key, out);
    }
    return out as TranslatableEntries[C];
  }

  /** A quote's translation into `lang`, to be shown marked as a translation; undefined when none. */
  quoteTranslation(statement: Statement, lang: string): string | undefined {
    return this.data.translations[lang]?.statements?.[statement.id]?.quote;
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
  /** How old the newest of these sources is on `today`, when that is old enough to warn (see stalenessNote). */
  staleness(sourceIds: Iterable<string>, today: string): { newest: string; ageDays: number } | null {
    const newest = this.newestSourceDate(sourceIds);
    if (!newest) return null;
    const ageDays = daysBetween(newest, today);
    return ageDays > STALE_AFTER_DAYS ? { newest, ageDays } : null;
  }

  stalenessNote(sourceIds: Iterable<string>, today: string, topic: string): string | null {
    const newest = this.newestSourceDate(sourceIds);
    if (!newest) return null;
    const age = daysBetween(newest, today);
    if (age <= STALE_AFTER_DAYS) return null;
    return `The newest source on ${topic} is from ${newest} (${describeAge(age)} old); there may be later developments not in the knowledge base.`;
  }

  /** Sources whose publisher, title or URL contain the words, newest first. */
  /** Whether a word (normalised) is in some source's publisher, title or address: "House" of "White House". */
  sourcesUse(word: string): boolean {
    this.sourceWords ??= new Set([...this.sourceHaystack.values()].flatMap((h) => h.split(' ')));
    return this.sourceWords.has(word);
  }

  private sourceWords?: Set<string>;

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

  /**
   * Maps user text ("french", "USA", "Franzosen", "américains", "Bundeswehr") to the display name of
   * a country WITH troop figures, or null. Reads every country's names in all languages, its aliases
   * and (case-sensitively, as typed) its codes; text of four letters or more may carry a typo. Text
   * naming a country without figures ("Russians") gives null, never a near figure country.
   */
  resolveCountry(text: string): string | null {
    return this.countryMemo.get(text, (t) => this.resolveCountryUncached(t));
  }

  private resolveCountryUncached(text: string): string | null {
    const exact = this.findCountry(text);
    if (exact) return this.withTroopFigures(exact);
    const key = normalizeName(text);
    if (key.length < 4) return null;
    // The nearest name of ANY country decides, so "Iranian" with a typo is not taken for a figure
    // country. As before, one typo, or two in names over six letters; two only when the first two
    // letters agree, so "putsch" is not "deutsch" nor "africa" "america".
    const near = nearest(key, this.fuzzyCountryNames, (name) => (name.length > 6 && name.slice(0, 2) === key.slice(0, 2) ? 2 : 1));
    return near ? this.withTroopFigures(near) : null;
  }

  private withTroopFigures(country: Country): string | null {
    return this.deploymentsByCountry.has(country.name) ? country.name : null;
  }

  /**
   * Any country in countries.yaml named by the text: a name in any language, an alias, or a code
   * written exactly as listed (capitals). Exact normalised match only; null when none.
   */
  findCountry(text: string): Country | null {
    return this.findCountryMemo.get(text, (t) => {
      const code = this.countryByCode.get(t.trim());
      if (code) return code;
      const key = normalizeName(t);
      return (key && this.countryByName.get(key)) || null;
    });
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

  // ---- offices and rulers ----

  /** Every office, in data order. */
  offices(): Office[] {
    return this.data.offices;
  }

  /**
   * Terms of an office overlapping the period, oldest first. The day an office changed hands belongs
   * to both terms. A term with no start is taken to run from the start of the term it served `under`
   * (or else its attested date) to its end (or else its attested date): a term known only from one
   * attested date overlaps a period that contains that date.
   */
  officeHoldersDuring(officeId: string, at: DateQuery): OfficeTerm[] {
    return (this.spannedTerms.get(officeId) ?? []).filter((s) => s.from <= at.end && (s.to === undefined || s.to >= at.start)).map((s) => s.term);
  }

  /** The offices a person held, one entry per term, oldest first. */
  officesHeldBy(personId: string): { office: Office; term: OfficeTerm }[] {
    const held: { office: Office; term: OfficeTerm; from: string }[] = [];
    for (const office of this.data.offices) {
      for (const s of this.spannedTerms.get(office.id) ?? []) {
        if (s.term.person === personId) held.push({ office, term: s.term, from: s.from });
      }
    }
    return held.sort((a, b) => a.from.localeCompare(b.from)).map(({ office, term }) => ({ office, term }));
  }

  /** The person's name, or the ruling body's for a collective term. */
  termHolderName(term: OfficeTerm): string {
    return term.person ? this.peopleById.get(term.person)!.name : term.body!;
  }

  /**
   * The first of the holder's terms in the office that run into this one without a break (each ends the day the
   * next begins), when there are earlier ones: Tiani has ruled since July 2023 under two titles.
   */
  unbrokenSince(officeId: string, termId: string): OfficeTerm | undefined {
    const terms = this.spannedTerms.get(officeId) ?? [];
    let at = terms.findIndex((s) => s.term.id === termId);
    const person = terms[at]?.term.person;
    if (at <= 0 || !person) return undefined;
    while (at > 0) {
      const before = terms[at - 1]!.term;
      const start = terms[at]!.term.start?.start;
      if (before.person !== person || !before.end || !start || before.end.start !== start) break;
      at--;
    }
    return terms[at]!.term.id === termId ? undefined : terms[at]!.term;
  }

  /** The terms of Niger's head-of-state office, oldest first. */
  rulerTerms(): RulerTerm[] {
    return this.rulersByStart;
  }

  /**
   * Ruler terms overlapping the period, oldest first. The day power changed hands belongs to both
   * terms: on 26 July 2023 Bazoum was detained and the CNSP took over the same evening.
   */
  rulersDuring(at: DateQuery): RulerTerm[] {
    return this.officeHoldersDuring(HEAD_OF_STATE_OFFICE, at).filter(isRulerTerm);
  }

  rulerName(term: RulerTerm): string {
    return this.termHolderName(term);
  }

  // ---- organisations ----

  /** Every organisation, in data order. */
  organisations(): Organisation[] {
    return this.data.organisations;
  }

  /**
   * The organisation the text names: a name in any language, its display name or acronym (exact,
   * normalised), a code as typed (capitals), or a name of six letters or more with one typo.
   */
  resolveOrganisation(text: string): Organisation | null {
    return this.organisationMemo.get(text, (t) => {
      const code = this.organisationByCode.get(t.trim());
      if (code) return code;
      const key = normalizeName(t);
      if (!key) return null;
      const exact = this.organisationByName.get(key);
      if (exact) return exact;
      return key.length >= 5 ? nearest(key, this.fuzzyOrganisationNames, () => 1) : null;
    });
  }

  /** Events the person or organisation acts in (or is acted on in), oldest first. */
  eventsWithActor(id: string): KbEvent[] {
    return this.eventsByDate.filter((e) => e.actors.includes(id));
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

  /**
   * Since when the knowledge base has an entry, as a watermark compares it: its approval instant (ISO, UTC) when it
   * was approved from chat, else its `added` day. An ISO day sorts before every instant of that day, so a digest
   * whose watermark is a day still lists what was approved later that day.
   */
  knownSince(kind: 'events' | 'deployments', entry: { id: string; added: { start: string } }): string {
    const at = this.approvedAt.get(`${kind}/${entry.id}`);
    return at === undefined ? entry.added.start : new Date(at).toISOString();
  }

  /** Events and troop figures the knowledge base has had since `since` (a watermark: a day or an instant), oldest first. */
  newSince(since: string): { events: KbEvent[]; deployments: Deployment[] } {
    return {
      events: this.eventsByDate.filter((e) => this.knownSince('events', e) > since),
      deployments: this.data.deployments
        .filter((d) => this.approvedAt.has(`deployments/${d.id}`) && this.knownSince('deployments', d) > since)
        .sort((a, b) => a.asOf.start.localeCompare(b.asOf.start)),
    };
  }

  /** The newest `knownSince` of any event or approved figure: the watermark of a digest built now; null when empty. */
  newestKnown(): string | null {
    let max: string | null = null;
    for (const e of this.data.events) {
      const k = this.knownSince('events', e);
      if (max === null || k > max) max = k;
    }
    for (const d of this.data.deployments) {
      if (!this.approvedAt.has(`deployments/${d.id}`)) continue;
      const k = this.knownSince('deployments', d);
      if (max === null || k > max) max = k;
    }
    return max;
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
    return this.nearPlaceNameMemo.get(word, (w) => this.fuzzyPlaceNames.filter((n) => Math.abs(n.length - w.length) <= 1 && distance(w, n) <= 1));
  }

  /** Deployments that name each place, so the places answer can say who was there and when. */
  deploymentsAt(placeId: string): Deployment[] {
    return this.data.deployments.filter((d) => d.places.includes(placeId));
  }

  /** Whether a country's forces were at a place: a figure reported there, or the place's sourced summary naming them. */
  forcesWereAt(placeId: string, country: string): boolean {
    if (this.deploymentsAt(placeId).some((d) => d.country === country)) return true;
    const p = this.placesById.get(placeId);
    const c = this.data.countries.find((x) => x.name === country);
    if (!p || !c) return false;
    const summary = ` ${normalizeName(p.summary)} `;
    return [c.name, c.adjective, ...c.names.en].some((n) => summary.includes(` ${normalizeName(n)} `));
  }

  eventsAt(placeId: string): KbEvent[] {
    return this.eventsByDate.filter((e) => e.places.includes(placeId));
  }

  /** The last day covered by any fact: what "now" can truthfully be answered up to. */
  newestFactDate(): string {
    // biome-ignore lint/complexity/useMathMinMax: ISO date strings, compared as strings (Math.max would give NaN)
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
