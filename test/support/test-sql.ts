import type { FastifyInstance } from 'fastify';
import { postgresSide } from '../helpers.js';

/**
 * Plain SQL on a test app's own database, whichever backend it runs on (test/helpers.ts buildTestApp): SQLite
 * through the app's connection, PostgreSQL through the test's side connection. Statements are written once
 * with `?` placeholders; write SQL both dialects read (e.g. `cast(count(*) as integer)`, since PostgreSQL
 * returns a bigint count as a string).
 */
export interface TestSql {
  backend: 'sqlite' | 'postgres';
  all<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T | undefined>;
  /** Runs a statement and gives the number of rows it changed. */
  run(text: string, params?: unknown[]): Promise<number>;
  /** How many rows of `table` match `where` (SQL with `?` placeholders): proof that a failed write left nothing. */
  count(table: string, where?: string, params?: unknown[]): Promise<number>;
}

/** `?` placeholders numbered for PostgreSQL (`$1`, `$2`…); a `?` inside a quoted string stays. */
export function numberedPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/'(?:[^']|'')*'|\?/g, (match) => (match === '?' ? `$${++n}` : match));
}

export function testSql(app: FastifyInstance): TestSql {
  const sql = backendSql(app);
  return {
    ...sql,
    count: async (table, where = '1 = 1', params = []) =>
      (await sql.get<{ n: number }>(`select cast(count(*) as integer) as n from ${table} where ${where}`, params))!.n,
  };
}

function backendSql(app: FastifyInstance): Omit<TestSql, 'count'> {
  const side = postgresSide(app);
  if (side === undefined) {
    const client = app.db.$client;
    return {
      backend: 'sqlite',
      all: async <T>(text: string, params: unknown[] = []) => client.prepare(text).all(...params) as T[],
      get: async <T>(text: string, params: unknown[] = []) => client.prepare(text).get(...params) as T | undefined,
      run: async (text: string, params: unknown[] = []) => client.prepare(text).run(...params).changes,
    };
  }
  const query = async (text: string, params: unknown[]) => {
    await side.pending;
    return side.pool.query(numberedPlaceholders(text), params);
  };
  return {
    backend: 'postgres',
    all: async <T>(text: string, params: unknown[] = []) => (await query(text, params)).rows as T[],
    get: async <T>(text: string, params: unknown[] = []) => (await query(text, params)).rows[0] as T | undefined,
    run: async (text: string, params: unknown[] = []) => (await query(text, params)).rowCount ?? 0,
  };
}
