import { LRUCache } from 'lru-cache';
import { KnowledgeBase } from './knowledge/kb.ts';
import { DataError, formatProblem, knowledgeFromEntries, type KnowledgeWords } from './knowledge/load.ts';
import type { CollectionName } from './knowledge/schema.ts';
import type { Logger } from './logger.ts';
import type { RevisionRow, RevisionStore } from './storage/types.ts';

/** What the live knowledge base is swapped into: the Bot. */
export interface KnowledgeTarget {
  readonly kb: KnowledgeBase;
  replaceKnowledge(kb: KnowledgeBase): void;
}

/** A knowledge base of stored revisions (DataError when one is invalid), approved ones dated by their recording. */
export function knowledgeOf(rows: readonly RevisionRow[], words: KnowledgeWords): KnowledgeBase {
  const approvedAt = new Map<string, number>();
  for (const r of rows) if (r.approver !== null) approvedAt.set(`${r.kind}/${r.entryId}`, r.recordedAt);
  // The translations' facts are data:check's, as at a start from files.
  const data = knowledgeFromEntries(
    rows.map((r) => ({ kind: r.kind as CollectionName, entry: r.entry })),
    words,
    { translationFacts: false },
  );
  return new KnowledgeBase(data, { approvedAt });
}

export interface LiveKnowledgeOptions {
  store: Pick<RevisionStore, 'currentRevisions' | 'revisionsKnownAt' | 'knowledgeState' | 'watchKnowledge'>;
  target: KnowledgeTarget;
  /** The words (countries, lexicon, translations): files, whatever the store holds. */
  words: KnowledgeWords;
  /** How many revisioned entries data/ holds: a store with as many, all authored by data/, holds what data/ holds. */
  seedEntries: number;
  log: Logger;
  /** How often the store is asked whether anything changed, in case a notification was missed (default 30 s). */
  pollMs?: number;
  /** How many `known:` knowledge bases are kept (default 8). */
  knownCacheSize?: number;
  now?: () => number;
}

/**
 * Keeps the Bot answering from the store's current revisions: at start (unless the store holds exactly what data/
 * holds, when the knowledge base loaded from files stands), after an approval on this instance (`refresh`), when
 * another instance notifies (PostgreSQL LISTEN) and at every poll. Rebuilds never overlap: a change during one
 * asks for one more, however many arrive. An invalid revision keeps the knowledge base answering as it was.
 */
export class LiveKnowledge {
  private version: string | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | null = null;
  private readonly known: LRUCache<string, Promise<KnowledgeBase | null>>;
  private readonly now: () => number;
  /** Knowledge bases built and swapped in so far (tests and the bench read it). */
  rebuilds = 0;

  constructor(private readonly options: LiveKnowledgeOptions) {
    this.known = new LRUCache({ max: options.knownCacheSize ?? 8 });
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    const { store, log } = this.options;
    const state = await store.knowledgeState();
    if (state.edited === 0 && state.current === this.options.seedEntries) this.version = state.version;
    else await this.rebuild(state.version);
    try {
      this.unlisten = await store.watchKnowledge(() => void this.refresh());
    } catch (err) {
      log.warn({ err }, 'cannot listen for knowledge changes: other instances’ approvals arrive with the poll');
    }
    this.timer = setInterval(() => void this.refresh(), this.options.pollMs ?? 30_000);
    this.timer.unref();
  }

  /** Checks the store and rebuilds if anything changed; resolves once the knowledge base is as the store was. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.check();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async check(): Promise<void> {
    try {
      const state = await this.options.store.knowledgeState();
      if (state.version !== this.version) await this.rebuild(state.version);
    } catch (err) {
      this.options.log.warn({ err }, 'could not reload the knowledge base from the store; answering from the one loaded before');
    }
  }

  private async rebuild(version: string): Promise<void> {
    const { store, log, target, words } = this.options;
    const started = performance.now();
    const rows = await store.currentRevisions();
    // Set before building: a broken revision is not rebuilt at every poll, only once something changes again.
    this.version = version;
    this.known.clear();
    let kb: KnowledgeBase;
    try {
      kb = knowledgeOf(rows, words);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      log.warn(
        { problems: err.problems.slice(0, 10).map(formatProblem), count: err.problems.length },
        'a revision in the store is not valid: answering from the knowledge base loaded before',
      );
      return;
    }
    if (this.stopped) return;
    target.replaceKnowledge(kb);
    this.rebuilds++;
    log.info({ entries: rows.length, ms: Math.round(performance.now() - started) }, 'knowledge base reloaded from the store');
  }

  /**
   * The knowledge base as it was at the end of `day` (UTC): the revisions recorded by then. Null when nothing was
   * recorded yet. Entries that only make sense with one recorded later (a figure citing a later source) are left
   * out, as they were not yet answerable. Kept in a small LRU until the next change of the store.
   */
  knowledgeAt(day: string): Promise<KnowledgeBase | null> {
    let kb = this.known.get(day);
    if (!kb) {
      kb = this.buildAt(day);
      // Today's can still change; a failure is not kept.
      if (day < new Date(this.now()).toISOString().slice(0, 10)) this.known.set(day, kb);
      kb.catch(() => this.known.delete(day));
    }
    return kb;
  }

  private async buildAt(day: string): Promise<KnowledgeBase | null> {
    let rows = await this.options.store.revisionsKnownAt(Date.parse(`${day}T23:59:59.999Z`));
    for (let attempt = 0; ; attempt++) {
      if (rows.length === 0) return null;
      try {
        return knowledgeOf(rows, this.options.words);
      } catch (err) {
        if (!(err instanceof DataError) || attempt >= 3) throw err;
        const broken = new Set(err.problems.filter((p) => p.entry !== undefined).map((p) => `${p.file.replace(/^store /, '')}\u0000${p.entry}`));
        if (broken.size === 0) throw err;
        rows = rows.filter((r) => !broken.has(`${r.kind}\u0000${r.entryId}`));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.();
    await this.running;
  }
}
