import pg from 'pg';
import type { MigrationTx } from './migrations.ts';
import type { SqlDriver, Statement } from './sql-store.ts';

export interface PostgresOptions {
  /** Tables live in this schema (created if missing); the tests give each run its own. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /** Called with pool errors (an idle connection dropped by the server) instead of crashing. */
  onError?: (err: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** "host:port/db" from a connection string: safe to log, never the user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/**
 * A deadlock (40P01) or serialization failure (40001) rolls the whole statement or transaction
 * back, so running it again is safe. Rows are written in key order, so this is a last resort.
 */
async function retryOnConflict<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (i >= attempts || (code !== '40P01' && code !== '40001')) throw err;
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 20));
    }
  }
}

/** A pg Pool behind the async driver interface; `?` placeholders become $1, $2 … */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly description: string;
  readonly pool: pg.Pool;
  private readonly converted = new Map<string, string>();

  constructor(
    private readonly connectionString: string,
    private readonly options: PostgresOptions = {},
  ) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new Error('PostgreSQL schema names here are lower-case letters, digits and underscores');
    }
    this.description = describePostgresUrl(connectionString) + (options.schema ? ` (schema ${options.schema})` : '');
    this.pool = new pg.Pool({
      connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    this.pool.on('error', (err) => options.onError?.(err));
  }

  private sql(text: string): string {
    let out = this.converted.get(text);
    if (out === undefined) {
      let n = 0;
      out = text.replace(/\?/g, () => `$${++n}`);
      this.converted.set(text, out);
    }
    return out;
  }

  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return retryOnConflict(async () => (await this.pool.query(this.sql(sql), params)).rows as Record<string, unknown>[]);
  }

  async batch(statements: Statement[]): Promise<Record<string, unknown>[][]> {
    if (statements.length === 1) return [await this.query(statements[0]!.sql, statements[0]!.params)];
    return retryOnConflict(() => this.batchOnce(statements));
  }

  private async batchOnce(statements: Statement[]): Promise<Record<string, unknown>[][]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out: Record<string, unknown>[][] = [];
      for (const s of statements) out.push((await client.query(this.sql(s.sql), s.params)).rows as Record<string, unknown>[]);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async migrate(fn: (tx: MigrationTx) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      if (this.options.schema) {
        // Two instances may race here; "already exists" from the loser is fine.
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.options.schema}`).catch((err: { code?: string }) => {
          if (err.code !== '23505' && err.code !== '42P06') throw err;
        });
      }
      await client.query('BEGIN');
      // An advisory lock only guards the migration (it vanishes with a crashed session, which also
      // rolls the transaction back); exactly-once delivery never relies on it.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext(coalesce(current_schema(), '') || ':niger-watch:migrations'))`);
      await fn({ query: async (sql, params) => (await client.query(this.sql(sql), params)).rows as Record<string, unknown>[] });
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * LISTENs on `channel` with a client of its own (a pooled connection would be handed to others and lose it). A
   * dropped connection is reopened after a pause, and `onNotify` is called once it is back, since notifications
   * sent meanwhile are lost. The function returned closes it for good.
   */
  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error('notification channels here are lower-case identifiers');
    let client: pg.Client | undefined;
    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    // Doubles while the database stays away (each failure is logged by onError), back to 1 s once it answers.
    let pause = 1000;
    const open = async (): Promise<void> => {
      // Named, so an operator (or a test) can tell the listening connection in pg_stat_activity.
      const c = new pg.Client({
        connectionString: this.connectionString,
        connectionTimeoutMillis: 10_000,
        application_name: `niger-watch listen ${this.options.schema ?? channel}`,
      });
      c.on('notification', (m) => {
        if (m.channel === channel) onNotify();
      });
      c.on('error', (err) => {
        this.options.onError?.(err);
        reconnect(c);
      });
      c.on('end', () => reconnect(c));
      client = c;
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    };
    const reconnect = (c: pg.Client) => {
      if (closed || client !== c || retry) return;
      client = undefined;
      c.end().catch(() => undefined);
      retry = setTimeout(() => {
        retry = undefined;
        if (closed) return;
        open().then(
          () => {
            pause = 1000;
            onNotify();
          },
          (err: Error) => {
            pause = Math.min(pause * 2, 30_000);
            this.options.onError?.(err);
            if (client) reconnect(client);
          },
        );
      }, pause);
      retry.unref();
    };
    await open().catch((err: unknown) => {
      const c = client;
      client = undefined;
      void c?.end().catch(() => undefined);
      throw err;
    });
    return async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
