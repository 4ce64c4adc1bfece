import type { FastifyInstance } from 'fastify';
import { createApiKey, newKeyId, newKeySecret } from '../src/auth/keys.js';
import type { ApiKeyScope } from '../src/db/schema.js';
import { postgresSide } from './helpers.js';
import { testSql } from './support/test-sql.js';

// Helpers for tests of the curation API: keys minted straight into the app's database, and requests that
// carry them.

/** Mints a key and returns it (the secret a client would send). */
export function mintKey(app: FastifyInstance, scope: ApiKeyScope = 'write', name = 'test-curator'): string {
  const onPostgres = postgresSide(app);
  if (onPostgres === undefined) return createApiKey(app.db, name, scope).key;
  // On PostgreSQL the key is stored asynchronously; the app's next request waits for it (test/helpers.ts).
  const id = newKeyId();
  const { key, hash } = newKeySecret(id);
  const stored = onPostgres.pool.query('insert into api_keys (id, name, scope, hash, created_at) values ($1, $2, $3, $4, $5)', [
    id,
    name,
    scope,
    hash,
    new Date().toISOString(),
  ]);
  onPostgres.pending = Promise.all([onPostgres.pending, stored]);
  return key;
}

export interface SendOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends a request (JSON body, bearer key) and parses the JSON answer, if any. */
export async function send<T = any>(app: FastifyInstance, method: string, url: string, options: SendOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  const response = await app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
  const body = (response.body === '' ? undefined : response.json()) as T;
  return { response, body };
}

/** PATCHes a recommendation's text, on the condition that it is still as `etag` says (If-Match). */
export function patchText(app: FastifyInstance, key: string, id: string, etag: unknown, text: string) {
  return send(app, 'PATCH', `/v1/recommendations/${id}`, { key, body: { text }, headers: { 'if-match': etag as string } });
}

/** A count of rows, to prove that a failed write left nothing behind (SQLite only: see countRows). */
export function count(app: FastifyInstance, table: string, where = '1 = 1'): number {
  return app.db.$client.prepare(`select count(*) from ${table} where ${where}`).pluck().get() as number;
}

/** A count of rows on either backend (`where` with `?` placeholders for `params`), to prove that a failed write left nothing behind. */
export function countRows(app: FastifyInstance, table: string, where?: string, params?: unknown[]): Promise<number> {
  return testSql(app).count(table, where, params);
}

/** A source for test records (fictional: tests write no facts). */
export const HRW_SOURCE = {
  title: 'Report on the death in custody of a human rights defender',
  publisher: 'Example NGO',
  url: 'https://example.org/reports/death-in-custody',
  publishedOn: '2020-07-25',
};

/** The ETag's version and revision: `"v3-r17-i1a2b3c4d"` → { version: 3, revision: 17 }. */
export function parseEtag(etag: unknown): { version: number; revision: number } {
  const match = /^"v(\d+)-r(\d+)(?:-i[0-9a-f]{8})?"$/.exec(String(etag));
  if (!match) throw new Error(`not a record ETag: ${String(etag)}`);
  return { version: Number(match[1]), revision: Number(match[2]) };
}

export { TS_NODE_ARGS } from './support/server-process.js';
