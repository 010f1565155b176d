// Digest fan-out capacity: claim + render + record of N digests due in the same minute, with a
// no-op poster (no pacing), on SQLite and PostgreSQL, at 1,000 / 5,000 / 10,000 to show memory
// stays flat as the count grows. Targets on a 2-core machine: ≥ 2,000/s SQLite, ≥ 1,000/s PostgreSQL.
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ChannelPoster } from '../../src/core/delivery.ts';
import { DigestScheduler } from '../../src/digest/scheduler.ts';
import { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { createLogger } from '../../src/logger.ts';
import { storeTarget } from '../../src/storage/open.ts';
import { PG_URL, postgresBackend, postgresProblem, sqliteBackend, type Backend, type TestDb } from '../storage/backends.ts';
import { fmt, percentiles, row } from './stats.ts';

const COUNTS = [1_000, 5_000, 10_000];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const DUE = Date.parse('2026-11-30T07:00:00Z');

/** Seeds N due subscriptions with plain SQL (seeding is not what is measured). */
async function seed(db: TestDb, n: number): Promise<void> {
  const values = (i: number) => [
    'discord',
    String(100000000000000000n + BigInt(i)),
    '900000000000000001',
    '08:00',
    'Africa/Niamey',
    1,
    DUE,
    '2026-11-30',
    'bench',
    DUE,
    DUE,
  ];
  const sql = `INSERT INTO digest_subscriptions (platform, channel_id, workspace_id, time_of_day, time_zone, active, next_due_at, next_local_date, created_by, created_at, updated_at) VALUES `;
  if (db.schema) {
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${db.schema}` });
    await client.connect();
    for (let i = 0; i < n; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, n - i) }, (_, j) => values(i + j));
      let k = 0;
      await client.query(sql + rows.map((r) => `(${r.map(() => `$${++k}`).join(', ')})`).join(', '), rows.flat());
    }
    await client.end();
  } else {
    const target = storeTarget(db.url);
    const raw = new Database(target.kind === 'sqlite' ? target.path : '');
    const stmt = raw.prepare(`${sql}(${Array(11).fill('?').join(', ')})`);
    raw.transaction(() => {
      for (let i = 0; i < n; i++) stmt.run(...values(i));
    })();
    raw.close();
  }
}

interface Result {
  backend: string;
  count: number;
  ms: number;
  perSecond: number;
  peakRssMb: number;
  peakHeapDeltaMb: number;
  retainedMb: number;
  sent: number;
  /** ms from the platform's answer to the claim row saying sent: a crash inside it leaves a started claim. */
  window: { p50: number; p99: number; max: number };
}

async function run(backend: Backend, count: number, kb: KnowledgeBase): Promise<Result> {
  const db = await backend.open();
  try {
    await seed(db, count);
    let posted = 0;
    const answeredAt = new Map<string, number>();
    const windows: number[] = [];
    const noop: ChannelPoster = {
      platform: 'discord',
      post: async (channelId) => {
        answeredAt.set(channelId, performance.now());
        return { messageId: String(++posted) };
      },
    };
    // Measures, per delivery, the time between the platform's answer and the committed record.
    const record = db.store.recordResults.bind(db.store);
    db.store.recordResults = async (records, now) => {
      const ok = await record(records, now);
      const t = performance.now();
      for (const r of records) {
        const at = r.claim ? answeredAt.get(r.claim.key.channelId) : undefined;
        if (at !== undefined) {
          windows.push(t - at);
          answeredAt.delete(r.claim!.key.channelId);
        }
      }
      return ok;
    };
    const scheduler = new DigestScheduler({
      store: db.store,
      kb,
      log: createLogger({ level: 'silent' }),
      posters: [noop],
      pacing: { discord: null },
    });
    gc();
    const heapBase = process.memoryUsage().heapUsed;
    let peakRss = process.memoryUsage().rss;
    let peakHeap = heapBase;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 5);
    const t0 = performance.now();
    const report = await scheduler.tick(new Date(DUE + 10_000));
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    gc();
    const retained = process.memoryUsage().heapUsed - heapBase;
    if (report.sent !== count || posted !== count) throw new Error(`${backend.name} ${count}: sent ${report.sent}, posted ${posted}`);
    return {
      backend: backend.name,
      count,
      ms,
      perSecond: (count / ms) * 1000,
      peakRssMb: peakRss / 2 ** 20,
      peakHeapDeltaMb: (peakHeap - heapBase) / 2 ** 20,
      retainedMb: retained / 2 ** 20,
      sent: report.sent,
      window: percentiles(windows),
    };
  } finally {
    await db.cleanup();
  }
}

export default async function digestBench(): Promise<void> {
  const kb = KnowledgeBase.load();
  const backends: Backend[] = [sqliteBackend];
  const problem = await postgresProblem();
  if (problem) process.stdout.write(`PostgreSQL not reachable (${problem}): PostgreSQL rows skipped.\n`);
  else backends.push(postgresBackend);
  // Warm-up (JIT, statement caches, connection pool) on a small run per backend.
  for (const b of backends) await run(b, 500, kb);
  const results: Result[] = [];
  for (const b of backends) for (const n of COUNTS) results.push(await run(b, n, kb));
  const lines = [
    'Claim + render + record (no-op poster, no pacing), one instance, all due in the same minute:',
    '',
    row(['store', 'digests', 'time', 'digests/s', 'peak RSS', 'peak heap growth', 'heap retained after GC', 'answer → recorded p50 / p99']),
    row(['---', '---', '---', '---', '---', '---', '---', '---']),
    ...results.map((r) =>
      row([
        r.backend,
        r.count.toLocaleString('en-US'),
        `${(r.ms / 1000).toFixed(2)} s`,
        Math.round(r.perSecond).toLocaleString('en-US'),
        `${r.peakRssMb.toFixed(0)} MB`,
        `${r.peakHeapDeltaMb.toFixed(1)} MB`,
        `${r.retainedMb.toFixed(1)} MB`,
        `${fmt(r.window.p50)} / ${fmt(r.window.p99)}`,
      ]),
    ),
    '',
    'Targets: ≥ 2,000/s on SQLite, ≥ 1,000/s on PostgreSQL; memory flat from 1,000 to 10,000 (rows are read and claimed 100 at a time).',
    '"answer → recorded": a crash inside it leaves a started claim, which the next holder looks up (Slack history, Discord nonce) after the lease instead of posting blind (here 32 deliveries in flight, no pacing: group commits are larger than when paced).',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
