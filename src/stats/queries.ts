import { type SQL, sql } from 'drizzle-orm';
import { compareText } from '../common/text-order.js';
import { rowValues } from '../db/batch.js';
import { inList, whereClause } from '../db/keyset.js';
import type { Db } from '../db/open.js';
import type { LabelScheme } from '../db/schema.js';
import {
  filterConditions as developmentConditions,
  fromClause as developmentFrom,
} from '../developments/queries.js';
import type { DevelopmentFilter } from '../developments/schemas.js';
import {
  countMatching,
  countRecommendations,
  type RecommendationCounts,
  CURRENT_IMPLEMENTATION,
  filterConditions as recommendationConditions,
  fromClause as recommendationFrom,
} from '../recommendations/queries.js';
import type { RecommendationFilter } from '../recommendations/schemas.js';
import { RECURRING } from '../related/recurrence.js';
import { reviewYearSql } from '../reviews/year.js';
import type {
  DevelopmentGrouping,
  DevelopmentStats,
  RecommendationGrouping,
  RecommendationStats,
  ReviewSummary,
  ReviewSummaryOptions,
} from './schemas.js';
import { MULTI_VALUED_GROUPINGS } from './schemas.js';
import { aggregateCounts, type CountedRow } from './aggregates.js';

// Counting under exactly the list's filter: the same FROM (with the full-text join) and the same WHERE
// conditions as the list, then one LEFT JOIN per multi-valued grouping, so that a record without a value
// still counts, under null.

interface Grouping {
  /** The grouped value. */
  value: SQL;
  /** Joins the value needs (aliases g_<name>_…). */
  join?: SQL;
  /**
   * Whether one record can meet the same value more than once through the join (a recommendation by two
   * states of one regional group): then records are counted distinct.
   */
  repeats?: boolean;
  /** The human-readable name of each value, for a *Name or *Label field: `names` selects (value, name). */
  label?: { field: string; names: SQL };
}

const stateNames = sql`select code, name from states`;
const themeLabels = sql`select id, label from themes`;
const sdgLabels = sql`select goal, name from sdg_goals`;

export const RECOMMENDATION_GROUPS: Record<RecommendationGrouping, Grouping> = {
  position: { value: sql`coalesce(r.position, 'unknown')` },
  implementation: { value: sql`coalesce(${CURRENT_IMPLEMENTATION}, 'unknown')` },
  stateUnderReview: { value: sql`v.state_code`, label: { field: 'stateUnderReviewName', names: stateNames } },
  cycle: { value: sql`v.cycle` },
  year: { value: reviewYearSql() },
  actionCategory: { value: sql`r.action_category` },
  recurring: { value: sql`case when ${RECURRING} then 'true' else 'false' end` },
  recommendingState: {
    value: sql`g_rs.state_code`,
    join: sql`left join recommendation_states g_rs on g_rs.recommendation_id = r.id`,
    label: { field: 'recommendingStateName', names: stateNames },
  },
  regionalGroup: {
    value: sql`g_rg_s.regional_group`,
    join: sql`left join recommendation_states g_rg on g_rg.recommendation_id = r.id
      left join states g_rg_s on g_rg_s.code = g_rg.state_code`,
    repeats: true,
  },
  theme: {
    value: sql`g_t.theme_id`,
    join: sql`left join recommendation_themes g_t on g_t.recommendation_id = r.id`,
    label: { field: 'themeLabel', names: themeLabels },
  },
  sdg: {
    value: sql`g_sdg.goal`,
    join: sql`left join recommendation_sdgs g_sdg on g_sdg.recommendation_id = r.id`,
    label: { field: 'sdgLabel', names: sdgLabels },
  },
  // Grouped with theme only (the schema refuses it alone): the source of the theme's label that theme's join found.
  labelSource: { value: sql`case when g_t.theme_id is null then null else coalesce(g_t.label_source, 'curated') end` },
};

/** The groupings under a filter: with labelSource, a theme grouping counts only labels from those sources. */
export function groupingsFor(f: RecommendationFilter): Record<RecommendationGrouping, Grouping> {
  if (!f.labelSource) return RECOMMENDATION_GROUPS;
  const sources = inList(sql`coalesce(g_t.label_source, 'curated')`, f.labelSource);
  return {
    ...RECOMMENDATION_GROUPS,
    theme: { ...RECOMMENDATION_GROUPS.theme, join: sql`left join recommendation_themes g_t on g_t.recommendation_id = r.id and ${sources}` },
  };
}

export const DEVELOPMENT_GROUPS: Record<DevelopmentGrouping, Grouping> = {
  direction: { value: sql`d.direction` },
  year: { value: sql`cast(substr(d.date, 1, 4) as integer)` },
  stateUnderReview: { value: sql`d.state_code`, label: { field: 'stateUnderReviewName', names: stateNames } },
  theme: {
    value: sql`g_t.theme_id`,
    join: sql`left join development_themes g_t on g_t.development_id = d.id`,
    label: { field: 'themeLabel', names: themeLabels },
  },
};

type Group = Record<string, string | number | null>;

/**
 * The groups of a filter counted from the base tables, ordered by count (largest first), then by each key
 * with null last; SQL both databases run alike.
 */
export function countGroupsQuery(
  groupBy: readonly string[],
  groupings: Record<string, Grouping>,
  from: SQL,
  where: SQL,
  id: SQL,
): SQL {
  const chosen = groupBy.map((name) => groupings[name]!);
  const keys = chosen.map((g, i) => sql`${g.value} as ${sql.raw(`k${i}`)}`);
  const joins = chosen.flatMap((g) => (g.join ? [g.join] : []));
  const counted = chosen.some((g) => g.repeats) ? sql`count(distinct ${id})` : sql`count(*)`;
  const order = chosen.map((_, i) => sql.raw(`k${i} nulls last`));
  return sql`select ${sql.join(keys, sql`, `)}, cast(${counted} as integer) as n
    from ${from} ${sql.join(joins, sql` `)} ${where}
    group by ${sql.join(
      chosen.map((_, i) => sql.raw(`k${i}`)),
      sql`, `,
    )}
    order by n desc, ${sql.join(order, sql`, `)}`;
}

/** countGroupsQuery's rows: the keys, then the count. */
export function countedRows(rows: unknown[][]): CountedRow[] {
  return rows.map((row) => ({ keys: row.slice(0, -1) as CountedRow['keys'], n: row[row.length - 1] as number }));
}

/** The label fields of the groupings, with the query of their names, in groupBy order (undefined for none). */
export function labelQueries(groupBy: readonly string[], groupings: Record<string, Grouping>) {
  return groupBy.map((name) => groupings[name]!.label);
}

export type GroupLabels = ({ field: string; names: Map<unknown, unknown> } | undefined)[];

function sqliteLabels(db: Db, groupBy: readonly string[], groupings: Record<string, Grouping>): GroupLabels {
  return labelQueries(groupBy, groupings).map(
    (label) => label && { field: label.field, names: new Map(rowValues(db, label.names) as [unknown, unknown][]) },
  );
}

/** The counted rows as groups: each grouping's value, its name or label where it has one, and the count. */
export function labelGroups(groupBy: readonly string[], labels: GroupLabels, rows: CountedRow[]): { data: Group[]; sum: number } {
  let sum = 0;
  const data = rows.map((row) => {
    const group: Group = {};
    groupBy.forEach((name, i) => {
      const value = row.keys[i]!;
      group[name] = value;
      const label = labels[i];
      if (label) group[label.field] = value === null ? null : (label.names.get(value) as string);
    });
    group.count = row.n;
    sum += row.n;
    return group;
  });
  return { data, sum };
}

/** The recommendation stats answer from its groups and total. */
export function recommendationStatsOf(
  groupBy: RecommendationGrouping[],
  labels: GroupLabels,
  counted: { rows: CountedRow[]; total: number },
): RecommendationStats {
  const { data, sum } = labelGroups(groupBy, labels, counted.rows);
  return {
    data: data as RecommendationStats['data'],
    meta: { groupBy, total: counted.total, sum, multiValued: groupBy.some((g) => MULTI_VALUED_GROUPINGS.has(g)) },
  };
}

/** The development stats answer from its groups and total. */
export function developmentStatsOf(groupBy: DevelopmentGrouping[], labels: GroupLabels, rows: CountedRow[], total: number): DevelopmentStats {
  const { data, sum } = labelGroups(groupBy, labels, rows);
  return {
    data: data as DevelopmentStats['data'],
    meta: { groupBy, total, sum, multiValued: groupBy.some((g) => MULTI_VALUED_GROUPINGS.has(g)) },
  };
}

export function recommendationStats(
  db: Db,
  groupBy: RecommendationGrouping[],
  f: RecommendationFilter,
): RecommendationStats {
  let counted = aggregateCounts(db, groupBy, f);
  if (!counted) {
    // The review (v) is joined when the filter or a grouping (stateUnderReview, cycle, year) reads it.
    const readsReview = groupBy.includes('stateUnderReview') || groupBy.includes('cycle') || groupBy.includes('year');
    const from = readsReview ? recommendationFrom(f, true) : recommendationFrom(f);
    const where = whereClause(recommendationConditions(f, 'sqlite-count'));
    counted = {
      total: countMatching(db, f),
      rows: countedRows(rowValues(db, countGroupsQuery(groupBy, groupingsFor(f), from, where, sql`r.id`))),
    };
  }
  return recommendationStatsOf(groupBy, sqliteLabels(db, groupBy, RECOMMENDATION_GROUPS), counted);
}

export function developmentStats(db: Db, groupBy: DevelopmentGrouping[], f: DevelopmentFilter): DevelopmentStats {
  const from = developmentFrom(f);
  const where = whereClause(developmentConditions(f));
  const total = db.get<{ n: number }>(sql`select count(*) as n from ${from} ${where}`)!.n;
  const rows = countedRows(rowValues(db, countGroupsQuery(groupBy, DEVELOPMENT_GROUPS, from, where, sql`d.id`)));
  return developmentStatsOf(groupBy, sqliteLabels(db, groupBy, DEVELOPMENT_GROUPS), rows, total);
}

interface DirectionCounts {
  total: number;
  progress: number;
  setback: number;
  neutral: number;
}

/** The queries of a review's summary (SQL both databases run alike); its review row first, undefined for none. */
export function reviewSummaryQueries(reviewId: string, { scheme, labelSource }: Pick<ReviewSummaryOptions, 'scheme' | 'labelSource'> = {}) {
  const schemes = scheme ? sql` and ${inList(sql`t.scheme`, scheme)}` : sql``;
  const sources = labelSource ? sql` and ${inList(sql`coalesce(rt.label_source, 'curated')`, labelSource)}` : sql``;
  return {
    review: sql`select v.id, v.state_code, s.name, v.cycle
      from reviews v join states s on s.code = v.state_code where v.id = ${reviewId}`,
    byPeriod: sql`
      select case when d.date_precision = 'year' then 'year' else 'month' end as precision,
        substr(d.date, 1, case when d.date_precision = 'year' then 4 else 7 end) as period, d.direction,
        cast(count(*) as integer) as n
      from developments d where d.review_id = ${reviewId}
      group by 1, 2, 3 order by 2`,
    // Counted from the review's side (its recommendations and developments), not per theme over everything.
    // machine: of those, the links automatic tagging gave (one link per theme and recommendation).
    recommendationThemes: sql`select t.id, t.label, t.scheme, cast(count(*) as integer) as n,
        cast(sum(case when rt.label_source = 'machine' then 1 else 0 end) as integer) as machine
      from recommendations r join recommendation_themes rt on rt.recommendation_id = r.id join themes t on t.id = rt.theme_id
      where r.review_id = ${reviewId}${schemes}${sources} group by t.id, t.label, t.scheme`,
    developmentThemes: sql`select t.id, t.label, t.scheme, cast(count(*) as integer) as n
      from developments d join development_themes dt on dt.development_id = d.id join themes t on t.id = dt.theme_id
      where d.review_id = ${reviewId}${schemes} group by t.id, t.label, t.scheme`,
  };
}

type Counted = { id: string; label: string; scheme: LabelScheme; n: number };
type CountedRecommendations = Counted & { machine: number };

/** What reviewSummaryQueries read, with the review's recommendation counts. */
export interface ReviewSummaryRows {
  review: { id: string; state_code: string; name: string; cycle: number };
  counts: RecommendationCounts;
  byPeriod: { precision: string; period: string; direction: keyof DirectionCounts; n: number }[];
  recommendationThemes: CountedRecommendations[];
  developmentThemes: Counted[];
}

export function reviewSummary(db: Db, reviewId: string, { top, ...filter }: ReviewSummaryOptions): ReviewSummary | undefined {
  const queries = reviewSummaryQueries(reviewId, filter);
  const review = db.get<ReviewSummaryRows['review'] | undefined>(queries.review);
  if (!review) return undefined;
  return reviewSummaryOf(
    {
      review,
      counts: countRecommendations(db, { reviewId: [reviewId] }),
      byPeriod: db.all(queries.byPeriod),
      recommendationThemes: db.all(queries.recommendationThemes),
      developmentThemes: db.all(queries.developmentThemes),
    },
    top,
  );
}

/** A review's summary from its rows. */
export function reviewSummaryOf(
  { review, counts, byPeriod, recommendationThemes, developmentThemes }: ReviewSummaryRows,
  top: number,
): ReviewSummary {
  const months = new Map<string, DirectionCounts>();
  const years = new Map<string, DirectionCounts>();
  let developmentTotal = 0;
  for (const row of byPeriod) {
    const periods = row.precision === 'year' ? years : months;
    let entry = periods.get(row.period);
    if (!entry) periods.set(row.period, (entry = { total: 0, progress: 0, setback: 0, neutral: 0 }));
    entry.total += row.n;
    entry[row.direction] += row.n;
    developmentTotal += row.n;
  }

  const themes = new Map<string, ReviewSummary['topThemes'][number]>();
  const entryOf = (row: Counted) => {
    let entry = themes.get(row.id);
    if (!entry) {
      entry = { id: row.id, label: row.label, scheme: row.scheme, recommendationCount: 0, machineRecommendationCount: 0, developmentCount: 0 };
      themes.set(row.id, entry);
    }
    return entry;
  };
  for (const row of recommendationThemes) Object.assign(entryOf(row), { recommendationCount: row.n, machineRecommendationCount: row.machine });
  for (const row of developmentThemes) entryOf(row).developmentCount = row.n;
  const topThemes = [...themes.values()]
    .sort(
      (a, b) =>
        b.recommendationCount - a.recommendationCount ||
        b.developmentCount - a.developmentCount ||
        compareText(a.label, b.label) ||
        // Then by id (by code unit): themes of two schemes share labels, and the rows come in no set order.
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, top);

  return {
    reviewId: review.id,
    stateUnderReview: { id: review.state_code, name: review.name },
    cycle: review.cycle,
    recommendations: {
      byPosition: { total: counts.total, ...counts.byPosition },
      byImplementation: counts.byImplementation,
    },
    developments: {
      total: developmentTotal,
      byMonth: [...months].map(([month, c]) => ({ month, ...c })),
      byYearOnly: [...years].map(([year, c]) => ({ year, ...c })),
    },
    topThemes,
  };
}
