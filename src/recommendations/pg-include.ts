import { sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { KnownTotals } from '../db/pg/known-totals.js';
import { pgSnapshot } from '../db/pg/query.js';
import { answeredAt } from '../http/cache.js';
import { pgAll } from '../db/pg/rows.js';
import type { KeyValue } from '../http/pagination.js';
import { type Include, type IncludeDialect, sendWithIncludes } from './include.js';
import { type PgSort, pgJsonPage } from './pg-queries.js';
import type { RecommendationFilter } from './schemas.js';

// `include=assessments,developments` on PostgreSQL: include.ts's page and its one query per kind, the page's
// ids as one jsonb array, ids ordered by code point (collate "C") as SQLite's BINARY order.

const PG_INCLUDE: IncludeDialect = {
  ids: (json) => sql`(select jsonb_array_elements_text(${json}::jsonb))`,
  byCodePoint: (column) => sql`${column} collate "C"`,
};

export async function pgSendWithIncludes(
  pool: pg.Pool,
  request: FastifyRequest,
  reply: FastifyReply,
  include: Set<Include>,
  query: { filter: RecommendationFilter; sort: PgSort; after: KeyValue[] | undefined; limit: number; totals: KnownTotals },
) {
  const { filter, sort, after, limit, totals } = query;
  // The page and what it includes from one snapshot: read apart, a write committed between them showed a
  // recommendation's implementation or developmentCount beside assessments or developments of another moment.
  return pgSnapshot(pool, async (client) => {
    const { total, stamp, ...page } = await pgJsonPage(client, filter, sort, limit, after, totals);
    answeredAt(request, stamp);
    return sendWithIncludes(request, reply, { dialect: PG_INCLUDE, all: (q) => pgAll(client, q) }, include, page, { sortName: sort.name, limit, total });
  });
}
