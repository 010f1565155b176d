import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Document, isMap, isScalar, isSeq, type Scalar, visit } from 'yaml';
import { DEFAULT_DATA_DIR } from '../knowledge/load.ts';
import { TRANSLATIONS_DIR } from '../knowledge/translations.ts';
import { StorageError } from './migrations.ts';
import { REVISIONED_KINDS } from './seed.ts';
import type { RevisionStore } from './types.ts';

/** The files of data/ that hold words, not revisioned facts: an export elsewhere copies them from the seed as they are. */
const WORD_FILES = ['countries.yaml', 'lexicon.yaml'];

export interface ExportReport {
  dir: string;
  entries: number;
  files: string[];
}

/**
 * The comment block a data file opens with (what the file holds, warnings to its editors): kept, since the entries
 * below it are rewritten and their own comments cannot be.
 */
function header(path: string): string {
  if (!existsSync(path)) return '';
  // Up to the first blank line: the comments after it head a group of entries ("# --- France ---"), not the file.
  const lines: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(line);
  }
  return lines.length ? `${lines.join('\n')}\n\n` : '';
}

/** Fields whose values are ids, which data/ writes plain; every other text is in double quotes (so "2024" stays text). */
const ID_FIELDS = new Set(['id', 'person', 'event', 'endEvent', 'under']);
const ID_LIST_FIELDS = new Set(['sources', 'places', 'actors', 'tags']);

function style(node: unknown, plain: boolean): void {
  if (isScalar(node) && typeof node.value === 'string') (node as Scalar).type = plain ? 'PLAIN' : 'QUOTE_DOUBLE';
}

/** One entry as a YAML list item, laid out as data/ writes them: lists of values and small mappings of numbers on one line. */
function dumpEntry(entry: Record<string, unknown>): string {
  const doc = new Document([entry]);
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const value = pair.value;
      if (isSeq(value) && value.items.length && value.items.every(isScalar)) {
        value.flow = true;
        for (const item of value.items) style(item, ID_LIST_FIELDS.has(key));
      } else if (isMap(value) && value.items.every((p) => isScalar(p.value) && typeof p.value.value === 'number')) {
        value.flow = true;
      } else {
        style(value, ID_FIELDS.has(key));
      }
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * Writes the current revision of every entry to `<dir>/<kind>.yaml`, in the files' order, as data/ lays them out,
 * so `npm run data:check <dir>` reads them. Into another directory than the seed's, the word files (countries,
 * lexicon, translations) are copied from the seed. Each file is written whole and then renamed into place, so a
 * crash leaves every file either old or new.
 */
export async function exportKnowledge(store: RevisionStore, dir: string = DEFAULT_DATA_DIR, seedDir: string = DEFAULT_DATA_DIR): Promise<ExportReport> {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new StorageError(`Cannot export the knowledge base to ${dir}: it is a file, not a directory.`);
  mkdirSync(dir, { recursive: true });
  const current = await store.currentRevisions();
  const files: string[] = [];
  for (const kind of REVISIONED_KINDS) {
    const path = join(dir, `${kind}.yaml`);
    const entries = current.filter((r) => r.kind === kind);
    const text = header(join(seedDir, `${kind}.yaml`)) + (entries.length ? entries.map((r) => dumpEntry(r.entry)).join('\n') : '[]\n');
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    files.push(path);
  }
  if (resolve(dir) !== resolve(seedDir)) {
    for (const f of WORD_FILES) cpSync(join(seedDir, f), join(dir, f));
    if (existsSync(join(seedDir, TRANSLATIONS_DIR))) cpSync(join(seedDir, TRANSLATIONS_DIR), join(dir, TRANSLATIONS_DIR), { recursive: true });
  }
  return { dir, entries: current.length, files };
}
