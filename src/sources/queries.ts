import type { DatePrecision } from '../db/schema.js';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { composedColumn, foldedColumn, foldText } from '../db/functions.js';
import { periodOfStoredDate, periodOverlap } from '../db/period-overlap.js';
import { inList, keysetAfter, keysetOrder, type KeysetSort, whereClause } from '../db/keyset.js';
import { type Chunk, encodeCursor, type KeyValue, type Page, sliceChunk } from '../http/pagination.js';
import { CITATIONS_PER_KIND, type CitedBy, type SourceDetail, type SourceFilter, type SourceRecord, type SourceSort } from './schemas.js';

// All SQL about sources. The table is aliased s.

type Dialect = 'sqlite' | 'postgres';

/** Whether `text`, folded as foldText folds (lower case, NFC), contains `part`: SQLite's instr, PostgreSQL's strpos. */
function contains(text: SQL, part: string, dialect: Dialect): SQL {
  const folded = foldedColumn(text, dialect);
  return dialect === 'sqlite' ? sql`instr(${folded}, ${part}) > 0` : sql`strpos(${folded}, ${part}) > 0`;
}

export function filterConditions(f: SourceFilter, dialect: Dialect = 'sqlite'): SQL[] {
  const c: SQL[] = periodOverlap(f, periodOfStoredDate(sql`s.published_on`, sql`s.published_on_precision`));
  if (f.id) c.push(inList(sql`s.id`, f.id));
  // As stored, but "é" composed or as "e" and U+0301 alike: a publisher pasted from a PDF is found as typed.
  if (f.publisher) c.push(inList(composedColumn(sql`s.publisher`, dialect), f.publisher.map((p) => p.normalize('NFC'))));
  if (f.q !== undefined) {
    const q = foldText(f.q);
    const anyOf = [sql`s.title`, sql`s.publisher`, sql`s.url`].map((column) => contains(column, q, dialect));
    c.push(sql`(${sql.join(anyOf, sql` or `)})`);
  }
  return c;
}

interface Row {
  id: string;
  title: string;
  publisher: string;
  url: string;
  publishedOn: string | null;
  publishedOnPrecision: DatePrecision | null;
}

const byId = { columns: [sql`s.id`], kinds: ['text'] as const, keysOf: (row: Row) => [row.id] };
const SORTS: Record<SourceSort, KeysetSort<Row>> = {
  id: { name: 'id', descending: false, ...byId },
  '-id': { name: '-id', descending: true, ...byId },
};

export type SourceKeysetSort = KeysetSort<Row>;

export function resolveSort(requested: SourceSort | undefined): KeysetSort<Row> {
  return SORTS[requested ?? 'id'];
}

/** The sources' rows (SQL both databases run). */
export function selectRowsQuery(conditions: SQL[], order: SQL, limit: number): SQL {
  return sql`select s.id, s.title, s.publisher, s.url, s.published_on as "publishedOn",
    s.published_on_precision as "publishedOnPrecision"
    from sources s ${whereClause(conditions)} order by ${order} limit ${limit}`;
}

function selectRows(db: Db, conditions: SQL[], order: SQL, limit: number): Row[] {
  return db.all<Row>(selectRowsQuery(conditions, order, limit));
}

export function pageSources(
  db: Db,
  f: SourceFilter,
  sort: KeysetSort<Row>,
  limit: number,
  after: KeyValue[] | undefined,
): Chunk<SourceRecord> {
  const conditions = filterConditions(f);
  const rows = selectRows(db, after ? [...conditions, keysetAfter(sort, after)] : conditions, keysetOrder(sort), limit + 1);
  return sliceChunk(rows, limit, sort.keysOf);
}

export function listSources(
  db: Db,
  f: SourceFilter,
  sort: KeysetSort<Row>,
  limit: number,
  after: KeyValue[] | undefined,
): Page<SourceRecord> {
  const total = db.get<{ n: number }>(sql`select count(*) as n from sources s ${whereClause(filterConditions(f))}`)!.n;
  const page = pageSources(db, f, sort, limit, after);
  return { rows: page.rows, total, nextCursor: page.nextKeys ? encodeCursor(sort.name, page.nextKeys) : null };
}

/** The ids citing a source, by kind: each a query over an index on the source column (migration 0008). */
function citingIds(id: string): Record<keyof CitedBy, SQL> {
  return {
    recommendations: sql`select id from recommendations where source_id = ${id}
      union select recommendation_id as id from recommendation_sources where source_id = ${id}`,
    positions: sql`select recommendation_id as id from recommendation_sources
      where source_id = ${id} and position is not null`,
    assessments: sql`select id from assessments where source_id = ${id}`,
    developments: sql`select development_id as id from development_sources where source_id = ${id}`,
    statements: sql`select id from statements where source_id = ${id}`,
    reviews: sql`select review_id as id from review_sources where source_id = ${id}`,
  };
}

/** One statement per kind of citation: the count over all, and the first ids in order. */
export function citationQueries(id: string): [keyof CitedBy, SQL][] {
  return (Object.entries(citingIds(id)) as [keyof CitedBy, SQL][]).map(([kind, query]) => [
    kind,
    sql`select id, cast(count(*) over () as integer) as n
      from (select distinct id from (${query}) c) d order by id limit ${CITATIONS_PER_KIND}`,
  ]);
}

/** The ids citing a source, by kind, from each citation query's rows. */
export function citedByOf(rows: [keyof CitedBy, { id: string; n: number }[]][]): CitedBy {
  const citedBy = {} as CitedBy;
  for (const [kind, found] of rows) citedBy[kind] = { count: found[0]?.n ?? 0, ids: found.map((row) => row.id) };
  return citedBy;
}

export function getSource(db: Db, id: string): SourceDetail | undefined {
  const [source] = selectRows(db, [sql`s.id = ${id}`], sql`s.id`, 1);
  if (!source) return undefined;
  const citedBy = citedByOf(citationQueries(id).map(([kind, query]) => [kind, db.all<{ id: string; n: number }>(query)]));
  return { ...source, citedBy };
}
