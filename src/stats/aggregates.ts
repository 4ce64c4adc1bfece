import { type SQL, sql } from 'drizzle-orm';
import { rowValues } from '../db/batch.js';
import { inList, whereClause } from '../db/keyset.js';
import type { Db } from '../db/open.js';
import type { RecommendationFilter } from '../recommendations/schemas.js';
import { MULTI_VALUED_GROUPINGS, type RecommendationGrouping } from './schemas.js';

// Recommendation stats read from the counts kept on write (stats_review_counts, stats_cycle_counts; see
// src/db/schema.ts and the stats_aggregates migration) instead of counting the base tables. They answer
// when every filter is one of the counts' dimensions (the review, its state, cycle and session, position,
// implementation) and at most one grouping is multi-valued; anything else is counted from the base tables,
// as is a grouping the counts do not keep (UPR Info's action category).

/** The filters the counts can answer: dimensions of a count row, or of its review. */
const CELL_FILTERS = new Set(['stateUnderReview', 'cycle', 'session', 'reviewId', 'position', 'implementation']);
/** Of those, the ones that need the counts per review. */
const REVIEW_FILTERS = new Set(['stateUnderReview', 'session', 'reviewId']);
/** The groupings the counts keep. */
type CountedGrouping = Exclude<RecommendationGrouping, 'actionCategory' | 'recurring'>;
const isCounted = (g: RecommendationGrouping): g is CountedGrouping => g !== 'actionCategory' && g !== 'recurring';

export interface CountedRow {
  keys: (string | number | null)[];
  n: number;
}

export interface AggregateCounts {
  rows: CountedRow[];
  total: number;
}

/**
 * The groups and the total from the kept counts, or undefined when they cannot answer this filter and these
 * groupings, or when a write has not been counted yet (see stats_dirty). Rows are ordered as the base-table
 * count orders them: by count, largest first, then by each key with null last.
 */
export function aggregateCounts(
  db: Db,
  groupings: readonly RecommendationGrouping[],
  f: RecommendationFilter,
): AggregateCounts | undefined {
  if (!groupings.every(isCounted)) return undefined;
  const groupBy: readonly CountedGrouping[] = groupings;
  const filters = Object.keys(f).filter((key) => f[key as keyof RecommendationFilter] !== undefined);
  if (!filters.every((key) => CELL_FILTERS.has(key))) return undefined;
  const multi = groupBy.filter((g) => MULTI_VALUED_GROUPINGS.has(g));
  if (multi.length > 1) return undefined;
  if (rowValues(db, sql`select exists (select 1 from stats_dirty)`)[0]![0] === 1) return undefined;

  // Per value alone for one multi-valued grouping without a filter; per review when a filter or a grouping
  // reads the review beyond its cycle; else per cycle.
  const dim = multi[0] ?? '';
  if (filters.length === 0 && groupBy.length === 1 && dim !== '') return valueCounts(db, dim);
  const perReview = groupBy.includes('stateUnderReview') || filters.some((key) => REVIEW_FILTERS.has(key));
  const from = perReview ? sql`stats_review_counts c join reviews v on v.id = c.review_id` : sql`stats_cycle_counts c`;
  const cycle = perReview ? sql`v.cycle` : sql`c.cycle`;
  const conditions: SQL[] = [];
  if (f.stateUnderReview) conditions.push(inList(sql`v.state_code`, f.stateUnderReview));
  if (f.session) conditions.push(inList(sql`v.wg_session`, f.session));
  if (f.reviewId) conditions.push(inList(sql`c.review_id`, f.reviewId));
  if (f.cycle) conditions.push(inList(cycle, f.cycle));
  if (f.position) conditions.push(inList(sql`c.position`, f.position));
  if (f.implementation) conditions.push(inList(sql`c.implementation`, f.implementation));

  const keyOf: Record<CountedGrouping, SQL> = {
    position: sql`c.position`,
    implementation: sql`c.implementation`,
    cycle,
    stateUnderReview: sql`v.state_code`,
    recommendingState: sql`nullif(c.value, '')`,
    regionalGroup: sql`nullif(c.value, '')`,
    theme: sql`nullif(c.value, '')`,
    sdg: sql`nullif(c.value, '')`,
  };
  const keys = groupBy.map((g, i) => sql`${keyOf[g]} as ${sql.raw(`k${i}`)}`);
  const names = groupBy.map((_, i) => sql.raw(`k${i}`));
  const order = groupBy.map((_, i) => sql.raw(`k${i} is null, k${i}`));
  const counted = rowValues(
    db,
    sql`select ${sql.join(keys, sql`, `)}, sum(c.n) as n from ${from} ${whereClause([sql`c.dim = ${dim}`, ...conditions])}
      group by ${sql.join(names, sql`, `)} order by n desc, ${sql.join(order, sql`, `)}`,
  ).map((row) => ({ keys: row.slice(0, -1) as CountedRow['keys'], n: row[row.length - 1] as number }));
  let total = 0;
  if (dim === '') for (const row of counted) total += row.n;
  else {
    const where = whereClause([sql`c.dim = ''`, ...conditions]);
    total = rowValues(db, sql`select coalesce(sum(c.n), 0) from ${from} ${where}`)[0]![0] as number;
  }
  return { rows: counted, total };
}

function valueCounts(db: Db, dim: string): AggregateCounts {
  const rows = rowValues(db, sql`select nullif(value, '') as k0, n from stats_value_counts where dim = ${dim}
    order by n desc, k0 is null, k0`).map((row) => ({ keys: [row[0] as CountedRow['keys'][number]], n: row[1] as number }));
  const total = rowValues(db, sql`select coalesce(sum(n), 0) from stats_value_counts where dim = ''`)[0]![0] as number;
  return { rows, total };
}
