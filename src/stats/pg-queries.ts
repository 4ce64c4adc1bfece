import { type SQL, sql } from 'drizzle-orm';
import { whereClause } from '../db/keyset.js';
import { pgAll, pgCount, pgRows, type Pool } from '../db/pg/rows.js';
import { tsQuery } from '../db/pg/fulltext.js';
import { filterConditions as developmentConditions } from '../developments/queries.js';
import type { DevelopmentFilter } from '../developments/schemas.js';
import { PG_RECOMMENDATIONS_FROM, pgFilterConditions } from '../recommendations/pg-queries.js';
import { countsQuery, tallyCounts } from '../recommendations/queries.js';
import {
  countedRows,
  countGroupsQuery,
  DEVELOPMENT_GROUPS,
  developmentStatsOf,
  type GroupLabels,
  groupingsFor,
  labelQueries,
  RECOMMENDATION_GROUPS,
  recommendationStatsOf,
  type ReviewSummaryRows,
  reviewSummaryOf,
  reviewSummaryQueries,
} from './queries.js';
import type { StatsStore } from './store.js';

// The stats on PostgreSQL: queries.ts's SQL (groupings, counts, the review summary) run through node-postgres.
// Counted from the base tables every time: the counts SQLite keeps on write (aggregates.ts) are not read here,
// so that no write path has to keep them on PostgreSQL; the response cache keeps an answer per revision.

async function labels(pool: Pool, groupBy: readonly string[], groupings: typeof RECOMMENDATION_GROUPS | typeof DEVELOPMENT_GROUPS): Promise<GroupLabels> {
  return Promise.all(
    labelQueries(groupBy, groupings).map(
      async (label) => label && { field: label.field, names: new Map((await pgRows(pool, label.names)) as [unknown, unknown][]) },
    ),
  );
}

const count = (pool: Pool, from: SQL, where: SQL) => pgCount(pool, sql`${from} ${where}`);

function developmentWhere(f: DevelopmentFilter): SQL {
  const conditions = developmentConditions(f);
  if (f.q !== undefined) conditions.unshift(sql`d.search @@ ${tsQuery(f.q)}`);
  return whereClause(conditions);
}

export function pgStatsStore(pool: Pool): StatsStore {
  return {
    async recommendations(groupBy, f) {
      const where = whereClause(pgFilterConditions(f));
      const [total, rows, names] = await Promise.all([
        count(pool, PG_RECOMMENDATIONS_FROM, where),
        pgRows(pool, countGroupsQuery(groupBy, groupingsFor(f), PG_RECOMMENDATIONS_FROM, where, sql`r.id`)),
        labels(pool, groupBy, RECOMMENDATION_GROUPS),
      ]);
      return recommendationStatsOf(groupBy, names, { total, rows: countedRows(rows) });
    },
    async developments(groupBy, f) {
      const from = sql`developments d`;
      const where = developmentWhere(f);
      const [total, rows, names] = await Promise.all([
        count(pool, from, where),
        pgRows(pool, countGroupsQuery(groupBy, DEVELOPMENT_GROUPS, from, where, sql`d.id`)),
        labels(pool, groupBy, DEVELOPMENT_GROUPS),
      ]);
      return developmentStatsOf(groupBy, names, countedRows(rows), total);
    },
    async reviewSummary(reviewId, top) {
      const queries = reviewSummaryQueries(reviewId);
      const [review] = await pgAll<ReviewSummaryRows['review']>(pool, queries.review);
      if (!review) return undefined;
      const [counts, byPeriod, recommendationThemes, developmentThemes] = await Promise.all([
        pgRows(pool, countsQuery(PG_RECOMMENDATIONS_FROM, whereClause(pgFilterConditions({ reviewId: [reviewId] })))),
        pgAll<ReviewSummaryRows['byPeriod'][number]>(pool, queries.byPeriod),
        pgAll<ReviewSummaryRows['recommendationThemes'][number]>(pool, queries.recommendationThemes),
        pgAll<ReviewSummaryRows['developmentThemes'][number]>(pool, queries.developmentThemes),
      ]);
      return reviewSummaryOf({ review, counts: tallyCounts(counts), byPeriod, recommendationThemes, developmentThemes }, top);
    },
  };
}
