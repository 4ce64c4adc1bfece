import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { toFtsQuery } from '../db/fulltext.js';
import { inList, keysetAfter, keysetOrder, type KeysetSort } from '../db/keyset.js';
import { type KeyValue, type Page, slicePage } from '../http/pagination.js';
import { invalidParam } from '../http/problem.js';
import type {
  RecommendationDetail,
  RecommendationFilter,
  RecommendationRecord,
  RecommendationSort,
} from './schemas.js';

// All SQL about recommendations. Tables are aliased: r recommendations, v reviews, f full-text matches.

const CURRENT_IMPLEMENTATION = sql`(select a.status from assessments a where a.recommendation_id = r.id
  order by a.assessed_on desc, a.created_at desc, a.id desc limit 1)`;

function linked(table: string, column: string, values: readonly (string | number)[]): SQL {
  return sql`exists (select 1 from ${sql.identifier(table)} l where l.recommendation_id = r.id and ${inList(
    sql`l.${sql.identifier(column)}`,
    values,
  )})`;
}

function withUnknown(expr: SQL, values: readonly string[]): SQL {
  const known = values.filter((v) => v !== 'unknown');
  const parts: SQL[] = [];
  if (known.length > 0) parts.push(inList(expr, known));
  if (known.length < values.length) parts.push(sql`${expr} is null`);
  return sql`(${sql.join(parts, sql` or `)})`;
}

/** The WHERE conditions for a filter; the same function serves every use of the filter. */
export function filterConditions(f: RecommendationFilter): SQL[] {
  const c: SQL[] = [];
  if (f.stateUnderReview) c.push(inList(sql`v.state_code`, f.stateUnderReview));
  if (f.recommendingState) c.push(linked('recommendation_states', 'state_code', f.recommendingState));
  if (f.regionalGroup) {
    c.push(sql`exists (select 1 from recommendation_states l join states s on s.code = l.state_code
      where l.recommendation_id = r.id and ${inList(sql`s.regional_group`, f.regionalGroup)})`);
  }
  if (f.cycle) c.push(inList(sql`v.cycle`, f.cycle));
  if (f.session) c.push(inList(sql`v.wg_session`, f.session));
  if (f.reviewId) c.push(inList(sql`r.review_id`, f.reviewId));
  if (f.position) c.push(withUnknown(sql`r.position`, f.position));
  if (f.theme) c.push(linked('recommendation_themes', 'theme_id', f.theme));
  if (f.sdg) c.push(linked('recommendation_sdgs', 'goal', f.sdg));
  if (f.affectedPersons) c.push(linked('recommendation_affected_persons', 'group_id', f.affectedPersons));
  if (f.implementation) c.push(withUnknown(CURRENT_IMPLEMENTATION, f.implementation));
  if (f.hasDevelopments !== undefined) {
    const exists = sql`exists (select 1 from development_recommendations dr where dr.recommendation_id = r.id)`;
    c.push(f.hasDevelopments ? exists : sql`not ${exists}`);
  }
  if (f.updatedSince) c.push(sql`r.updated_at >= ${new Date(f.updatedSince).toISOString()}`);
  return c;
}

function fromClause(f: RecommendationFilter): SQL {
  const base = sql`recommendations r join reviews v on v.id = r.review_id`;
  if (f.q === undefined) return base;
  return sql`${base} join (select recommendation_id, bm25(recommendations_fts) as rank from recommendations_fts
    where recommendations_fts match ${toFtsQuery(f.q)}) f on f.recommendation_id = r.id`;
}

function whereClause(conditions: SQL[]): SQL {
  return conditions.length === 0 ? sql`` : sql`where ${sql.join(conditions, sql` and `)}`;
}

const byParagraph = {
  columns: [sql`r.review_id`, sql`r.paragraph_sort_key`, sql`r.id`],
  keysOf: (row: BaseRow) => [row.review_id, row.paragraph_sort_key, row.id],
};
const byUpdate = { columns: [sql`r.updated_at`, sql`r.id`], keysOf: (row: BaseRow) => [row.updated_at, row.id] };
const byId = { columns: [sql`r.id`], keysOf: (row: BaseRow) => [row.id] };

const SORTS: Record<RecommendationSort, KeysetSort<BaseRow>> = {
  paragraph: { name: 'paragraph', descending: false, ...byParagraph },
  '-paragraph': { name: '-paragraph', descending: true, ...byParagraph },
  updatedAt: { name: 'updatedAt', descending: false, ...byUpdate },
  '-updatedAt': { name: '-updatedAt', descending: true, ...byUpdate },
  id: { name: 'id', descending: false, ...byId },
  '-id': { name: '-id', descending: true, ...byId },
  // bm25() is lower for better matches.
  relevance: {
    name: 'relevance',
    descending: false,
    columns: [sql`f.rank`, sql`r.id`],
    // The relevance sort is only used with q, so every row has its rank.
    keysOf: (row) => [row.rank!, row.id],
  },
};

export function resolveSort(
  requested: RecommendationSort | undefined,
  f: RecommendationFilter,
): KeysetSort<BaseRow> {
  if (requested === 'relevance' && f.q === undefined) {
    throw invalidParam('query', 'sort', 'sort=relevance needs a full-text query in q.');
  }
  return SORTS[requested ?? (f.q === undefined ? 'paragraph' : 'relevance')];
}

interface BaseRow {
  id: string;
  review_id: string;
  paragraph: string | null;
  paragraph_sort_key: string;
  text: string;
  verbatim: number;
  position: RecommendationRecord['position'];
  position_source: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  state_code: string;
  state_name: string;
  cycle: number;
  wg_session: number | null;
  implementation: RecommendationRecord['implementation'];
  development_count: number;
  source_id: string | null;
  source_title: string | null;
  source_publisher: string | null;
  source_url: string | null;
  source_published_on: string | null;
  rank?: number;
}

function selectRows(db: Db, f: RecommendationFilter, conditions: SQL[], order: SQL, limit: number): BaseRow[] {
  const rankColumn = f.q === undefined ? sql`` : sql`, f.rank`;
  return db.all<BaseRow>(sql`select r.id, r.review_id, r.paragraph, r.paragraph_sort_key, r.text, r.verbatim,
      r.position, r.position_source, r.version, r.created_at, r.updated_at, v.state_code, st.name as state_name, v.cycle,
      v.wg_session, ${CURRENT_IMPLEMENTATION} as implementation,
      (select count(*) from development_recommendations dr where dr.recommendation_id = r.id) as development_count,
      src.id as source_id, src.title as source_title, src.publisher as source_publisher, src.url as source_url,
      src.published_on as source_published_on ${rankColumn}
    from ${fromClause(f)}
    join states st on st.code = v.state_code
    left join sources src on src.id = r.source_id
    ${whereClause(conditions)}
    order by ${order}
    limit ${limit}`);
}

export function listRecommendations(
  db: Db,
  f: RecommendationFilter,
  sort: KeysetSort<BaseRow>,
  limit: number,
  after: KeyValue[] | undefined,
): Page<RecommendationRecord> {
  const conditions = filterConditions(f);
  const total = db.get<{ n: number }>(sql`select count(*) as n from ${fromClause(f)} ${whereClause(conditions)}`)!.n;
  const pageConditions = after ? [...conditions, keysetAfter(sort, after)] : conditions;
  const rows = selectRows(db, f, pageConditions, keysetOrder(sort), limit + 1);
  const page = slicePage(rows, limit, sort.name, sort.keysOf);
  return { rows: hydrate(db, page.rows), total, nextCursor: page.nextCursor };
}

export function getRecommendation(db: Db, id: string): RecommendationDetail | undefined {
  const rows = selectRows(db, {}, [sql`r.id = ${id}`], sql`r.id`, 1);
  const [record] = hydrate(db, rows);
  if (!record) return undefined;
  const assessments = db
    .all<{
      id: string;
      status: RecommendationDetail['assessments'][number]['status'];
      assessed_on: string;
      rationale: string;
      source_id: string;
      title: string;
      publisher: string;
      url: string;
      published_on: string | null;
    }>(sql`select a.id, a.status, a.assessed_on, a.rationale, s.id as source_id, s.title, s.publisher, s.url,
        s.published_on
      from assessments a join sources s on s.id = a.source_id
      where a.recommendation_id = ${id}
      order by a.assessed_on desc, a.created_at desc, a.id desc`)
    .map((a) => ({
      id: a.id,
      status: a.status,
      assessedOn: a.assessed_on,
      rationale: a.rationale,
      source: { id: a.source_id, title: a.title, publisher: a.publisher, url: a.url, publishedOn: a.published_on },
    }));
  const developments = db.all<RecommendationDetail['developments'][number]>(sql`select d.id, d.title, d.date,
      d.date_precision as datePrecision, d.direction
    from development_recommendations dr join developments d on d.id = dr.development_id
    where dr.recommendation_id = ${id}
    order by d.period_start, d.id`);
  return { ...record, assessments, developments };
}

function groupBy<T extends { recommendation_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(row.recommendation_id);
    if (list) list.push(row);
    else map.set(row.recommendation_id, [row]);
  }
  return map;
}

/** Adds the many-to-many fields to a page of rows, with one query per field for the whole page. */
function hydrate(db: Db, rows: BaseRow[]): RecommendationRecord[] {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const idList = inList(sql`recommendation_id`, ids);
  const recommenders = groupBy(
    db.all<{ recommendation_id: string; code: string; name: string }>(sql`select recommendation_id, s.code, s.name
      from recommendation_states join states s on s.code = state_code where ${idList} order by s.name`),
  );
  const themes = groupBy(
    db.all<{ recommendation_id: string; id: string; label: string }>(sql`select recommendation_id, t.id, t.label
      from recommendation_themes join themes t on t.id = theme_id where ${idList} order by t.label`),
  );
  const sdgs = groupBy(
    db.all<{ recommendation_id: string; goal: number }>(sql`select recommendation_id, goal
      from recommendation_sdgs where ${idList} order by goal`),
  );
  const groups = groupBy(
    db.all<{ recommendation_id: string; id: string; label: string }>(sql`select recommendation_id, g.id, g.label
      from recommendation_affected_persons join affected_persons_groups g on g.id = group_id where ${idList}
      order by g.label`),
  );
  return rows.map((row) => ({
    id: row.id,
    reviewId: row.review_id,
    stateUnderReview: { code: row.state_code, name: row.state_name },
    cycle: row.cycle,
    session: row.wg_session,
    paragraph: row.paragraph,
    text: row.text,
    verbatim: row.verbatim === 1,
    recommendingStates: (recommenders.get(row.id) ?? []).map(({ code, name }) => ({ code, name })),
    position: row.position,
    positionSource: row.position_source,
    themes: (themes.get(row.id) ?? []).map(({ id, label }) => ({ id, label })),
    sdgs: (sdgs.get(row.id) ?? []).map(({ goal }) => goal),
    affectedPersons: (groups.get(row.id) ?? []).map(({ id, label }) => ({ id, label })),
    implementation: row.implementation,
    developmentCount: row.development_count,
    source:
      row.source_id === null
        ? null
        : {
            id: row.source_id,
            title: row.source_title!,
            publisher: row.source_publisher!,
            url: row.source_url!,
            publishedOn: row.source_published_on,
          },
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

export interface RecommendationCounts {
  total: number;
  byPosition: Record<NonNullable<RecommendationRecord['position']> | 'unknown', number>;
  byImplementation: Record<NonNullable<RecommendationRecord['implementation']> | 'unknown', number>;
}

/** How many recommendations match a filter, by position and by current implementation status. */
export function countRecommendations(db: Db, f: RecommendationFilter): RecommendationCounts {
  const rows = db.all<{ position: string | null; implementation: string | null; n: number }>(sql`select r.position,
      ${CURRENT_IMPLEMENTATION} as implementation, count(*) as n
    from ${fromClause(f)} ${whereClause(filterConditions(f))}
    group by 1, 2`);
  const counts: RecommendationCounts = {
    total: 0,
    byPosition: { supported: 0, partially_supported: 0, noted: 0, pending: 0, unknown: 0 },
    byImplementation: { not_implemented: 0, partially_implemented: 0, implemented: 0, unknown: 0 },
  };
  for (const row of rows) {
    counts.total += row.n;
    counts.byPosition[(row.position ?? 'unknown') as keyof RecommendationCounts['byPosition']] += row.n;
    counts.byImplementation[(row.implementation ?? 'unknown') as keyof RecommendationCounts['byImplementation']] +=
      row.n;
  }
  return counts;
}
