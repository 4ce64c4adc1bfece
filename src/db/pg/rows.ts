import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';

// Running drizzle `sql` on a node-postgres pool: the read modules' one way in (src/*/pg-queries.ts).

const dialect = new PgDialect();

export type Pool = Pick<pg.Pool, 'query' | 'connect'>;

/** The text and parameters of a query, as node-postgres takes them. */
export function pgQuery(query: SQL): { text: string; values: unknown[] } {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return { text, values: params };
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
