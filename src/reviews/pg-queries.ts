import { type SQL, sql } from 'drizzle-orm';
import { whereClause } from '../db/keyset.js';
import { type PgReads, pgReadStore } from '../db/pg/read-store.js';
import type { ReviewDetail, ReviewFilter, ReviewRecord } from './schemas.js';
import type { Reader } from '../db/pg/record-list.js';
import { pgAll, pgCount, pgRows, type Pool } from '../db/pg/rows.js';
import { sliceChunk } from '../http/pagination.js';
import { PG_RECOMMENDATIONS_FROM, pgFilterConditions } from '../recommendations/pg-queries.js';
import { countsQuery, tallyCounts } from '../recommendations/queries.js';
import {
  conditions,
  reviewCountsQuery,
  reviewDetailOf,
  reviewRecords,
  type ReviewRow,
  type ReviewSourceRow,
  reviewSourcesQuery,
  selectReviewsQuery,
} from './queries.js';
import { REVIEW_LIST, type ReviewStore } from './store.js';

// The reviews on PostgreSQL: queries.ts's SQL through node-postgres.

async function records(reader: Reader, c: SQL[], limit: number) {
  const rows = await pgAll<ReviewRow>(reader, selectReviewsQuery(c, limit));
  return { rows, records: async (kept: ReviewRow[]) => (kept.length === 0 ? [] : reviewRecords(kept, await pgAll<ReviewSourceRow>(reader, reviewSourcesQuery(kept)))) };
}

/** Its reads through any reader: a pool, or a write's transaction (which sees its own change). */
export const REVIEW_READS: PgReads<ReviewFilter, { name: string }, ReviewRecord, ReviewDetail> = {
  async page(reader, f, _sort, limit, after) {
    const c = conditions(f);
    const found = await records(reader, after ? [...c, sql`v.id > ${after[0]}`] : c, limit + 1);
    const chunk = sliceChunk(found.rows, limit, (row) => [row.id]);
    return { rows: await found.records(chunk.rows), nextKeys: chunk.nextKeys };
  },
  total: (reader, f) => pgCount(reader, sql`reviews v ${whereClause(conditions(f))}`),
  async get(reader, id) {
    const found = await records(reader, [sql`v.id = ${id}`], 1);
    const [record] = await found.records(found.rows);
    if (!record) return undefined;
    const where = whereClause(pgFilterConditions({ reviewId: [id] }));
    const counts = await pgRows(reader, countsQuery(PG_RECOMMENDATIONS_FROM, where));
    const [[developments, statements]] = (await pgRows(reader, reviewCountsQuery(id))) as [[number, number]];
    return reviewDetailOf(record, tallyCounts(counts), developments, statements);
  },
};

export function pgReviewStore(pool: Pool): ReviewStore {
  return pgReadStore(pool, REVIEW_LIST, REVIEW_READS);
}
