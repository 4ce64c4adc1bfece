import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { AnsweredAt } from '../revision.js';
import { pgStamp } from './revision.js';

// Running drizzle `sql` on a node-postgres pool: the read modules' one way in (src/*/pg-queries.ts).

const dialect = new PgDialect();

export type Pool = Pick<pg.Pool, 'query' | 'connect'>;

/** The text and parameters of a query, as node-postgres takes them. */
export function pgQuery(query: SQL): { text: string; values: unknown[] } {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return { text, values: params };
}

/** Statement shapes given a name, at most: each named one is prepared once per pooled connection. */
export const MAX_NAMED_STATEMENTS = 200;
const named = new Map<string, string>();

/**
 * The name of a statement's text for node-postgres, so that each connection parses and plans it once and
 * reuses it (PostgreSQL keeps a generic plan when it costs no more than the custom ones). Names go to the
 * first MAX_NAMED_STATEMENTS texts this process runs: a connection never holds more, whatever filters
 * clients combine; any other text runs unnamed, parsed and planned each time as before.
 */
export function statementName(text: string): string | undefined {
  let name = named.get(text);
  if (name === undefined && named.size < MAX_NAMED_STATEMENTS) named.set(text, (name = `upr-${named.size}`));
  return name;
}

/** The rows of a query as arrays of values (as better-sqlite3's raw rows: see rowValues in src/db/batch.ts). */
export async function pgRows(pool: Pick<pg.Pool, 'query'>, query: SQL): Promise<unknown[][]> {
  const { rows } = await pool.query<unknown[]>({ ...pgQuery(query), rowMode: 'array' });
  return rows;
}

/** The rows of a query as objects keyed by column name (as drizzle's db.all on SQLite). */
export async function pgAll<T>(pool: Pick<pg.Pool, 'query'>, query: SQL): Promise<T[]> {
  const { rows } = await pool.query(pgQuery(query));
  return rows as T[];
}

/** How many rows `from` (a FROM clause with its WHERE) holds. */
export async function pgCount(pool: Pick<pg.Pool, 'query'>, from: SQL): Promise<number> {
  const { rows } = await pool.query<[number]>({ ...pgQuery(sql`select cast(count(*) as integer) from ${from}`), rowMode: 'array' });
  return rows[0]![0];
}

/**
 * What `read` yields, read inside one repeatable-read, read-only transaction on a connection of its own: an
 * export sees the database as it was when it began. Ending the iteration early (a client gone) rolls back;
 * a connection that failed (lost, terminated) is discarded by the pool, not reused. `begun`, when given, is told
 * the stamp of the revision the transaction shows, before anything is read.
 */
export async function* snapshotRead<T>(
  pool: Pool,
  read: (client: pg.PoolClient) => AsyncGenerator<T, void, undefined>,
  begun?: AnsweredAt,
): AsyncGenerator<T, void, undefined> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('begin isolation level repeatable read read only');
    if (begun) begun(await pgStamp(client));
    yield* read(client);
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    // A rollback that fails (the connection lost, or closed when its client left) still releases it, to be dropped.
    if (failure === undefined) await client.query('rollback').catch((error: Error) => (failure = error));
    client.release(failure);
  }
}
