import { type SQL, sql } from 'drizzle-orm';
import { rowValues } from '../db/batch.js';
import { inList, whereClause } from '../db/keyset.js';
import type { Db } from '../db/open.js';
import type { RecommendationFilter } from '../recommendations/schemas.js';
import { reviewYearCondition, reviewYearSql } from '../reviews/year.js';
import { MULTI_VALUED_GROUPINGS, type RecommendationGrouping } from './schemas.js';

// Recommendation stats read from the counts kept on write (stats_review_counts, stats_cycle_counts; see
// src/db/schema.ts and the stats_aggregates migration) instead of counting the base tables. They answer
// when every filter is one of the counts' dimensions (the review, its state, cycle, session and year, position,
// implementation) and at most one grouping is multi-valued; anything else is counted from the base tables,
// as is a grouping the counts do not keep (UPR Info's action category, recurring, a theme's label source).

/** The filters the counts can answer: dimensions of a count row, or of its review. */
const CELL_FILTERS = new Set(['stateUnderReview', 'cycle', 'session', 'year', 'reviewId', 'position', 'implementation']);
/** Of those, the ones that need the counts per review. */
const REVIEW_FILTERS = new Set(['stateUnderReview', 'session', 'year', 'reviewId']);
/** The groupings the counts keep. */
type CountedGrouping = Exclude<RecommendationGrouping, 'actionCategory' | 'recurring' | 'labelSource'>;
const isCounted = (g: RecommendationGrouping): g is CountedGrouping => g !== 'actionCategory' && g !== 'recurring' && g !== 'labelSource';

export interface CountedRow {
  keys: (string | number | null)[];
  n: number;
}

export interface AggregateCounts {
  rows: CountedRow[];
  total: number;
}

/** The kept counts' queries for a filter and groupings: the groups, and the total (undefined: their sum). */
export interface AggregateQueries {
  rows: SQL;
  total: SQL | undefined;
}

/**
 * The queries that read the groups and the total from the kept counts, or undefined when the counts cannot
 * answer this filter and these groupings. Rows are ordered as the base-table count orders them: by count,
 * largest first, then by each key with null last. `none` is how the database stores "no value" ('' in
 * SQLite, the jsonb '""' in PostgreSQL). Both backends run the same SQL (src/stats/pg-aggregates.ts).
 */
export function aggregateQueries(
  groupings: readonly RecommendationGrouping[],
  f: RecommendationFilter,
  none: SQL,
): AggregateQueries | undefined {
  if (!groupings.every(isCounted)) return undefined;
  const groupBy: readonly CountedGrouping[] = groupings;
  const filters = Object.keys(f).filter((key) => f[key as keyof RecommendationFilter] !== undefined);
  if (!filters.every((key) => CELL_FILTERS.has(key))) return undefined;
  const multi = groupBy.filter((g) => MULTI_VALUED_GROUPINGS.has(g));
  if (multi.length > 1) return undefined;

  // Per value alone for one multi-valued grouping without a filter; per review when a filter or a grouping
  // reads the review beyond its cycle; else per cycle.
  const dim = multi[0] ?? '';
  if (filters.length === 0 && groupBy.length === 1 && dim !== '') {
    return {
      rows: sql`select nullif(value, ${none}) as k0, n from stats_value_counts where dim = ${dim} order by n desc, k0 nulls last`,
      total: sql`select cast(coalesce(sum(n), 0) as bigint) from stats_value_counts where dim = ''`,
    };
  }
  const perReview = groupBy.includes('stateUnderReview') || groupBy.includes('year') || filters.some((key) => REVIEW_FILTERS.has(key));
  const from = perReview ? sql`stats_review_counts c join reviews v on v.id = c.review_id` : sql`stats_cycle_counts c`;
  const cycle = perReview ? sql`v.cycle` : sql`c.cycle`;
  const conditions: SQL[] = [];
  if (f.stateUnderReview) conditions.push(inList(sql`v.state_code`, f.stateUnderReview));
  if (f.session) conditions.push(inList(sql`v.wg_session`, f.session));
  if (f.year) conditions.push(reviewYearCondition(f.year));
  if (f.reviewId) conditions.push(inList(sql`c.review_id`, f.reviewId));
  if (f.cycle) conditions.push(inList(cycle, f.cycle));
  if (f.position) conditions.push(inList(sql`c.position`, f.position));
  if (f.implementation) conditions.push(inList(sql`c.implementation`, f.implementation));

  const value = sql`nullif(c.value, ${none})`;
  const keyOf: Record<CountedGrouping, SQL> = {
    position: sql`c.position`,
    implementation: sql`c.implementation`,
    cycle,
    stateUnderReview: sql`v.state_code`,
    year: reviewYearSql(),
    recommendingState: value,
    regionalGroup: value,
    theme: value,
    sdg: value,
  };
  const keys = groupBy.map((g, i) => sql`${keyOf[g]} as ${sql.raw(`k${i}`)}`);
  const names = groupBy.map((_, i) => sql.raw(`k${i}`));
  const order = groupBy.map((_, i) => sql.raw(`k${i} nulls last`));
  return {
    rows: sql`select ${sql.join(keys, sql`, `)}, cast(sum(c.n) as bigint) as n from ${from} ${whereClause([sql`c.dim = ${dim}`, ...conditions])}
      group by ${sql.join(names, sql`, `)} order by n desc, ${sql.join(order, sql`, `)}`,
    total: dim === '' ? undefined : sql`select cast(coalesce(sum(c.n), 0) as bigint) from ${from} ${whereClause([sql`c.dim = ''`, ...conditions])}`,
  };
}

/** The groups and the total from kept-count rows (the keys, then the count) and the total's rows, if any. */
export function aggregateCountsOf(rows: unknown[][], totalRows: unknown[][] | undefined): AggregateCounts {
  const counted = rows.map((row) => ({ keys: row.slice(0, -1) as CountedRow['keys'], n: row[row.length - 1] as number }));
  let total = 0;
  if (totalRows === undefined) for (const row of counted) total += row.n;
  else total = totalRows[0]![0] as number;
  return { rows: counted, total };
}

/**
 * The groups and the total from the kept counts, or undefined when they cannot answer this filter and these
 * groupings, or when a write has not been counted yet (see stats_dirty).
 */
export function aggregateCounts(
  db: Db,
  groupings: readonly RecommendationGrouping[],
  f: RecommendationFilter,
): AggregateCounts | undefined {
  const queries = aggregateQueries(groupings, f, sql`''`);
  if (!queries) return undefined;
  if (rowValues(db, sql`select exists (select 1 from stats_dirty)`)[0]![0] === 1) return undefined;
  return aggregateCountsOf(rowValues(db, queries.rows), queries.total && rowValues(db, queries.total));
}
