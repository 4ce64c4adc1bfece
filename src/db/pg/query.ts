import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';

// drizzle `sql` run through node-postgres: on the pool, or on one client inside a transaction.

const dialect = new PgDialect();

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The rows of a query, as objects named by their columns. */
export async function pgAll<T>(client: Queryable, query: SQL): Promise<T[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await client.query({ text, values: params })).rows as T[];
}

/** The first row of a query, or undefined. */
export async function pgGet<T>(client: Queryable, query: SQL): Promise<T | undefined> {
  return (await pgAll<T>(client, query))[0];
}

/** Runs a statement; returns how many rows it touched. */
export async function pgRun(client: Queryable, query: SQL): Promise<number> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await client.query({ text, values: params })).rowCount ?? 0;
}
