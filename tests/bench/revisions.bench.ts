// Knowledge revisions in the store (`npm run bench revisions`): the seed import of data/ at a first and a second
// start, and 100,000 synthetic revisions — their import, one entry's history, the count of current revisions and
// reading every current revision (what a live knowledge base will load) — on SQLite and PostgreSQL.
import { performance } from 'node:perf_hooks';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { importSeed, readSeed, seedEntry, type SeedEntry } from '../../src/storage/seed.ts';
import { postgresBackend, postgresProblem, sqliteBackend, type Backend } from '../storage/backends.ts';
import { fmt, percentiles, row } from './stats.ts';
import { syntheticFigures } from './synthetic.ts';

const SYNTHETIC = 100_000;
const NOW = Date.parse('2026-12-02T07:00:00Z');

function synthetic(n: number): SeedEntry[] {
  return syntheticFigures(n, { first: 0, added: '2026-11-29', years: 15 });
}

async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const result = await work();
  return [performance.now() - t0, result];
}

async function bench(backend: Backend): Promise<void> {
  process.stdout.write(`\n### ${backend.name}\n\n${row(['what', 'time'])}\n${row(['---', '---'])}\n`);
  // data/: a fresh database (first start), then the same one again (every later start), three times each.
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < 3; i++) {
    const db = await backend.open();
    try {
      first.push((await time(() => importSeed(db.store, DEFAULT_DATA_DIR, { now: NOW })))[0]);
      second.push((await time(() => importSeed(db.store, DEFAULT_DATA_DIR, { now: NOW })))[0]);
    } finally {
      await db.cleanup();
    }
  }
  const [readMs, seed] = await time(async () => readSeed(DEFAULT_DATA_DIR));
  process.stdout.write(
    `${row([`data/ (${seed.length} entries), first start: read, validate, import (best / median of 3)`, `${fmt(Math.min(...first))} / ${fmt(percentiles(first).p50)}`])}\n`,
  );
  process.stdout.write(
    `${row(['data/, second start: nothing to add (best / median of 3)', `${fmt(Math.min(...second))} / ${fmt(percentiles(second).p50)}`])}\n`,
  );
  process.stdout.write(`${row(['reading and validating the YAML of data/ alone (once)', fmt(readMs)])}\n`);

  const [buildMs, entries] = await time(async () => synthetic(SYNTHETIC));
  const db = await backend.open();
  try {
    const [importMs, report] = await time(() => importSeed(db.store, entries, { now: NOW }));
    if (report.added !== SYNTHETIC) throw new Error(`imported ${report.added}, expected ${SYNTHETIC}`);
    const [againMs] = await time(() => importSeed(db.store, entries, { now: NOW }));
    // A tenth of the entries changed: 10,000 new revisions on top of the 100,000.
    const changed = entries.map((e, i) => (i % 10 === 0 ? (seedEntry('deployments', { ...e.entry, count: 1 + Number(e.entry.count) }, i) as SeedEntry) : e));
    const [reviseMs] = await time(() => importSeed(db.store, changed, { now: NOW + 1000 }));
    const history: number[] = [];
    for (let i = 0; i < 300; i++) {
      const id = `bench-${(i * 7919) % SYNTHETIC}`;
      history.push((await time(() => db.store.revisionsOf('deployments', id)))[0]);
    }
    const counts: number[] = [];
    let n = 0;
    for (let i = 0; i < 20; i++) {
      const [ms, c] = await time(() => db.store.countCurrentRevisions());
      counts.push(ms);
      n = c;
    }
    const [allMs, all] = await time(() => db.store.currentRevisions());
    const h = percentiles(history);
    const c = percentiles(counts);
    process.stdout.write(
      [
        row([`${SYNTHETIC.toLocaleString('en')} synthetic entries: build and validate (zod, hash)`, fmt(buildMs)]),
        row([`import of ${SYNTHETIC.toLocaleString('en')} new revisions (one transaction)`, fmt(importMs)]),
        row([`second import of the same ${SYNTHETIC.toLocaleString('en')}: nothing to add`, fmt(againMs)]),
        row(['import with 10,000 of them changed (10,000 revisions 2)', fmt(reviseMs)]),
        row(["one entry's history, `revisionsOf` (p50 / p99 of 300)", `${fmt(h.p50)} / ${fmt(h.p99)}`]),
        row([`count of current revisions (${n.toLocaleString('en')}; p50 / p99 of 20)`, `${fmt(c.p50)} / ${fmt(c.p99)}`]),
        row([`every current revision, \`currentRevisions()\` (${all.length.toLocaleString('en')} rows)`, fmt(allMs)]),
      ]
        .map((line) => `${line}\n`)
        .join(''),
    );
  } finally {
    await db.cleanup();
  }
}

export default async function run(): Promise<void> {
  await bench(sqliteBackend);
  const problem = await postgresProblem();
  if (problem) process.stdout.write(`\n(PostgreSQL skipped: ${problem})\n`);
  else await bench(postgresBackend);
}
