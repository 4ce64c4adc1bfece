import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { normaliseFilter } from '../db/count-cache.js';
import { cappedTotal, fullTextLimits } from '../db/fulltext.js';
import { keysetAfter, keysetOrder, whereClause } from '../db/keyset.js';
import { relevanceRank, tsQuery } from '../db/pg/fulltext.js';
import { type KnownTotal, type KnownTotals, totalUnlessKnown } from '../db/pg/known-totals.js';
import { snapshotRead, statementName } from '../db/pg/rows.js';
import { revisionStamp } from '../db/revision.js';
import { type KeyValue, sliceChunk } from '../http/pagination.js';
import { choosePagePlan } from './page-plan.js';
import { filterConditions } from './queries.js';
import type { RecommendationDetail, RecommendationFilter, RecommendationRecord, RecommendationSort } from './schemas.js';

// The recommendations' reads on PostgreSQL. The filter's conditions are queries.ts's own (filterConditions:
// plain SQL both databases run alike, but for how a link's value is matched); what differs is here: full text (tsvector, src/db/pg/fulltext.ts),
// the relevance sort's columns, and reading through node-postgres (async, a server-side cursor for exports).
// Pages and exports concatenate the stored documents (recommendation_documents; CSV rows from
// recommendation_csv_lines), as on SQLite.

const dialect = new PgDialect();

type Pool = Pick<pg.Pool, 'query' | 'connect'>;

/** The keyset columns of each sort: SQLite's (queries.ts), but relevance is (minus ts_rank, id). */
const SORT_COLUMNS: Record<RecommendationSort, SQL[]> = {
  paragraph: [sql`r.review_id`, sql`r.paragraph_sort_key`, sql`r.id`],
  '-paragraph': [sql`r.review_id`, sql`r.paragraph_sort_key`, sql`r.id`],
  updatedAt: [sql`r.updated_at`, sql`r.id`],
  '-updatedAt': [sql`r.updated_at`, sql`r.id`],
  id: [sql`r.id`],
  '-id': [sql`r.id`],
  relevance: [sql`f.rank`, sql`r.id`],
};

export interface PgSort {
  name: string;
  descending: boolean;
}

/** A stored line of each match: its JSON document, NDJSON line, or CSV row around an origin's url cell. */
export type DocumentLine = 'json' | 'ndjson' | { csv: [before: string, after: string] };

function lineText(line: DocumentLine): SQL {
  if (line === 'json') return sql`d.json`;
  if (line === 'ndjson') return sql`d.json || chr(10)`;
  return sql`d.csv_head || ${line.csv[0]} || d.csv_path || ${line.csv[1]} || d.csv_tail`;
}

/** The recommendations (r) with their reviews (v): what the filter's conditions read. */
export const PG_RECOMMENDATIONS_FROM = sql`recommendations r join reviews v on v.id = r.review_id`;

/** The filter's conditions on PostgreSQL: queries.ts's (a page's, or a count's), and with q, the full-text match first. */
export function pgFilterConditions(f: RecommendationFilter, use: 'postgres' | 'postgres-count' = 'postgres'): SQL[] {
  const conditions = filterConditions(f, use);
  if (f.q !== undefined) conditions.unshift(sql`r.search @@ ${tsQuery(f.q)}`);
  return conditions;
}

/** The recommendations (r) with their reviews (v) and, with q, only the matches, each with its rank (f). */
function fromAndWhere(f: RecommendationFilter, extra: SQL[] = [], use: 'postgres' | 'postgres-count' = 'postgres'): SQL {
  const conditions = [...pgFilterConditions(f, use), ...extra];
  if (f.q === undefined) return sql`${PG_RECOMMENDATIONS_FROM} ${whereClause(conditions)}`;
  const rank = relevanceRank(sql`r.search`, tsQuery(f.q));
  return sql`${PG_RECOMMENDATIONS_FROM} cross join lateral (select ${rank} as rank) f ${whereClause(conditions)}`;
}

type FilterUse = 'postgres' | 'postgres-count';

/** The matches' ids (k) and sort keys (k0, k1, …), in order, after `after`; `use` the filter's form (pgJsonPage's plan). */
function keysetKeys(f: RecommendationFilter, sort: PgSort, after: KeyValue[] | undefined, limit?: number, use: FilterUse = 'postgres'): SQL {
  const columns = { columns: SORT_COLUMNS[sort.name as RecommendationSort], descending: sort.descending };
  const keys = sql.join(
    columns.columns.map((column, i) => sql`${column} as ${sql.identifier(`k${i}`)}`),
    sql`, `,
  );
  const limited = limit === undefined ? sql`` : sql` limit ${limit}`;
  return sql`select r.id as k, ${keys} from ${fromAndWhere(f, after ? [keysetAfter(columns, after)] : [], use)}
    order by ${keysetOrder(columns)}${limited}`;
}

/** The stored lines of the matches after `after`, in the sort's order, with their keys (k0, …) after. */
function documentsOf(f: RecommendationFilter, sort: PgSort, line: DocumentLine, after: KeyValue[] | undefined, limit?: number, use?: FilterUse): SQL {
  const count = SORT_COLUMNS[sort.name as RecommendationSort].length;
  const columns = Array.from({ length: count }, (_, i) => sql`k.${sql.identifier(`k${i}`)}`);
  const table = typeof line === 'object' ? sql`recommendation_csv_lines` : sql`recommendation_documents`;
  return sql`select ${lineText(line)}, ${sql.join(columns, sql`, `)} from (${keysetKeys(f, sort, after, limit, use)}) k
    join ${table} d on d.recommendation_id = k.k
    order by ${keysetOrder({ columns, descending: sort.descending })}`;
}

async function rowsOf(pool: Pick<pg.Pool, 'query'>, query: SQL): Promise<unknown[][]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const { rows } = await pool.query<unknown[]>({ text, values: params, rowMode: 'array' });
  return rows;
}

/** One page of stored lines, with the keys to continue after when more follow. */
export async function pgPageDocuments(
  pool: Pick<pg.Pool, 'query'>,
  f: RecommendationFilter,
  sort: PgSort,
  line: DocumentLine,
  limit: number,
  after: KeyValue[] | undefined,
  totals?: KnownTotals,
): Promise<{ docs: string[]; nextKeys: KeyValue[] | null }> {
  const rows = await rowsOf(pool, documentsOf(f, sort, line, after, limit + 1, await filterForm(pool, f, limit + 1, totals)));
  const chunk = sliceChunk(rows, limit, (row) => row.slice(1) as KeyValue[]);
  return { docs: chunk.rows.map((row) => row[0] as string), nextKeys: chunk.nextKeys };
}

/** The data revision's stamp as two columns (src/db/revision.ts STAMP_QUERY). */
const STAMP_COLUMNS = sql`(select value from meta where key = 'revision') as revision,
  (select value from meta where key = 'revision_token') as token`;

/** The count of the list's matches; with q, of at most FULL_TEXT_MAX_COUNT + 1 (cappedTotal says more). */
function totalOf(f: RecommendationFilter): SQL {
  const matches = sql`select 1 from ${fromAndWhere(f, [], 'postgres-count')}`;
  if (f.q === undefined) return sql`select count(*)::int from (${matches}) m`;
  return sql`select count(*)::int from (${matches} limit ${fullTextLimits().maxCount + 1}) m`;
}

/**
 * A JSON page and its total in one statement, one round trip (the total a scalar subquery PostgreSQL runs
 * once, and not at all when `known` was counted at the revision the statement reads: known-totals.ts): the
 * page's documents with their keys, in order, each row with the total; a page of no documents is one row with
 * the total alone. Named (statementName), so that each connection plans it once, unless it is a full-text page.
 * Its last columns are the data revision's stamp, read in the statement's snapshot: the ETag names it.
 */
function jsonPageOf(f: RecommendationFilter, sort: PgSort, limit: number, after: KeyValue[] | undefined, known: KnownTotal | undefined, use: FilterUse): SQL {
  const count = SORT_COLUMNS[sort.name as RecommendationSort].length;
  const keys = Array.from({ length: count }, (_, i) => sql`p.${sql.identifier(`k${i}`)}`);
  return sql`select p.*, t.total, t.revision, t.token
    from (select ${totalUnlessKnown(known, sql`s`, totalOf(f))} as total, s.revision, s.token from (select ${STAMP_COLUMNS}) s) t
    left join (${documentsOf(f, sort, 'json', after, limit + 1, use)}) p on true
    order by ${keysetOrder({ columns: keys, descending: sort.descending })}`;
}

/** The key of a list's total among KnownTotals: a full-text count is capped. */
const totalKey = (f: RecommendationFilter) =>
  normaliseFilter(f.q === undefined ? 'recommendations' : `recommendations, at most ${fullTextLimits().maxCount + 1}`, f);

/**
 * How a page or an export of `source=` reads the source's records, by the list's count (src/recommendations/page-plan.ts,
 * as SQLite's pages and export chunks choose): a source's EXISTS under OR is checked record by record in the sort's
 * order until the page is full, which is quick when the source cites many records and reads most of the table when
 * it cites few (a report's 385 of 300,000: 0.3–3.3 s a page, and an export of them read the whole table: 1.7–6.2 s);
 * the IN of both columns' matches, each by its index, reads and sorts every match (6 ms for those 385, seconds for
 * a source citing a third of the table). `rows` is the page's (its limit and one more) or an export's chunk. The count
 * comes first, in a statement of its own with the table's size (pg_class: never analyzed, -1, keeps the EXISTS), and
 * is kept in `totals`, so that the page's statement does not count again. Any other filter keeps its one form.
 */
async function filterForm(pool: Pick<pg.Pool, 'query'>, f: RecommendationFilter, rows: number, totals?: KnownTotals): Promise<FilterUse> {
  if (f.source === undefined || f.q !== undefined) return 'postgres';
  const key = totalKey(f);
  const { sql: text, params } = dialect.sqlToQuery(sql`select ${totalUnlessKnown(totals?.get(key), sql`s`, totalOf(f))} as total, s.revision, s.token,
      (select reltuples from pg_class where oid = 'recommendations'::regclass)::float8 as table_rows
    from (select ${STAMP_COLUMNS}) s`);
  const { rows: found } = await pool.query<{ total: number; revision: string | null; token: string | null; table_rows: number }>({
    name: statementName(text),
    text,
    values: params,
  });
  const { total, revision, token, table_rows: tableRows } = found[0]!;
  totals?.set(key, { revision, token, total });
  return choosePagePlan(total, tableRows, rows) === 'sort-order' ? 'postgres' : 'postgres-count';
}

/** One JSON page's documents, the keys after it when more follow, and meta.total (kept in `totals`, when given, for the next page). */
export async function pgJsonPage(
  pool: Pick<pg.Pool, 'query'>,
  f: RecommendationFilter,
  sort: PgSort,
  limit: number,
  after: KeyValue[] | undefined,
  totals?: KnownTotals,
): Promise<{ docs: string[]; nextKeys: KeyValue[] | null; total: { total: number; totalCapped?: true }; stamp: string }> {
  const key = totalKey(f);
  const use = await filterForm(pool, f, limit + 1, totals);
  const { sql: text, params } = dialect.sqlToQuery(jsonPageOf(f, sort, limit, after, totals?.get(key), use));
  // A full-text page runs unnamed: a named statement gets PostgreSQL's generic plan after five runs, and a
  // generic plan cannot know how many rows the query's terms match, which is what its plan depends on.
  const name = f.q === undefined ? statementName(text) : undefined;
  const { rows } = await pool.query<unknown[]>({ name, text, values: params, rowMode: 'array' });
  const [total, revision, token] = rows[0]!.slice(-3) as [number, string | null, string | null];
  totals?.set(key, { revision, token, total });
  const found = rows[0]![0] === null ? [] : rows;
  const chunk = sliceChunk(found, limit, (row) => row.slice(1, -3) as KeyValue[]);
  return {
    docs: chunk.rows.map((row) => row[0] as string),
    nextKeys: chunk.nextKeys,
    total: f.q === undefined ? { total } : cappedTotal(total),
    stamp: revisionStamp(revision, token),
  };
}

/**
 * Every match's stored line, in order, in chunks of `rows`, read through a server-side cursor inside one
 * repeatable-read transaction on a connection of its own: the export sees the database as it was when it
 * began, and holds one chunk in memory at a time. Ending the iteration early (a client gone) rolls back.
 */
export async function* pgDocumentChunks(
  pool: Pool,
  f: RecommendationFilter,
  sort: PgSort,
  line: Exclude<DocumentLine, 'json'>,
  after: KeyValue[] | undefined,
  rows: number,
  totals?: KnownTotals,
): AsyncGenerator<{ bytes: Buffer; rows: number }, void, undefined> {
  yield* snapshotRead(pool, async function* (client) {
    const { sql: text, params } = dialect.sqlToQuery(documentsOf(f, sort, line, after, undefined, await filterForm(client, f, rows, totals)));
    await client.query({ text: `declare upr_export no scroll cursor for ${text}`, values: params });
    for (;;) {
      const fetched = await client.query<[string]>({ text: `fetch ${rows} from upr_export`, rowMode: 'array' });
      const count = fetched.rows.length;
      if (count > 0) yield { bytes: Buffer.from(fetched.rows.map((row) => row[0]).join('')), rows: count };
      if (count < rows) break;
    }
  });
}

/** One recommendation: its stored document, with its assessments and developments. */
export async function pgGetRecommendation(pool: Pick<pg.Pool, 'query'>, id: string): Promise<RecommendationDetail | undefined> {
  const [document] = await rowsOf(pool, sql`select json from recommendation_documents where recommendation_id = ${id}`);
  if (!document) return undefined;
  const record = JSON.parse(document[0] as string) as RecommendationRecord;
  const assessments = (
    await rowsOf(pool, sql`select a.id, a.status, a.assessed_on, a.rationale, s.id, s.title, s.publisher, s.url, s.published_on,
      s.published_on_precision
      from assessments a join sources s on s.id = a.source_id
      where a.recommendation_id = ${id}
      order by a.assessed_on desc, a.created_at desc, a.id desc`)
  ).map(([assessmentId, status, assessedOn, rationale, sourceId, title, publisher, url, publishedOn, publishedOnPrecision]) => ({
    id: assessmentId,
    status,
    assessedOn,
    rationale,
    sources: [{ id: sourceId, title, publisher, url, publishedOn, publishedOnPrecision }],
  })) as RecommendationDetail['assessments'];
  const developments = (
    await rowsOf(pool, sql`select d.id, d.title, d.date, d.date_precision, d.direction
      from development_recommendations dr join developments d on d.id = dr.development_id
      where dr.recommendation_id = ${id}
      order by d.period_start, d.id`)
  ).map(([developmentId, title, date, datePrecision, direction]) => ({
    id: developmentId,
    title,
    date,
    datePrecision,
    direction,
  })) as RecommendationDetail['developments'];
  return { ...record, assessments, developments };
}
