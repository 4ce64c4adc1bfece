import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { pgStamp } from './revision.js';

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
 * What `read` returns, read in one REPEATABLE READ READ ONLY transaction on one connection: an answer made of
 * several queries (stats, a record's detail) sees one revision of the database, never a write in between.
 * Run its queries one after another (await each): a connection runs one query at a time.
 */
export async function pgSnapshot<T>(pool: Pick<pg.Pool, 'connect'>, read: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin isolation level repeatable read read only');
    const result = await read(client);
    await client.query('commit');
    return result;
  } catch (error) {
    // A connection that cannot roll back is broken: released with the error, the pool drops it.
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

/** What `read` gives, read in a snapshot after the stamp it tells `answered` (its first statement: the snapshot's). */
export function pgReadAnswered<T>(pool: Pick<pg.Pool, 'connect'>, answered: (stamp: string) => void, read: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return pgSnapshot(pool, async (client) => {
    answered(await pgStamp(client));
    return read(client);
  });
}

/** What `read` gives, with the data revision's stamp read in the same snapshot: the stamp of the data it read. */
export function pgLabelled<T extends object>(pool: Pick<pg.Pool, 'connect'>, read: (client: pg.PoolClient) => Promise<T>): Promise<T & { stamp: string }> {
  return pgSnapshot(pool, async (client) => ({ ...(await read(client)), stamp: await pgStamp(client) }));
}
