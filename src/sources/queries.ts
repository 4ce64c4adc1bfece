import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { inList, keysetAfter, keysetOrder, type KeysetSort, whereClause } from '../db/keyset.js';
import { type Chunk, encodeCursor, type KeyValue, type Page, sliceChunk } from '../http/pagination.js';
import { CITATIONS_PER_KIND, type CitedBy, type SourceDetail, type SourceFilter, type SourceRecord, type SourceSort } from './schemas.js';

// All SQL about sources. The table is aliased s.

export function filterConditions(f: SourceFilter): SQL[] {
  const c: SQL[] = [];
  if (f.publisher) c.push(inList(sql`s.publisher`, f.publisher));
  if (f.q !== undefined) {
    const q = f.q.toLowerCase();
    c.push(sql`(instr(lower(s.title), ${q}) > 0 or instr(lower(s.publisher), ${q}) > 0 or instr(lower(s.url), ${q}) > 0)`);
  }
  return c;
}

interface Row {
  id: string;
  title: string;
  publisher: string;
  url: string;
  publishedOn: string | null;
}

const byId = { columns: [sql`s.id`], keysOf: (row: Row) => [row.id] };
const SORTS: Record<SourceSort, KeysetSort<Row>> = {
  id: { name: 'id', descending: false, ...byId },
  '-id': { name: '-id', descending: true, ...byId },
};

export function resolveSort(requested: SourceSort | undefined): KeysetSort<Row> {
  return SORTS[requested ?? 'id'];
}

function selectRows(db: Db, conditions: SQL[], order: SQL, limit: number): Row[] {
  return db.all<Row>(sql`select s.id, s.title, s.publisher, s.url, s.published_on as publishedOn
    from sources s ${whereClause(conditions)} order by ${order} limit ${limit}`);
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

export function getSource(db: Db, id: string): SourceDetail | undefined {
  const [source] = selectRows(db, [sql`s.id = ${id}`], sql`s.id`, 1);
  if (!source) return undefined;
  const citedBy = {} as CitedBy;
  for (const [kind, query] of Object.entries(citingIds(id)) as [keyof CitedBy, SQL][]) {
    // One statement per kind: the count over all, and the first ids in order.
    const rows = db.all<{ id: string; n: number }>(sql`select id, count(*) over () as n
      from (select distinct id from (${query})) order by id limit ${CITATIONS_PER_KIND}`);
    citedBy[kind] = { count: rows[0]?.n ?? 0, ids: rows.map((row) => row.id) };
  }
  return { ...source, citedBy };
}
