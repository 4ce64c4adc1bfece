import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { MIGRATIONS_FOLDER } from '../open.js';
import { refuseNewerDatabase } from '../newer-release.js';
import { isWriteRefused } from '../write-refused.js';
import { leavingClient, leavingPool } from './client-left.js';
import { DEFAULT_PG_CONNECT_TIMEOUT_MS, isConnectTimeout, timedClient } from './connect-timeout.js';
import { readTimeoutOption, withoutReadTimeout } from './read-timeout.js';
import * as schema from './schema.js';

// PostgreSQL through node-postgres: one bounded pool per process, migrated on open.

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

// Beside the SQLite migrations, and found from that folder: `npm run build` bundles every module into
// dist/src/server.js, where only paths resolved from src/db/'s depth still land in the project.
export const PG_MIGRATIONS_FOLDER = join(MIGRATIONS_FOLDER, 'postgres');

// bigint columns (versions, audit seq, revisions, counts) as numbers: the schema's checks keep them within
// Number.MAX_SAFE_INTEGER, and SQLite hands the same values to the code as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PgOptions {
  /** Most connections the pool opens (PG_POOL_MAX). */
  poolMax: number;
  /**
   * How long a statement waits for a lock, as SQLite's busy timeout (DATABASE_BUSY_TIMEOUT_MS): a writer
   * waiting longer for the write lock (another write, an import) fails with lock_not_available, answered 503.
   * PostgreSQL reads take no lock a writer holds. 0 fails at once (PostgreSQL's own 0 would wait for ever).
   */
  lockTimeoutMs?: number;
  /** How long opening a connection may take (PG_CONNECT_TIMEOUT_MS): src/db/pg/connect-timeout.ts. */
  connectTimeoutMs?: number;
  /** How long one statement may run (PG_READ_TIMEOUT_MS; none when absent or 0): src/db/pg/read-timeout.ts. */
  readTimeoutMs?: number;
  /** How long to wait for another process migrating the database (DATABASE_OPEN_WAIT_MS; MIGRATE_WAIT_MS by default). */
  migrateWaitMs?: number;
}

/** How long opening waits for another process's migration by default: as long as a start waits for other work. */
export const MIGRATE_WAIT_MS = 15 * 60_000;

export async function openPostgres(url: string, options: PgOptions): Promise<PgDb> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_PG_CONNECT_TIMEOUT_MS;
  const pool = new (leavingPool(pg.Pool))({
    connectionString: url,
    max: options.poolMax,
    // One connection is kept while the pool is idle (node-postgres ends idle ones after 10 s): without it the first
    // request after every 10 s of quiet connected anew, to a backend whose catalog caches and named statements were
    // cold, ~80 ms more for a list on the 100k database (median 124 against 43 ms; docs/reliability-probes.md,
    // session 42). TCP keep-alive from a minute on keeps it known to a firewall or NAT that drops silent connections.
    min: 1,
    keepAlive: true,
    keepAliveInitialDelayMillis: 60_000,
    Client: leavingClient(timedClient(pg.Client, connectTimeoutMs)),
    ...(options.lockTimeoutMs === undefined ? {} : { lock_timeout: Math.max(1, options.lockTimeoutMs) }),
    ...readTimeoutOption(options.readTimeoutMs),
  });
  // An idle connection the server ends (a restart, a failover, pg_terminate_backend) is an 'error' event on the
  // pool, which crashes the process when nothing listens. The pool has already dropped it; a request that
  // then cannot reach the database fails on its own (a 500 or 503 problem), and the next one connects anew.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema });
  try {
    const done = await withoutReadTimeout(pool, async (client) => {
      await refuseOtherSchema(client);
      return migrated(client);
    });
    if (!done) await migrateAlone(pool, options.migrateWaitMs ?? MIGRATE_WAIT_MS);
  } catch (error) {
    await pool.end();
    if (!isConnectTimeout(error)) throw error;
    throw new Error(`no connection within PG_CONNECT_TIMEOUT_MS (${connectTimeoutMs} ms): the host did not answer as PostgreSQL`);
  }
  return db;
}

/**
 * Refuses a connection whose search_path leaves out `public`, where the migrations create and name the tables
 * ("public"."states") and where the code finds them by their plain names: with `?options=-c search_path=app` a new
 * database failed half-way through its migration (`relation "public.recommendations" does not exist`, nothing
 * kept), and a migrated one would have failed each query.
 */
async function refuseOtherSchema(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ found: boolean; path: string }>(
    `select 'public' = any(current_schemas(false)) as found, current_setting('search_path') as path`,
  );
  if (rows[0]!.found) return;
  throw new Error(
    `the service's tables are in the schema public, which this connection's search_path (${rows[0]!.path}) leaves out: take search_path ` +
      'out of DATABASE_URL (options=-c search_path=…) and the role’s and database’s settings (ALTER ROLE … RESET search_path), or add public to it',
  );
}

/** An app role granted only reads and writes on the tables, met by a new release (or a new database). */
function migrationRefused(error: Error): Error {
  const reason = (error.cause as Error | undefined)?.message ?? error.message;
  return new Error(
    `the database needs this release's migrations, and this role may not apply them (${reason}): start this release once ` +
      "as the database's owner (or a role with CREATE on the database and on schema public), then as this role",
  );
}

/** The advisory lock of the process migrating the database ("uprm" in ASCII). */
const MIGRATE_LOCK = 0x7570726d;

/**
 * Migrates holding MIGRATE_LOCK, on one connection (so a pool of one suffices), and only if no other process
 * did meanwhile: instances started together on a new database each found it unmigrated, and all but one
 * failed creating the same tables ("duplicate key value violates unique constraint pg_type_typname_nsp_index").
 * Waits for the lock (and, migrating, for any other lock) at most `waitMs`: a process that hung mid-migration
 * held the others' starts for good.
 */
async function migrateAlone(pool: pg.Pool, waitMs: number): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // search_path public: a schema named after the role ("$user", public: the default path) got the new tables.
    await client.query(`select set_config('lock_timeout', $1, false), set_config('statement_timeout', '0', false), set_config('search_path', 'public', false)`, [
      `${Math.max(1, Math.round(waitMs))}ms`,
    ]);
    await client.query('select pg_advisory_lock($1)', [MIGRATE_LOCK]).catch((error: Error & { code?: string }) => {
      if (error.code !== '55P03') throw error; // lock_not_available
      throw new Error(
        `another process has been migrating the database for more than ${waitMs} ms (DATABASE_OPEN_WAIT_MS), holding its ` +
          `migration lock (pg_advisory_lock(${MIGRATE_LOCK})): start this one again once it is done, or end that session if it hung`,
      );
    });
    try {
      if (!(await migrated(client))) {
        await migrate(drizzle(client, { schema }), { migrationsFolder: PG_MIGRATIONS_FOLDER, migrationsSchema: 'public' }).catch((error: Error) => {
          throw isWriteRefused(error) ? migrationRefused(error) : error;
        });
      }
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK]);
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // Dropped, not returned to the pool: its lock_timeout, statement_timeout, search_path (and, after a failure, any lock it took) go with it.
    client.release(broken ?? true);
  }
}

let journal: Array<{ when: number }> | undefined;

/** The migrations' journal (drizzle-kit's meta/_journal.json), read once. */
function journalEntries(): Array<{ when: number }> {
  journal ??= (
    JSON.parse(readFileSync(`${PG_MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as { entries: Array<{ when: number }> }
  ).entries;
  return journal;
}

/**
 * Whether every migration is applied: drizzle's migrate applies those made after the last one recorded
 * (`created_at` is the journal's `when`), and with none to apply does nothing, but only after reading and
 * hashing every migration file and five statements (a test app's database is made migrated).
 */
async function migrated(pool: pg.Pool | pg.PoolClient): Promise<boolean> {
  const { rows } = await pool.query<{ recorded: boolean }>("select to_regclass('public.__drizzle_migrations') is not null as recorded");
  if (!rows[0]!.recorded) return false;
  const last = await pool.query<{ created_at: number; applied: number }>(
    'select created_at, (select count(*)::int from public.__drizzle_migrations) as applied from public.__drizzle_migrations order by created_at desc limit 1',
  );
  if (last.rows.length === 0) return false;
  const { created_at: lastRecorded, applied } = last.rows[0]!;
  refuseNewerDatabase(Number(lastRecorded), journalEntries(), applied);
  return journalEntries().every(({ when }) => Number(lastRecorded) >= when);
}

export function expectedPgMigrationCount(): number {
  return journalEntries().length;
}

export async function appliedPgMigrationCount(db: PgDb): Promise<number> {
  const { rows } = await db.$client.query<{ n: number }>('select count(*)::int as n from public.__drizzle_migrations');
  return rows[0]!.n;
}
