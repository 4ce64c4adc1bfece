import { type SQL, sql } from 'drizzle-orm';
import { rowValues } from '../db/batch.js';
import { inList, whereClause } from '../db/keyset.js';
import type { Db } from '../db/open.js';
import {
  filterConditions as developmentConditions,
  fromClause as developmentFrom,
} from '../developments/queries.js';
import type { DevelopmentFilter } from '../developments/schemas.js';
import {
  countMatching,
  countRecommendations,
  CURRENT_IMPLEMENTATION,
  filterConditions as recommendationConditions,
  fromClause as recommendationFrom,
} from '../recommendations/queries.js';
import type { RecommendationFilter } from '../recommendations/schemas.js';
import { RECURRING } from '../related/recurrence.js';
import type {
  DevelopmentGrouping,
  DevelopmentStats,
  RecommendationGrouping,
  RecommendationStats,
  ReviewSummary,
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
  /** The human-readable name of each value, for a *Name or *Label field. */
  label?: { field: string; lookup: (db: Db) => Map<string | number, string> };
}

const stateNames = (db: Db) =>
  new Map(db.all<{ code: string; name: string }>(sql`select code, name from states`).map((s) => [s.code, s.name]));
const themeLabels = (db: Db) =>
  new Map(db.all<{ id: string; label: string }>(sql`select id, label from themes`).map((t) => [t.id, t.label]));
const sdgLabels = (db: Db) =>
  new Map(db.all<{ goal: number; name: string }>(sql`select goal, name from sdg_goals`).map((g) => [g.goal, g.name]));

const RECOMMENDATION_GROUPS: Record<RecommendationGrouping, Grouping> = {
  position: { value: sql`coalesce(r.position, 'unknown')` },
  implementation: { value: sql`coalesce(${CURRENT_IMPLEMENTATION}, 'unknown')` },
  stateUnderReview: { value: sql`v.state_code`, label: { field: 'stateUnderReviewName', lookup: stateNames } },
  cycle: { value: sql`v.cycle` },
  actionCategory: { value: sql`coalesce(cast(r.action_category as text), 'unknown')` },
  recurring: { value: sql`case when ${RECURRING} then 'true' else 'false' end` },
  recommendingState: {
    value: sql`g_rs.state_code`,
    join: sql`left join recommendation_states g_rs on g_rs.recommendation_id = r.id`,
    label: { field: 'recommendingStateName', lookup: stateNames },
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
    label: { field: 'themeLabel', lookup: themeLabels },
  },
  sdg: {
    value: sql`g_sdg.goal`,
    join: sql`left join recommendation_sdgs g_sdg on g_sdg.recommendation_id = r.id`,
    label: { field: 'sdgLabel', lookup: sdgLabels },
  },
};

/** The groupings under a filter: with labelSource, a theme grouping counts only labels from those sources. */
function groupingsFor(f: RecommendationFilter): Record<RecommendationGrouping, Grouping> {
  if (!f.labelSource) return RECOMMENDATION_GROUPS;
  const sources = inList(sql`coalesce(g_t.label_source, 'curated')`, f.labelSource);
  return {
    ...RECOMMENDATION_GROUPS,
    theme: { ...RECOMMENDATION_GROUPS.theme, join: sql`left join recommendation_themes g_t on g_t.recommendation_id = r.id and ${sources}` },
  };
}

const DEVELOPMENT_GROUPS: Record<DevelopmentGrouping, Grouping> = {
  direction: { value: sql`d.direction` },
  year: { value: sql`cast(substr(d.date, 1, 4) as integer)` },
  stateUnderReview: { value: sql`d.state_code`, label: { field: 'stateUnderReviewName', lookup: stateNames } },
  theme: {
    value: sql`g_t.theme_id`,
    join: sql`left join development_themes g_t on g_t.development_id = d.id`,
    label: { field: 'themeLabel', lookup: themeLabels },
  },
};

type Group = Record<string, string | number | null>;

/** The groups of a filter counted from the base tables, ordered by count (largest first), then by each key. */
function countGroups(
  db: Db,
  groupBy: readonly string[],
  groupings: Record<string, Grouping>,
  from: SQL,
  where: SQL,
  id: SQL,
): CountedRow[] {
  const chosen = groupBy.map((name) => groupings[name]!);
  const keys = chosen.map((g, i) => sql`${g.value} as ${sql.raw(`k${i}`)}`);
  const joins = chosen.flatMap((g) => (g.join ? [g.join] : []));
  const counted = chosen.some((g) => g.repeats) ? sql`count(distinct ${id})` : sql`count(*)`;
  const order = chosen.map((_, i) => sql.raw(`k${i} is null, k${i}`));
  return rowValues(db, sql`select ${sql.join(keys, sql`, `)}, ${counted} as n
    from ${from} ${sql.join(joins, sql` `)} ${where}
    group by ${sql.join(
      chosen.map((_, i) => sql.raw(`k${i}`)),
      sql`, `,
    )}
    order by n desc, ${sql.join(order, sql`, `)}`).map((row) => ({
    keys: row.slice(0, -1) as CountedRow['keys'],
    n: row[row.length - 1] as number,
  }));
}

/** The counted rows as groups: each grouping's value, its name or label where it has one, and the count. */
function labelGroups(
  db: Db,
  groupBy: readonly string[],
  groupings: Record<string, Grouping>,
  rows: CountedRow[],
): { data: Group[]; sum: number } {
  const labels = groupBy.map((name) => {
    const label = groupings[name]!.label;
    return label ? { field: label.field, names: label.lookup(db) } : undefined;
  });
  let sum = 0;
  const data = rows.map((row) => {
    const group: Group = {};
    groupBy.forEach((name, i) => {
      const value = row.keys[i]!;
      group[name] = value;
      const label = labels[i];
      if (label) group[label.field] = value === null ? null : label.names.get(value)!;
    });
    group.count = row.n;
    sum += row.n;
    return group;
  });
  return { data, sum };
}

export function recommendationStats(
  db: Db,
  groupBy: RecommendationGrouping[],
  f: RecommendationFilter,
): RecommendationStats {
  let counted = aggregateCounts(db, groupBy, f);
  if (!counted) {
    // The review (v) is joined when the filter or a grouping (stateUnderReview, cycle) reads it.
    const readsReview = groupBy.includes('stateUnderReview') || groupBy.includes('cycle');
    const from = readsReview ? recommendationFrom(f, true) : recommendationFrom(f);
    const where = whereClause(recommendationConditions(f));
    counted = {
      total: countMatching(db, f),
      rows: countGroups(db, groupBy, groupingsFor(f), from, where, sql`r.id`),
    };
  }
  const { data, sum } = labelGroups(db, groupBy, RECOMMENDATION_GROUPS, counted.rows);
  return {
    data: data as RecommendationStats['data'],
    meta: { groupBy, total: counted.total, sum, multiValued: groupBy.some((g) => MULTI_VALUED_GROUPINGS.has(g)) },
  };
}

export function developmentStats(db: Db, groupBy: DevelopmentGrouping[], f: DevelopmentFilter): DevelopmentStats {
  const from = developmentFrom(f);
  const where = whereClause(developmentConditions(f));
  const total = db.get<{ n: number }>(sql`select count(*) as n from ${from} ${where}`)!.n;
  const rows = countGroups(db, groupBy, DEVELOPMENT_GROUPS, from, where, sql`d.id`);
  const { data, sum } = labelGroups(db, groupBy, DEVELOPMENT_GROUPS, rows);
  return {
    data: data as DevelopmentStats['data'],
    meta: { groupBy, total, sum, multiValued: groupBy.some((g) => MULTI_VALUED_GROUPINGS.has(g)) },
  };
}

interface DirectionCounts {
  total: number;
  progress: number;
  setback: number;
  neutral: number;
}

export function reviewSummary(db: Db, reviewId: string, top: number): ReviewSummary | undefined {
  const review = db.get<{ id: string; state_code: string; name: string; cycle: number } | undefined>(sql`select v.id,
      v.state_code, s.name, v.cycle
    from reviews v join states s on s.code = v.state_code where v.id = ${reviewId}`);
  if (!review) return undefined;
  const counts = countRecommendations(db, { reviewId: [reviewId] });

  const byPeriod = db.all<{ precision: string; period: string; direction: keyof DirectionCounts; n: number }>(sql`
    select case when d.date_precision = 'year' then 'year' else 'month' end as precision,
      substr(d.date, 1, case when d.date_precision = 'year' then 4 else 7 end) as period, d.direction, count(*) as n
    from developments d where d.review_id = ${reviewId}
    group by 1, 2, 3 order by 2`);
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

  // Counted from the review's side (its recommendations and developments), not per theme over everything.
  const themes = new Map<string, { id: string; label: string; recommendationCount: number; developmentCount: number }>();
  const tally = (rows: { id: string; label: string; n: number }[], field: 'recommendationCount' | 'developmentCount') => {
    for (const row of rows) {
      let entry = themes.get(row.id);
      if (!entry) themes.set(row.id, (entry = { id: row.id, label: row.label, recommendationCount: 0, developmentCount: 0 }));
      entry[field] = row.n;
    }
  };
  tally(
    db.all(sql`select t.id, t.label, count(*) as n
      from recommendations r join recommendation_themes rt on rt.recommendation_id = r.id join themes t on t.id = rt.theme_id
      where r.review_id = ${reviewId} group by t.id`),
    'recommendationCount',
  );
  tally(
    db.all(sql`select t.id, t.label, count(*) as n
      from developments d join development_themes dt on dt.development_id = d.id join themes t on t.id = dt.theme_id
      where d.review_id = ${reviewId} group by t.id`),
    'developmentCount',
  );
  const topThemes = [...themes.values()]
    .sort(
      (a, b) =>
        b.recommendationCount - a.recommendationCount ||
        b.developmentCount - a.developmentCount ||
        a.label.localeCompare(b.label, 'en'),
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
