import { readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import {
  collections,
  type CollectionName,
  type Source,
  type Person,
  type Place,
  type RulerTerm,
  type Deployment,
  type KbEvent,
  type Statement,
  type Anchor,
} from './schema.ts';

export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../data', import.meta.url));

export interface DataProblem {
  file: string;
  entry?: string;
  field?: string;
  message: string;
}

export function formatProblem(p: DataProblem): string {
  const where = [p.file, p.entry && `entry "${p.entry}"`, p.field && `field "${p.field}"`]
    .filter(Boolean)
    .join(', ');
  return `${where}: ${p.message}`;
}

export class DataError extends Error {
  constructor(readonly problems: DataProblem[]) {
    super(
      `The knowledge base has ${problems.length} problem(s):\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'DataError';
  }
}

export interface KnowledgeData {
  sources: Source[];
  people: Person[];
  places: Place[];
  rulers: RulerTerm[];
  deployments: Deployment[];
  events: KbEvent[];
  statements: Statement[];
  anchors: Anchor[];
}

type Raw = Record<CollectionName, unknown>;

function readCollections(dir: string, problems: DataProblem[]): Partial<Raw> {
  const raw: Partial<Raw> = {};
  for (const name of Object.keys(collections) as CollectionName[]) {
    const path = join(dir, `${name}.yaml`);
    const file = relative(process.cwd(), path) || path;
    if (!existsSync(path)) {
      problems.push({ file, message: 'file is missing' });
      continue;
    }
    try {
      raw[name] = parseYaml(readFileSync(path, 'utf8')) ?? [];
    } catch (err) {
      const message = err instanceof YAMLParseError ? err.message.split('\n')[0]! : String(err);
      problems.push({ file, message: `is not valid YAML: ${message}` });
    }
  }
  return raw;
}

function entryLabel(value: unknown, index: number): string {
  if (value && typeof value === 'object' && 'id' in value && typeof value.id === 'string') {
    return value.id;
  }
  return `#${index + 1}`;
}

function validateCollection<N extends CollectionName>(
  name: N,
  value: unknown,
  file: string,
  problems: DataProblem[],
): z.infer<(typeof collections)[N]>[] {
  if (!Array.isArray(value)) {
    problems.push({ file, message: 'must be a YAML list of entries' });
    return [];
  }
  const schema = collections[name];
  const out: z.infer<(typeof collections)[N]>[] = [];
  value.forEach((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) {
      out.push(result.data as z.infer<(typeof collections)[N]>);
      return;
    }
    for (const issue of result.error.issues) {
      problems.push({
        file,
        entry: entryLabel(item, index),
        field: issue.path.join('.') || undefined,
        message: issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message,
      });
    }
  });
  return out;
}

/** Checks that need more than one entry: references, duplicates, and the order of ruler terms. */
function crossCheck(data: KnowledgeData, fileOf: (c: CollectionName) => string, problems: DataProblem[]) {
  const ids = new Map<CollectionName, Set<string>>();
  for (const name of Object.keys(collections) as CollectionName[]) {
    const seen = new Set<string>();
    for (const entry of data[name] as { id: string }[]) {
      if (seen.has(entry.id)) {
        problems.push({ file: fileOf(name), entry: entry.id, field: 'id', message: 'duplicate id' });
      }
      seen.add(entry.id);
    }
    ids.set(name, seen);
  }
  const check = (name: CollectionName, entry: string, field: string, ref: string | undefined, target: CollectionName) => {
    if (ref !== undefined && !ids.get(target)!.has(ref)) {
      const noun = { sources: 'source', people: 'person', places: 'place', events: 'event' }[target as string] ?? target;
      problems.push({ file: fileOf(name), entry, field, message: `unknown ${noun} id "${ref}"` });
    }
  };
  for (const name of ['people', 'places', 'rulers', 'deployments', 'events', 'statements'] as const) {
    for (const entry of data[name]) {
      entry.sources.forEach((s, i) => check(name, entry.id, `sources.${i}`, s, 'sources'));
    }
  }
  for (const d of data.deployments) {
    d.places.forEach((p, i) => check('deployments', d.id, `places.${i}`, p, 'places'));
    d.alternatives.forEach((a, i) =>
      a.sources.forEach((s, j) => check('deployments', d.id, `alternatives.${i}.sources.${j}`, s, 'sources')),
    );
    if (d.until && d.until.end < d.asOf.start) {
      problems.push({ file: fileOf('deployments'), entry: d.id, field: 'until', message: `ends (${d.until.text}) before it starts (${d.asOf.text})` });
    }
  }
  for (const e of data.events) {
    e.actors.forEach((p, i) => check('events', e.id, `actors.${i}`, p, 'people'));
    e.places.forEach((p, i) => check('events', e.id, `places.${i}`, p, 'places'));
    if (e.endDate && e.endDate.end < e.date.start) {
      problems.push({ file: fileOf('events'), entry: e.id, field: 'endDate', message: `ends (${e.endDate.text}) before it starts (${e.date.text})` });
    }
  }
  for (const s of data.statements) check('statements', s.id, 'person', s.person, 'people');
  for (const a of data.anchors) {
    check('anchors', a.id, 'event', a.event, 'events');
    check('anchors', a.id, 'endEvent', a.endEvent, 'events');
  }
  for (const r of data.rulers) {
    check('rulers', r.id, 'person', r.person, 'people');
    if (!r.person && !r.body) {
      problems.push({ file: fileOf('rulers'), entry: r.id, field: 'person', message: 'names neither a person nor a ruling body' });
    }
    if (r.end && r.end.start < r.start.start) {
      problems.push({ file: fileOf('rulers'), entry: r.id, field: 'end', message: `ends (${r.end.text}) before it starts (${r.start.text})` });
    }
  }
  const terms = [...data.rulers].sort((a, b) => a.start.start.localeCompare(b.start.start));
  for (let i = 1; i < terms.length; i++) {
    const prev = terms[i - 1]!;
    const cur = terms[i]!;
    if (!prev.end || prev.end.start > cur.start.start) {
      problems.push({
        file: fileOf('rulers'),
        entry: cur.id,
        field: 'start',
        message: `overlaps ruler term "${prev.id}" (${prev.start.text} – ${prev.end?.text ?? 'open'})`,
      });
    }
  }
}

/** Loads every collection and reports all problems at once, so one run of data:check shows everything. */
export function loadKnowledgeData(dir: string = DEFAULT_DATA_DIR): KnowledgeData {
  const problems: DataProblem[] = [];
  const fileOf = (name: CollectionName) => relative(process.cwd(), join(dir, `${name}.yaml`)) || `${name}.yaml`;
  const raw = readCollections(dir, problems);
  const data = {} as KnowledgeData;
  for (const name of Object.keys(collections) as CollectionName[]) {
    (data as unknown as Record<string, unknown[]>)[name] =
      raw[name] === undefined ? [] : validateCollection(name, raw[name], fileOf(name), problems);
  }
  crossCheck(data, fileOf, problems);
  if (problems.length > 0) throw new DataError(problems);
  return data;
}
