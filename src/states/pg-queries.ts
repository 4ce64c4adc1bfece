import { sql } from 'drizzle-orm';
import { whereClause } from '../db/keyset.js';
import { type PgReads, pgReadStore } from '../db/pg/read-store.js';
import type { StateDetail, StateFilter, StateRecord } from './schemas.js';
import type { Reader } from '../db/pg/record-list.js';
import { pgAll, pgCount, pgRows, type Pool } from '../db/pg/rows.js';
import { PG_RECOMMENDATIONS_FROM, pgFilterConditions } from '../recommendations/pg-queries.js';
import { countsQuery, tallyCounts } from '../recommendations/queries.js';
import type { RecommendationFilter } from '../recommendations/schemas.js';
import { conditions, pageConditions, selectStatesQuery, stateChunk, stateDetailOf, stateDetailQueries, type StateRow } from './queries.js';
import { STATE_LIST, type StateStore } from './store.js';

// The states on PostgreSQL: queries.ts's SQL through node-postgres.

async function counts(reader: Reader, f: RecommendationFilter) {
  return tallyCounts(await pgRows(reader, countsQuery(PG_RECOMMENDATIONS_FROM, whereClause(pgFilterConditions(f, 'postgres-count')))));
}

/** Its reads through any reader: a pool, or a write's transaction (which sees its own change). */
export const STATE_READS: PgReads<StateFilter, { name: string }, StateRecord, StateDetail> = {
  page: async (reader, f, _sort, limit, after) =>
    stateChunk(await pgAll<StateRow>(reader, selectStatesQuery(pageConditions(f, after), limit + 1)), limit),
  total: (reader, f) => pgCount(reader, sql`states s ${whereClause(conditions(f))}`),
  async get(reader, code) {
    const [row] = await pgAll<StateRow>(reader, selectStatesQuery([sql`s.code = ${code}`], 1));
    if (!row) return undefined;
    const queries = stateDetailQueries(code, row.name);
    // One after another: the detail reads one snapshot on one connection (src/db/pg/read-store.ts).
    const aliases = await pgAll<{ alias: string }>(reader, queries.aliases);
    const reviews = await pgAll<{ id: string }>(reader, queries.reviews);
    const made = await counts(reader, { recommendingState: [code] });
    const received = await counts(reader, { stateUnderReview: [code] });
    return stateDetailOf(row, aliases, reviews, made, received);
  },
};

export function pgStateStore(pool: Pool): StateStore {
  return pgReadStore(pool, STATE_LIST, STATE_READS);
}
