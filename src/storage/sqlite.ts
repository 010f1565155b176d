import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StorageError, type MigrationTx } from './migrations.ts';
import type { SqlDriver, Statement } from './sql-store.ts';

/**
 * better-sqlite3 is synchronous; this wraps it in the async driver interface. WAL lets readers
 * and one writer work at once (several processes may share the file), busy_timeout makes a
 * writer wait for the lock instead of failing at once.
 */
const migrationLocks = new Map<string, Promise<void>>();

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly path: string,
    options: { busyTimeoutMs?: number } = {},
  ) {
    if (path !== ':memory:') makeDirectory(dirname(path), path);
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      db.pragma('journal_mode = WAL');
    } catch (err) {
      db?.close();
      throw cannotWrite(err, path) ? readOnlyError(path) : err;
    }
    this.db = db;
    this.description = path === ':memory:' ? 'SQLite (in memory)' : `SQLite at ${path}`;
    // In WAL mode NORMAL is durable against process crashes (only an OS crash may lose the last commits).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= 500) this.statements.clear(); // multi-row statements vary in length
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  querySync(sql: string, params: unknown[] = []): Record<string, unknown>[] {
    const stmt = this.prepare(sql);
    const values = params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : p));
    if (stmt.reader) return stmt.all(...values) as Record<string, unknown>[];
    stmt.run(...values);
    return [];
  }

  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return this.querySync(sql, params);
  }

  async batch(statements: Statement[]): Promise<Record<string, unknown>[][]> {
    // Synchronous inside one IMMEDIATE transaction: nothing else can interleave, and a writer in
    // another process makes us wait (busy_timeout) instead of failing.
    return this.db.transaction(() => statements.map((s) => this.querySync(s.sql, s.params))).immediate();
  }

  async migrate(fn: (tx: MigrationTx) => Promise<void>): Promise<void> {
    // Within one process, connections to the same file migrate one after the other: a transaction
    // held across an await would make the second BEGIN block the only thread (busy_timeout) and deadlock.
    const previous = migrationLocks.get(this.path) ?? Promise.resolve();
    const mine = previous.then(() => this.migrateNow(fn));
    const settled = mine.catch(() => undefined);
    migrationLocks.set(this.path, settled);
    try {
      await mine;
    } finally {
      if (migrationLocks.get(this.path) === settled) migrationLocks.delete(this.path);
    }
  }

  private async migrateNow(fn: (tx: MigrationTx) => Promise<void>): Promise<void> {
    // BEGIN IMMEDIATE takes the write lock at once: a second process starting at the same moment
    // waits (busy_timeout) and then sees the migrations already recorded.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      // Migration statements run once: prepared here, not kept in the statement cache.
      await fn({
        query: async (sql, params = []) => {
          const stmt = this.db.prepare(sql);
          if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
          stmt.run(...params);
          return [];
        },
      });
      this.assertWritable();
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw this.path !== ':memory:' && cannotWrite(err, this.path) ? readOnlyError(this.path) : err;
    }
  }

  /**
   * SQLite opens a file it may not write read-only without a word, and BEGIN IMMEDIATE and the migrations
   * of an up-to-date database write nothing: without this the bot would start and then fail every
   * subscription and every delivery record. A write inside a savepoint that is rolled back tells.
   */
  private assertWritable(): void {
    if (this.path === ':memory:') return;
    this.db.exec('SAVEPOINT niger_watch_write_check');
    try {
      this.db.exec('CREATE TABLE niger_watch_write_check (x INTEGER)');
    } catch (err) {
      throw cannotWrite(err, this.path) ? readOnlyError(this.path) : err;
    } finally {
      this.db.exec('ROLLBACK TO niger_watch_write_check; RELEASE niger_watch_write_check');
    }
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

/**
 * Whether an error opening or writing `path` means this process may not write there: SQLITE_READONLY, or
 * SQLITE_CANTOPEN for an existing file whose directory it may not write (no room for -wal and -shm).
 */
function cannotWrite(err: unknown, path: string): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  if (code.startsWith('SQLITE_READONLY')) return true;
  if (!code.startsWith('SQLITE_CANTOPEN') || !existsSync(path)) return false;
  try {
    accessSync(dirname(path), constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

function readOnlyError(path: string): StorageError {
  return new StorageError(
    `The SQLite database at ${path} is read-only for this process: digests cannot be recorded. ` +
      `Make the file and its directory writable (SQLite also writes ${path}-wal and ${path}-shm beside it), or set DATABASE_URL to another file.`,
  );
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync never returns for a path under /proc (each
 * mkdir there fails with ENOENT although the parent exists, and it retries the parent forever).
 */
function makeDirectory(dir: string, databasePath: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new StorageError(
        `Cannot create the directory ${d} for the SQLite database at ${databasePath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Check DATABASE_URL.`,
      );
    }
  }
}
