import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_DATA_DIR } from '../knowledge/load.ts';
import { DataError, type DataProblem } from '../knowledge/problems.ts';
import { collections, type FuzzyDate } from '../knowledge/schema.ts';
import { readYaml, YamlError } from '../knowledge/yaml.ts';
import { RevisionConflict } from './migrations.ts';
import { SEED_AUTHOR, type NewRevision, type RevisionStore } from './types.ts';

/**
 * The collections whose entries have revisions: the facts, each with its `added` date. countries.yaml,
 * lexicon.yaml and data/translations are words, not claims, and stay files only.
 */
export const REVISIONED_KINDS = ['sources', 'people', 'places', 'organisations', 'offices', 'deployments', 'events', 'statements', 'anchors'] as const;
export type RevisionedKind = (typeof REVISIONED_KINDS)[number];

export function isRevisionedKind(kind: string): kind is RevisionedKind {
  return (REVISIONED_KINDS as readonly string[]).includes(kind);
}

/** JSON with every object's keys sorted: the same entry hashes the same whatever order its fields were written in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function contentHash(entry: unknown): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('base64url');
}

export interface SeedEntry {
  kind: RevisionedKind;
  id: string;
  /** As written in the file. */
  entry: Record<string, unknown>;
  /** ISO day. */
  added: string;
  position: number;
  hash: string;
  validFrom: string | null;
  sources: string[];
}

type Parsed = { id: string; added: FuzzyDate } & Record<string, unknown>;

/** The first day the fact holds for: what its kind dates. People, places, organisations and anchors are not dated facts. */
function validFromOf(kind: RevisionedKind, p: Parsed): string | null {
  const day = (d: unknown) => (d as FuzzyDate | undefined)?.start ?? null;
  switch (kind) {
    case 'sources':
      return day(p.published);
    case 'deployments':
      return day(p.asOf);
    case 'events':
    case 'statements':
      return day(p.date);
    case 'offices': {
      const starts = (p.terms as { start?: FuzzyDate; attested?: FuzzyDate }[]).map((t) => (t.start ?? t.attested)?.start).filter((d): d is string => !!d);
      return starts.length ? starts.sort()[0]! : null;
    }
    default:
      return null;
  }
}

/** The source ids behind the entry: its own `sources`, an office's terms' together; a source is its own. */
function sourcesOf(kind: RevisionedKind, p: Parsed): string[] {
  if (kind === 'sources') return [p.id];
  if (kind === 'offices') return [...new Set((p.terms as { sources: string[] }[]).flatMap((t) => t.sources))];
  return Array.isArray(p.sources) ? (p.sources as string[]) : [];
}

/** Validates one raw entry with its collection's zod schema; the problems, or what the store keeps of it. */
export function seedEntry(kind: RevisionedKind, raw: unknown, position: number): SeedEntry | string[] {
  const result = collections[kind].safeParse(raw);
  if (!result.success) return result.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`);
  const p = result.data as unknown as Parsed;
  const entry = raw as Record<string, unknown>;
  return {
    kind,
    id: p.id,
    entry,
    added: p.added.start,
    position,
    hash: contentHash(entry),
    validFrom: validFromOf(kind, p),
    sources: sourcesOf(kind, p),
  };
}

/**
 * Reads the revisioned collections of a data directory, every entry validated by its zod schema; all problems are
 * reported at once. The checks across entries (unknown ids, overlapping terms) are the loader's and data:check's:
 * the bot loads data/ through them before it imports.
 */
export function readSeed(dir: string = DEFAULT_DATA_DIR): SeedEntry[] {
  const problems: DataProblem[] = [];
  const out: SeedEntry[] = [];
  for (const kind of REVISIONED_KINDS) {
    const path = join(dir, `${kind}.yaml`);
    const file = relative(process.cwd(), path) || path;
    if (!existsSync(path)) {
      problems.push({ file, message: 'file is missing' });
      continue;
    }
    let raw: unknown;
    try {
      raw = readYaml(path) ?? [];
    } catch (err) {
      problems.push({ file, message: `is not valid YAML: ${err instanceof YamlError ? err.message : String(err)}` });
      continue;
    }
    if (!Array.isArray(raw)) {
      problems.push({ file, message: 'must be a YAML list of entries' });
      continue;
    }
    const seen = new Set<string>();
    raw.forEach((item, i) => {
      const e = seedEntry(kind, item, i);
      if (Array.isArray(e)) {
        const id = (item as { id?: unknown })?.id;
        for (const m of e) problems.push({ file, entry: typeof id === 'string' ? id : `#${i + 1}`, message: m });
        return;
      }
      if (seen.has(e.id)) problems.push({ file, entry: e.id, field: 'id', message: 'duplicate id' });
      seen.add(e.id);
      out.push(e);
    });
  }
  if (problems.length) throw new DataError(problems);
  return out;
}

export interface SeedReport {
  /** Entries new to the store (revision 1). */
  added: number;
  /** Entries data/ changed (a new revision authored data/). */
  revised: number;
  unchanged: number;
  /** "kind/id" of entries data/ once had and no longer has: kept as they are. */
  missing: string[];
  ms: number;
}

export interface ImportOptions {
  /** The import's transaction time for changed entries (UTC ms; default now). */
  now?: number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/**
 * Imports the seed idempotently, in one transaction: an entry new to the store becomes revision 1, recorded at its
 * `added` day (so the store's history before the first start is what the seed said; never later than now); an entry
 * whose content differs from both its current revision and the newest one data/ wrote becomes a new revision
 * authored data/, recorded now (the day the bot learnt it). Comparing with the newest data/ revision too means a
 * correction approved later from chat is not undone at the next start by the seed it corrected. An entry data/ no
 * longer has is left as it is (removing knowledge is a retraction, for editors to approve): it is reported.
 */
export async function importSeed(store: RevisionStore, source: string | SeedEntry[] = DEFAULT_DATA_DIR, options: ImportOptions = {}): Promise<SeedReport> {
  const started = performance.now();
  const seed = typeof source === 'string' ? readSeed(source) : source;
  for (let attempt = 1; ; attempt++) {
    const now = options.now ?? Date.now();
    try {
      const report = await importOnce(store, seed, now);
      report.ms = Math.round(performance.now() - started);
      if (options.log) {
        const { missing, ...counts } = report;
        options.log.info({ ...counts, missing: missing.length }, 'knowledge seed imported');
        if (missing.length) {
          options.log.warn(
            { missing: missing.slice(0, 20), count: missing.length },
            'entries the store has from data/ are no longer in data/: kept as they are (their current revision stays current)',
          );
        }
      }
      return report;
    } catch (err) {
      // Another instance imported the same seed at the same moment: read what it wrote and compare again.
      if (!(err instanceof RevisionConflict) || attempt >= 3) throw err;
    }
  }
}

async function importOnce(store: RevisionStore, seed: SeedEntry[], now: number): Promise<SeedReport> {
  const heads = new Map((await store.revisionHeads()).map((h) => [`${h.kind}\u0000${h.entryId}`, h]));
  const items: { revision: NewRevision; after: number }[] = [];
  let added = 0;
  let revised = 0;
  let unchanged = 0;
  const inSeed = new Set<string>();
  for (const e of seed) {
    const key = `${e.kind}\u0000${e.id}`;
    inSeed.add(key);
    const head = heads.get(key);
    if (head && (head.contentHash === e.hash || head.seedHash === e.hash)) {
      unchanged++;
      continue;
    }
    const addedAt = Date.parse(`${e.added}T00:00:00Z`);
    const revision: NewRevision = {
      kind: e.kind,
      entryId: e.id,
      entry: e.entry,
      contentHash: e.hash,
      validFrom: e.validFrom,
      // Transaction time only moves forward: a clock behind the last writer's does not put a revision before it.
      recordedAt: head ? Math.max(now, head.recordedAt) : Math.min(addedAt, now),
      author: SEED_AUTHOR,
      approver: null,
      sources: e.sources,
      position: e.position,
    };
    items.push({ revision, after: head?.revision ?? 0 });
    if (head) revised++;
    else added++;
  }
  const missing = [...heads.values()].filter((h) => h.seedHash !== null && !inSeed.has(`${h.kind}\u0000${h.entryId}`)).map((h) => `${h.kind}/${h.entryId}`);
  await store.appendRevisions(items);
  return { added, revised, unchanged, missing, ms: 0 };
}
