import type { DatePrecision } from '../db/schema.js';
import { type SQL, sql } from 'drizzle-orm';
import { curatedLabel, type LabelRecord } from '../common/schemas.js';
import type { Db } from '../db/open.js';
import { cappedTotal, fullTextLimits, toFtsQuery } from '../db/fulltext.js';
import { matchTableChunks } from '../db/match-table.js';
import { periodOverlap } from '../db/period-overlap.js';
import { inList, keysetAfter, keysetOrder, type KeysetSort, whereClause } from '../db/keyset.js';
import { type Chunk, encodeCursor, type KeyValue, type Page, sliceChunk } from '../http/pagination.js';
import { storedInstant } from '../http/params.js';
import type { DevelopmentDetail, DevelopmentFilter, DevelopmentRecord, DevelopmentSort } from './schemas.js';

// All SQL about developments. Tables are aliased: d developments, st states, f full-text matches.

/**
 * The developments linked to any of the values. On SQLite the value is `+l.<column>`, no index key: else SQLite
 * probes the (value, development_id) index once per listed value for every development (100 recommendation ids:
 * 100 probes a development); PostgreSQL has no unary `+` for text (see recommendations/queries.ts's linkValue).
 */
function linked(table: string, column: string, values: readonly string[], dialect: 'sqlite' | 'postgres'): SQL {
  const value = sql`l.${sql.identifier(column)}`;
  return sql`exists (select 1 from ${sql.identifier(table)} l where l.development_id = d.id and ${inList(
    dialect === 'sqlite' ? sql`+${value}` : value,
    values,
  )})`;
}

/** The WHERE conditions for a filter; the same function serves every use of the filter. */
export function filterConditions(f: DevelopmentFilter, dialect: 'sqlite' | 'postgres' = 'sqlite'): SQL[] {
  const period = periodOverlap(f, { start: sql`d.period_start`, end: sql`d.period_end` });
  const c: SQL[] = [];
  if (f.id) c.push(inList(sql`d.id`, f.id));
  if (f.stateUnderReview) c.push(inList(sql`d.state_code`, f.stateUnderReview));
  if (f.reviewId) c.push(inList(sql`d.review_id`, f.reviewId));
  if (f.recommendationId) c.push(linked('development_recommendations', 'recommendation_id', f.recommendationId, dialect));
  if (f.direction) c.push(inList(sql`d.direction`, f.direction));
  if (f.theme) c.push(linked('development_themes', 'theme_id', f.theme, dialect));
  if (f.source) c.push(linked('development_sources', 'source_id', f.source, dialect));
  c.push(...period);
  if (f.updatedSince) c.push(sql`d.updated_at >= ${storedInstant(f.updatedSince)}`);
  return c;
}

export function fromClause(f: DevelopmentFilter): SQL {
  const base = sql`developments d`;
  if (f.q === undefined) return base;
  return sql`(select rowid as fts_rowid from developments_fts where developments_fts match ${toFtsQuery(f.q)}) f
    cross join ${base} on d.fts_rowid = f.fts_rowid`;
}


export interface DevelopmentRow {
  id: string;
  state_code: string;
  state_name: string;
  review_id: string | null;
  title: string;
  summary: string;
  date: string;
  date_precision: DevelopmentRecord['datePrecision'];
  period_start: string;
  direction: DevelopmentRecord['direction'];
  version: number;
  created_at: string;
  updated_at: string;
}

const byDate = {
  columns: [sql`d.period_start`, sql`d.id`],
  kinds: ['text', 'text'] as const,
  keysOf: (row: DevelopmentRow) => [row.period_start, row.id],
};
const byId = { columns: [sql`d.id`], kinds: ['text'] as const, keysOf: (row: DevelopmentRow) => [row.id] };

const SORTS: Record<DevelopmentSort, KeysetSort<DevelopmentRow>> = {
  date: { name: 'date', descending: false, ...byDate },
  '-date': { name: '-date', descending: true, ...byDate },
  id: { name: 'id', descending: false, ...byId },
  '-id': { name: '-id', descending: true, ...byId },
};

export function resolveSort(requested: DevelopmentSort | undefined): KeysetSort<DevelopmentRow> {
  return SORTS[requested ?? 'date'];
}

/** The developments' rows (SQL both databases run); every one without a limit. */
export function selectRowsQuery(from: SQL, conditions: SQL[], order: SQL, limit?: number): SQL {
  return sql`select d.id, d.state_code, st.name as state_name, d.review_id, d.title, d.summary,
      d.date, d.date_precision, d.period_start, d.direction, d.version, d.created_at, d.updated_at
    from ${from}
    join states st on st.code = d.state_code
    ${whereClause(conditions)}
    order by ${order}
    ${limit === undefined ? sql`` : sql`limit ${limit}`}`;
}

function selectRows(db: Db, from: SQL, conditions: SQL[], order: SQL, limit: number): DevelopmentRow[] {
  return db.all<DevelopmentRow>(selectRowsQuery(from, conditions, order, limit));
}

export function listDevelopments(
  db: Db,
  f: DevelopmentFilter,
  sort: KeysetSort<DevelopmentRow>,
  limit: number,
  after: KeyValue[] | undefined,
): Page<DevelopmentRecord> {
  // A full-text count stops after FULL_TEXT_MAX_COUNT + 1 matches (src/db/fulltext.ts).
  const stop = f.q === undefined ? sql`` : sql` limit ${fullTextLimits().maxCount + 1}`;
  const counted = db.get<{ n: number }>(
    sql`select count(*) as n from (select 1 from ${fromClause(f)} ${whereClause(filterConditions(f))}${stop})`,
  )!.n;
  const page = pageDevelopments(db, f, sort, limit, after);
  return {
    rows: page.rows,
    ...(f.q === undefined ? { total: counted } : cappedTotal(counted)),
    nextCursor: page.nextKeys ? encodeCursor(sort.name, page.nextKeys) : null,
  };
}

/** One keyset step of the list without its total: the list's pages and the chunks of an export. */
export function pageDevelopments(
  db: Db,
  f: DevelopmentFilter,
  sort: KeysetSort<DevelopmentRow>,
  limit: number,
  after: KeyValue[] | undefined,
): Chunk<DevelopmentRecord> {
  const conditions = filterConditions(f);
  const pageConditions = after ? [...conditions, keysetAfter(sort, after)] : conditions;
  const rows = selectRows(db, fromClause(f), pageConditions, keysetOrder(sort), limit + 1);
  const chunk = sliceChunk(rows, limit, sort.keysOf);
  return { rows: hydrate(db, chunk.rows), nextKeys: chunk.nextKeys };
}

/**
 * A full-text export's developments, `rows` at a time, the match run once (src/db/match-table.ts); undefined
 * without q: an export's keyset steps then cost only their rows.
 */
export function developmentExportChunks(
  db: Db,
  f: DevelopmentFilter,
  sort: KeysetSort<DevelopmentRow>,
  after: KeyValue[] | undefined,
  rows: number,
): Iterator<DevelopmentRecord[]> | undefined {
  if (f.q === undefined) return undefined;
  const conditions = filterConditions(f);
  if (after) conditions.push(keysetAfter(sort, after));
  const ids = sql`select d.id from ${fromClause(f)} ${whereClause(conditions)} order by ${keysetOrder(sort)}`;
  return matchTableChunks(db, ids, rows, (matches, from, n) =>
    hydrate(db, selectRows(db, sql`${matches} cross join developments d on d.id = m.k`, [sql`m.n > ${from}`], sql`m.n`, n)),
  );
}

export function getDevelopment(db: Db, id: string): DevelopmentDetail | undefined {
  const rows = selectRows(db, fromClause({}), [sql`d.id = ${id}`], sql`d.id`, 1);
  const [record] = hydrate(db, rows);
  if (!record) return undefined;
  return { ...record, recommendations: db.all<DevelopmentDetail['recommendations'][number]>(detailRecommendationsQuery(id)) };
}

/** The recommendations a development bears on, as its detail lists them (SQL both databases run). */
export function detailRecommendationsQuery(id: string): SQL {
  return sql`select r.id, r.paragraph, r.text
    from development_recommendations dr join recommendations r on r.id = dr.recommendation_id
    where dr.development_id = ${id}
    order by r.review_id, r.paragraph_sort_key, r.id`;
}

function groupBy<T extends { development_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(row.development_id);
    if (list) list.push(row);
    else map.set(row.development_id, [row]);
  }
  return map;
}

type ThemeRow = { development_id: string; id: string; label: string; scheme: LabelRecord['scheme'] };
type LinkRow = { development_id: string; recommendation_id: string };
type SourceRow = { development_id: string; id: string; title: string; publisher: string; url: string; published_on: string | null;
  published_on_precision: DatePrecision | null;
};

/** The many-to-many fields of a page of rows: one query per field for the whole page (SQL both databases run). */
export function hydrateQueries(rows: DevelopmentRow[]) {
  const idList = inList(
    sql`development_id`,
    rows.map((row) => row.id),
  );
  return {
    themes: sql`select development_id, t.id, t.label, t.scheme from development_themes join themes t on t.id = theme_id
      where ${idList} order by t.label`,
    recommendations: sql`select development_id, recommendation_id
      from development_recommendations where ${idList} order by recommendation_id`,
    sources: sql`select development_id, s.id, s.title, s.publisher, s.url, s.published_on, s.published_on_precision
      from development_sources join sources s on s.id = source_id where ${idList}
      order by s.published_on is null, s.published_on, s.id`,
  };
}

export interface HydrateRows {
  themes: ThemeRow[];
  recommendations: LinkRow[];
  sources: SourceRow[];
}

/** Adds the many-to-many fields to a page of rows. */
function hydrate(db: Db, rows: DevelopmentRow[]): DevelopmentRecord[] {
  if (rows.length === 0) return [];
  const q = hydrateQueries(rows);
  return developmentRecords(rows, {
    themes: db.all<ThemeRow>(q.themes),
    recommendations: db.all<LinkRow>(q.recommendations),
    sources: db.all<SourceRow>(q.sources),
  });
}

/** The records of a page of rows, with their themes, recommendations and sources. */
export function developmentRecords(rows: DevelopmentRow[], found: HydrateRows): DevelopmentRecord[] {
  const themes = groupBy(found.themes);
  const recommendations = groupBy(found.recommendations);
  const sources = groupBy(found.sources);
  return rows.map((row) => ({
    id: row.id,
    stateUnderReview: { id: row.state_code, name: row.state_name },
    reviewId: row.review_id,
    title: row.title,
    summary: row.summary,
    date: row.date,
    datePrecision: row.date_precision,
    direction: row.direction,
    themes: (themes.get(row.id) ?? []).map(({ id, label, scheme }) => curatedLabel(id, label, scheme)),
    recommendationIds: (recommendations.get(row.id) ?? []).map(({ recommendation_id }) => recommendation_id),
    sources: (sources.get(row.id) ?? []).map((s) => ({
      id: s.id,
      title: s.title,
      publisher: s.publisher,
      url: s.url,
      publishedOn: s.published_on,
      publishedOnPrecision: s.published_on_precision,
    })),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}
