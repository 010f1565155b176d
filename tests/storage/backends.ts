// Test helper (not a test file): the two storage backends every storage and digest suite runs on.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore, type OpenStoreOptions } from '../../src/storage/open.ts';
import { describePostgresUrl } from '../../src/storage/postgres.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';

export const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';

let probe: Promise<string | null> | undefined;

/** null when PostgreSQL answers, else why not. */
export function postgresProblem(): Promise<string | null> {
  probe ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (err) {
      return (err as Error).message || String(err);
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probe;
}

/**
 * Whether PostgreSQL tests run. Outside CI an unreachable server skips them with one plain warning
 * per test run; with CI=true they run (and fail).
 */
export async function postgresEnabled(): Promise<boolean> {
  const problem = await postgresProblem();
  if (!problem || IN_CI) return true;
  // One warning per `vitest run`: test files run in forks of one parent process.
  const marker = join(tmpdir(), `niger-watch-pg-skip-warned-${process.ppid}`);
  try {
    closeSync(openSync(marker, 'wx'));
    console.warn(
      `\n⚠ No PostgreSQL answers at ${describePostgresUrl(PG_URL).replace(/^PostgreSQL at /, '')} (${problem}): skipping the PostgreSQL storage and digest tests. ` +
        'Set TEST_DATABASE_URL to run them; with CI=true they fail instead.\n',
    );
  } catch {
    // already warned in this run
  }
  return false;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, empty, migrated store (with `tokenKey`, one that stores installations); `reopen` opens the same database again. */
  open(options?: Pick<OpenStoreOptions, 'tokenKey'>): Promise<TestDb>;
}

export interface TestDb {
  store: SqlDigestStore;
  /** The DATABASE_URL of this database (for worker processes). */
  url: string;
  schema?: string;
  reopen(options?: Pick<OpenStoreOptions, 'tokenKey'>): Promise<SqlDigestStore>;
  /** Reads the database directly, past the store (what an attacker with a copy of the file or a dump sees). */
  raw(sql: string): Promise<Record<string, unknown>[]>;
  /** Closes every store opened here and deletes the database. */
  cleanup(): Promise<void>;
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async open(options = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'niger-watch-store-'));
    const path = join(dir, 'nested', 'digests.sqlite');
    const url = `file:${path}`;
    const opened: SqlDigestStore[] = [];
    const reopen = async (again = options) => {
      const s = await openStore(url, again);
      opened.push(s);
      return s;
    };
    const store = await reopen();
    return {
      store,
      url,
      reopen,
      async raw(sql) {
        const file = new Database(path, { readonly: true });
        try {
          return file.prepare(sql).all() as Record<string, unknown>[];
        } finally {
          file.close();
        }
      },
      async cleanup() {
        for (const s of opened) await s.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
  async open(options = {}) {
    const problem = await postgresProblem();
    if (problem) throw new Error(`PostgreSQL is required here (CI=true) but not reachable at ${describePostgresUrl(PG_URL)}: ${problem}`);
    const schema = `nw_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const opened: SqlDigestStore[] = [];
    const reopen = async (again = options) => {
      const s = await openStore(PG_URL, { schema, ...again });
      opened.push(s);
      return s;
    };
    const store = await reopen();
    return {
      store,
      url: PG_URL,
      schema,
      reopen,
      async raw(sql) {
        const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
        await client.connect();
        try {
          return (await client.query(sql)).rows as Record<string, unknown>[];
        } finally {
          await client.end();
        }
      },
      async cleanup() {
        for (const s of opened) await s.close().catch(() => undefined);
        await dropSchema(schema);
      },
    };
  },
};

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Both backends, with whether to skip each: PostgreSQL is skipped (with a warning) only outside CI when unreachable. */
export async function backendMatrix(): Promise<{ backend: Backend; skip: boolean }[]> {
  const pgOn = await postgresEnabled();
  return [
    { backend: sqliteBackend, skip: false },
    { backend: postgresBackend, skip: !pgOn },
  ];
}
