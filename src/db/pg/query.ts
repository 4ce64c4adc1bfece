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

/**
 * A transaction's client for code that reads with Promise.all (the read stores): its queries run one after
 * another, as node-postgres wants on one connection (it deprecates overlapping queries on a client).
 */
export function oneAtATime(client: Queryable): Pick<pg.Pool, 'query'> {
  let last: Promise<unknown> = Promise.resolve();
  const query = (...args: Parameters<Queryable['query']>) => {
    const next = last.then(() => (client.query as (...a: unknown[]) => Promise<unknown>)(...args));
    last = next.catch(() => undefined);
    return next;
  };
  return { query } as unknown as Pick<pg.Pool, 'query'>;
}
