import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { MigrationTx } from './migrations.ts';
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
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.description = path === ':memory:' ? 'SQLite (in memory)' : `SQLite at ${path}`;
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    this.db.pragma('journal_mode = WAL');
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
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
