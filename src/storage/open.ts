import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';
import { maskSecrets } from '../logger.ts';
import { StorageError } from './migrations.ts';
import { SqlDigestStore, type SqlDriver } from './sql-store.ts';
import { TokenCipher } from './token-cipher.ts';

export { StorageError };

/** Where the store lives when DATABASE_URL is not set: var/niger-watch.sqlite in the project. */
export const DEFAULT_SQLITE_PATH = join(PROJECT_ROOT, 'var', 'niger-watch.sqlite');

export interface OpenStoreOptions {
  /** PostgreSQL schema for the tables (tests use one per run). */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  onPoolError?: (err: Error) => void;
  /** Told about every statement, batch or migration the database failed (the metrics count them). */
  onQueryError?: (err: unknown) => void;
  now?: number;
  /** TOKEN_ENCRYPTION_KEY (32 bytes): seals the tokens of Slack installations. */
  tokenKey?: Buffer;
}

export type StoreTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Reads DATABASE_URL: unset → the default SQLite file; `file:/path` → SQLite there; `postgres://…` → PostgreSQL. */
export function storeTarget(databaseUrl: string | undefined): StoreTarget {
  if (!databaseUrl) return { kind: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return { kind: 'postgres', url: databaseUrl };
  if (databaseUrl.startsWith('file:')) {
    let path = databaseUrl.slice('file:'.length);
    if (path.startsWith('//')) path = fileURLToPath(databaseUrl); // file:///abs/path
    if (!path) throw new StorageError('DATABASE_URL file: needs a path, e.g. file:/var/lib/niger-watch/digests.sqlite');
    return { kind: 'sqlite', path: path === ':memory:' ? ':memory:' : path };
  }
  throw new StorageError('DATABASE_URL must start with file: or postgres://');
}

/**
 * Opens the digest store and applies pending migrations. Errors never carry the connection
 * string (it may hold a password).
 */
export async function openStore(databaseUrl: string | undefined, options: OpenStoreOptions = {}): Promise<SqlDigestStore> {
  const target = storeTarget(databaseUrl);
  const cipher = options.tokenKey ? new TokenCipher(options.tokenKey) : undefined;
  let store: SqlDigestStore;
  if (target.kind === 'sqlite') {
    const { SqliteDriver } = await import('./sqlite.ts');
    try {
      store = new SqlDigestStore(counted(new SqliteDriver(target.path), options.onQueryError), cipher);
    } catch (err) {
      if (err instanceof StorageError) throw err; // already names the path and what to do
      throw new StorageError(`Cannot open the SQLite database at ${target.path}: ${maskSecrets(String((err as Error).message))}`);
    }
  } else {
    // Loaded only when needed, so the default (SQLite) start does not pay for pg.
    const { PostgresDriver } = await import('./postgres.ts');
    store = new SqlDigestStore(
      counted(new PostgresDriver(target.url, { schema: options.schema, max: options.poolSize, onError: options.onPoolError }), options.onQueryError),
      cipher,
    );
  }
  try {
    await store.migrate(options.now);
  } catch (err) {
    await store.close().catch(() => undefined);
    if (err instanceof StorageError) throw err;
    const message = maskSecrets(String((err as Error).message ?? err)).replaceAll(databaseUrl ?? '\u0000', '[redacted]');
    throw new StorageError(`Cannot prepare the digest database (${store.description}): ${message}`);
  }
  return store;
}

/** The driver, telling `onError` about each call the database failed (and still failing it). */
function counted(driver: SqlDriver, onError: ((err: unknown) => void) | undefined): SqlDriver {
  if (!onError) return driver;
  const told = <T>(work: Promise<T>): Promise<T> =>
    work.catch((err: unknown) => {
      try {
        onError(err);
      } catch {
        // Counting never hides the database's own error.
      }
      throw err;
    });
  return {
    dialect: driver.dialect,
    description: driver.description,
    query: (sql, params) => told(driver.query(sql, params)),
    batch: (statements) => told(driver.batch(statements)),
    migrate: (fn) => told(driver.migrate(fn)),
    ...(driver.listen ? { listen: driver.listen.bind(driver) } : {}),
    close: () => driver.close(),
  };
}
