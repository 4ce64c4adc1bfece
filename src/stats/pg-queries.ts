import { type SQL, sql } from 'drizzle-orm';
import { whereClause } from '../db/keyset.js';
import { pgReadAnswered } from '../db/pg/query.js';
import type { Reader } from '../db/pg/record-list.js';
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
import type { RecommendationFilter } from '../recommendations/schemas.js';
import type { AggregateCounts } from './aggregates.js';
import { pgAggregateCounts } from './pg-aggregates.js';
import type { RecommendationGrouping } from './schemas.js';
import type { StatsStore } from './store.js';

// The stats on PostgreSQL: queries.ts's SQL (groupings, counts, the review summary) run through node-postgres.
// Recommendation stats read the counts kept on write where they answer (pg-aggregates.ts), as on SQLite, and
// count the base tables otherwise. Each answer's queries run in one snapshot (pgSnapshot), one after another: one revision, whose stamp names the answer's ETag (read first: a repeatable read
// snapshot begins at its first statement).

async function labels(reader: Reader, groupBy: readonly string[], groupings: typeof RECOMMENDATION_GROUPS | typeof DEVELOPMENT_GROUPS): Promise<GroupLabels> {
  const found: GroupLabels = [];
  for (const label of labelQueries(groupBy, groupings)) {
    found.push(label && { field: label.field, names: new Map((await pgRows(reader, label.names)) as [unknown, unknown][]) });
  }
  return found;
}

const count = (pool: Reader, from: SQL, where: SQL) => pgCount(pool, sql`${from} ${where}`);

function developmentWhere(f: DevelopmentFilter): SQL {
  const conditions = developmentConditions(f, 'postgres');
  if (f.q !== undefined) conditions.unshift(sql`d.search @@ ${tsQuery(f.q)}`);
  return whereClause(conditions);
}

/** The groups and the total counted from the base tables. */
async function baseCounts(reader: Reader, groupBy: RecommendationGrouping[], f: RecommendationFilter): Promise<AggregateCounts> {
  const where = whereClause(pgFilterConditions(f, 'postgres-count'));
  const total = await count(reader, PG_RECOMMENDATIONS_FROM, where);
  const rows = await pgRows(reader, countGroupsQuery(groupBy, groupingsFor(f), PG_RECOMMENDATIONS_FROM, where, sql`r.id`));
  return { total, rows: countedRows(rows) };
}

export function pgStatsStore(pool: Pool): StatsStore {
  return {
    recommendations: (groupBy, f, answered) =>
      pgReadAnswered(pool, answered, async (client) => {
        const counted = (await pgAggregateCounts(client, groupBy, f)) ?? (await baseCounts(client, groupBy, f));
        return recommendationStatsOf(groupBy, await labels(client, groupBy, RECOMMENDATION_GROUPS), counted);
      }),
    developments: (groupBy, f, answered) =>
      pgReadAnswered(pool, answered, async (client) => {
        const from = sql`developments d`;
        const where = developmentWhere(f);
        const total = await count(client, from, where);
        const rows = await pgRows(client, countGroupsQuery(groupBy, DEVELOPMENT_GROUPS, from, where, sql`d.id`));
        return developmentStatsOf(groupBy, await labels(client, groupBy, DEVELOPMENT_GROUPS), countedRows(rows), total);
      }),
    reviewSummary: (reviewId, { top, ...filter }, answered) =>
      pgReadAnswered(pool, answered, async (client) => {
        const queries = reviewSummaryQueries(reviewId, filter);
        const [review] = await pgAll<ReviewSummaryRows['review']>(client, queries.review);
        if (!review) return undefined;
        // One after another: a connection runs one query at a time.
        const counts = await pgRows(client, countsQuery(PG_RECOMMENDATIONS_FROM, whereClause(pgFilterConditions({ reviewId: [reviewId] }))));
        const byPeriod = await pgAll<ReviewSummaryRows['byPeriod'][number]>(client, queries.byPeriod);
        const recommendationThemes = await pgAll<ReviewSummaryRows['recommendationThemes'][number]>(client, queries.recommendationThemes);
        const developmentThemes = await pgAll<ReviewSummaryRows['developmentThemes'][number]>(client, queries.developmentThemes);
        return reviewSummaryOf({ review, counts: tallyCounts(counts), byPeriod, recommendationThemes, developmentThemes }, top);
      }),
  };
}
