import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { pgRows } from '../db/pg/rows.js';
import type { RecommendationFilter } from '../recommendations/schemas.js';
import { type AggregateCounts, aggregateCountsOf, aggregateQueries } from './aggregates.js';
import type { RecommendationGrouping } from './schemas.js';

// The recommendation counts kept on write, on PostgreSQL: the same tables and queries as SQLite's
// (aggregates.ts), kept by migrations/postgres/0005_stats_aggregates.sql — its triggers mark what a write
// touches in stats_dirty, and stats_flush() (since 0006: from the dirty ids outward) counts it before the write
// commits.

/** "No value" in a kept count: the jsonb empty string (SQLite stores ''). */
const NONE = sql`'""'::jsonb`;

/**
 * Counts what the writes of this transaction marked (stats_dirty) into the kept counts. Every
 * pgWriteTransaction calls it before it commits; a write in a transaction of its own (an import, a bulk
 * change) calls it before its commit too, or the stats count the base tables until the next write does.
 */
export async function pgFlushStats(tx: Pick<pg.PoolClient, 'query'>): Promise<void> {
  await tx.query('select stats_flush()');
}

/**
 * The groups and the total from the kept counts, or undefined when they cannot answer this filter and these
 * groupings, or when a write has not been counted (stats_dirty is not empty).
 */
export async function pgAggregateCounts(
  reader: Pick<pg.Pool, 'query'>,
  groupings: readonly RecommendationGrouping[],
  f: RecommendationFilter,
): Promise<AggregateCounts | undefined> {
  const queries = aggregateQueries(groupings, f, NONE);
  if (!queries) return undefined;
  const [[dirty]] = (await pgRows(reader, sql`select exists (select 1 from stats_dirty)`)) as [[boolean]];
  if (dirty) return undefined;
  return aggregateCountsOf(await pgRows(reader, queries.rows), queries.total && (await pgRows(reader, queries.total)));
}
