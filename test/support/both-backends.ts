import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import type { Test } from 'tap';

// The same request to an app on SQLite and one on PostgreSQL (test/postgres-*.test.ts): the same status,
// problem or body (each instant PostgreSQL's write stamped replaced by SQLite's at the same place: two
// writes' clocks differ, nothing else may), Location, Idempotency-Replayed and content type.

const INSTANT = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

const FEED_CURSOR = /"nextCursor":"([A-Za-z0-9_-]+)"/g;

/**
 * PostgreSQL's text with the instant inside each change-feed cursor (`{"s":"seq","k":[seq, at]}`, base64url)
 * replaced by the one inside SQLite's cursor at the same place.
 */
export function alignCursors(sqliteText: string, pgText: string): string {
  const decode = (cursor: string) => Buffer.from(cursor, 'base64url').toString();
  const cursors = [...sqliteText.matchAll(FEED_CURSOR)].map((m) => decode(m[1]!));
  let i = 0;
  return pgText.replace(FEED_CURSOR, (match, cursor: string) => {
    const theirs = cursors[i++];
    const instant = theirs?.match(INSTANT)?.[0];
    if (instant === undefined) return match;
    return `"nextCursor":"${Buffer.from(decode(cursor).replace(INSTANT, instant)).toString('base64url')}"`;
  });
}

/** PostgreSQL's body with each instant replaced by SQLite's at the same place, those in feed cursors included. */
export function alignInstants(sqliteBody: string, pgBody: string): string {
  pgBody = alignCursors(sqliteBody, pgBody);
  const instants = [...sqliteBody.matchAll(INSTANT)].map((m) => m[0]);
  let i = 0;
  return pgBody.replace(INSTANT, (match) => (i < instants.length ? instants[i++]! : match));
}

export interface Step {
  method?: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send If-Match with the ETag the last answer gave on each backend. */
  ifMatch?: boolean;
}

export interface Backends {
  /** With the API key each sends (none for public reads). */
  sqlite: { app: FastifyInstance; key?: string };
  postgres: { app: FastifyInstance; key?: string };
}

/** A function asking both backends the same request and checking they answer alike. */
export function compareBackends(backends: Backends) {
  const etags = { sqlite: '', postgres: '' };
  return async function both(t: Test, step: Step): Promise<{ a: LightMyRequestResponse; b: LightMyRequestResponse }> {
    const answers: LightMyRequestResponse[] = [];
    for (const which of ['sqlite', 'postgres'] as const) {
      const { app, key } = backends[which];
      const headers = { ...step.headers, ...(step.ifMatch ? { 'if-match': etags[which] } : {}) };
      const response = await app.inject({
        method: (step.method ?? 'GET') as 'GET',
        url: step.url,
        headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...headers },
        ...(step.body === undefined ? {} : { payload: step.body as object }),
      });
      if (response.headers.etag !== undefined) etags[which] = String(response.headers.etag);
      answers.push(response);
    }
    const [a, b] = answers as [LightMyRequestResponse, LightMyRequestResponse];
    const what = `${step.method ?? 'GET'} ${step.url}`;
    t.equal(b.statusCode, a.statusCode, `${what}: status ${a.statusCode}`);
    t.equal(alignInstants(a.body, b.body), a.body, `${what}: the same body`);
    t.equal(b.headers['content-type'], a.headers['content-type'], `${what}: content type`);
    t.equal(b.headers.location, a.headers.location, `${what}: Location`);
    t.equal(b.headers['idempotency-replayed'], a.headers['idempotency-replayed'], `${what}: Idempotency-Replayed`);
    return { a, b };
  };
}

/** Every stored document and CSV line of the recommendations, the same in both databases (instants aligned). */
export async function sameDocuments(t: Test, onSqlite: FastifyInstance, pool: Pick<pg.Pool, 'query'>): Promise<void> {
  const read = 'select d.recommendation_id, d.json, c.csv_head, c.csv_path, c.csv_tail from recommendation_documents d join recommendation_csv_lines c on c.recommendation_id = d.recommendation_id order by d.recommendation_id';
  const sqlite = JSON.stringify(onSqlite.db.$client.prepare(read).all());
  const postgres = JSON.stringify((await pool.query(`${read} collate "C"`)).rows);
  t.ok(sqlite.length > 2, 'documents stored');
  t.equal(alignInstants(sqlite, postgres), sqlite, 'the same stored documents and CSV lines');
}

/**
 * Each item's answer, in the items' order, with the next `ahead` items already asked while one is checked: for
 * reads, whose answers do not depend on their order, so that PostgreSQL answers some while the test checks
 * another (every answer still checked, in order, by the caller). A failed ask is thrown at its turn.
 */
export async function* askedAhead<T, R>(items: readonly T[], ask: (item: T) => Promise<R>, ahead = 4): AsyncGenerator<[T, R]> {
  const asked: Promise<R>[] = [];
  const start = (i: number) => {
    if (i >= items.length) return;
    asked[i] = ask(items[i]!);
    asked[i]!.catch(() => undefined); // handled at its turn below
  };
  for (let i = 0; i <= ahead; i++) start(i);
  for (const [i, item] of items.entries()) {
    const answer = await asked[i]!;
    start(i + ahead + 1);
    yield [item, answer];
  }
}
