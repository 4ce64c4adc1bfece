import type { DatePrecision } from '../db/schema.js';
import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { cappedTotal, fullTextLimits, toFtsQuery } from '../db/fulltext.js';
import { cachedCount } from '../db/count-cache.js';
import { labelledLinks, lookupByIds, rowValues, sqlToQuery } from '../db/batch.js';
import { inList, keysetAfter, keysetOrder, type KeysetSort, relevanceSort, whereClause } from '../db/keyset.js';
import { type Chunk, type KeyValue, sliceChunk } from '../http/pagination.js';
import { invalidParam } from '../http/problem.js';
import { storedInstant } from '../http/params.js';
import { choosePagePlan, type PagePlan, tableRowsEstimate } from './page-plan.js';
import { realDataConditions } from './real-data-filters.js';
import { NO_RECURRENCE, type Recurrence, recurrences, recurringCondition } from '../related/recurrence.js';
import type {
  RecommendationDetail,
  RecommendationFilter,
  RecommendationRecord,
  RecommendationSort,
} from './schemas.js';

// All SQL about recommendations. Tables are aliased: r recommendations, v reviews, f full-text matches.

export const CURRENT_IMPLEMENTATION = sql`(select a.status from assessments a where a.recommendation_id = r.id
  order by a.assessed_on desc, a.created_at desc, a.id desc limit 1)`;

/**
 * What a filter's SQL is for: SQLite's pages and exports ('sqlite'), read in the sort's order and stopped after a
 * page; SQLite's counts ('sqlite-count'), which read every match in any order; PostgreSQL's pages ('postgres') and
 * counts ('postgres-count').
 */
export type FilterDialect = 'sqlite' | 'sqlite-count' | 'postgres' | 'postgres-count';

const onPostgres = (dialect: FilterDialect) => dialect === 'postgres' || dialect === 'postgres-count';

/**
 * A link table's value column (l.<column>) as a filter's EXISTS compares it. On SQLite, `+` keeps the value
 * from being an index key: given `l.recommendation_id = r.id and l.state_code in (100 codes)`, SQLite's
 * planner probes a (state_code, recommendation_id) index once per listed value for every recommendation it
 * checks (100 probes a row: 2.3 s of CPU to count 54,000 of 100,000, a stats query 8.9 s); with `+` it reads
 * the recommendation's few links by its id and tests each against the list (50 ms, whatever the list's
 * length). PostgreSQL has no unary `+` for text, and joins the links once (a semi-join).
 */
function linkValue(column: string, dialect: FilterDialect): SQL {
  const value = sql`l.${sql.identifier(column)}`;
  return dialect === 'sqlite' ? sql`+${value}` : value;
}

/**
 * The recommendations linked to any of the values. A page is read in its sort's order, each recommendation
 * checked (EXISTS), so that it stops after a page; a count on SQLite reads the links of the values instead, by
 * the value's index (an IN list): the EXISTS read every recommendation, to count the few a state made (a
 * state's page, GET /v1/states/{id}, 130 ms at 100,000; the IN list, under a millisecond).
 */
function linkedAny(table: string, column: string, values: readonly (string | number)[], dialect: FilterDialect, extra = sql``): SQL {
  const l = sql.identifier(table);
  if (dialect === 'sqlite-count') {
    return sql`r.id in (select l.recommendation_id from ${l} l where ${inList(linkValue(column, dialect), values)}${extra})`;
  }
  return sql`exists (select 1 from ${l} l where l.recommendation_id = r.id and ${inList(linkValue(column, dialect), values)}${extra})`;
}

/**
 * Recommendations citing any of the sources, as GET /v1/sources/{id} counts them: the source of the record's text
 * (r.source_id) or any of its sources (recommendation_sources). An EXISTS, not an IN list the sources' index
 * drives: a source worth filtering by cites thousands (UPR Info's, a third of 100,000), whose pages and exports a
 * scan in the sort's order ends early, where the IN list sorted all of them for each page (130 ms; the export 4.6 s).
 * PostgreSQL's count takes the IN of both columns' matches, each found by its index: an EXISTS under OR is no
 * semi-join there but a subquery run for every record (a report citing 385 of 300,000: 3.7 s to count, 28 ms so;
 * a count reads every match in any order, so no source is slower so).
 */
function citing(sourceIds: readonly string[], dialect: FilterDialect): SQL {
  if (dialect === 'postgres-count') {
    return sql`r.id in (select c.id from recommendations c where ${inList(sql`c.source_id`, sourceIds)}
      union all select l.recommendation_id from recommendation_sources l where ${inList(sql`l.source_id`, sourceIds)})`;
  }
  return sql`(${inList(sql`r.source_id`, sourceIds)} or ${linkedAny('recommendation_sources', 'source_id', sourceIds, dialect)})`;
}

function withUnknown(expr: SQL, values: readonly string[]): SQL {
  const known = values.filter((v) => v !== 'unknown');
  const parts: SQL[] = [];
  if (known.length > 0) parts.push(inList(expr, known));
  if (known.length < values.length) parts.push(sql`${expr} is null`);
  return sql`(${sql.join(parts, sql` or `)})`;
}

/**
 * The current implementation status among `values` ("unknown": never assessed). Whether a record has an
 * assessment at all is asked first, as a membership PostgreSQL hashes once: with the status's subquery alone
 * it ran the subquery for every record, ordering its assessments (implementation=partially_implemented,unknown
 * over 19,018 records and 76 assessments: 425 ms of PostgreSQL's time, 12 ms so; SQLite alike either way).
 * PostgreSQL still ran the status's subquery once per assessed record (24,193 at 300,000 recommendations: 5.7 s
 * a page of `implemented`); it now takes each record's latest assessment in one ordered pass (DISTINCT ON, the
 * same order as CURRENT_IMPLEMENTATION's), which SQLite has no form of.
 */
function implementationIn(values: readonly string[], dialect: FilterDialect): SQL {
  const known = values.filter((v) => v !== 'unknown');
  const parts: SQL[] = [];
  if (known.length > 0 && onPostgres(dialect)) {
    parts.push(sql`r.id in (select c.recommendation_id from (select distinct on (a.recommendation_id) a.recommendation_id, a.status
      from assessments a order by a.recommendation_id, a.assessed_on desc, a.created_at desc, a.id desc) c where ${inList(sql`c.status`, known)})`);
  } else if (known.length > 0) {
    parts.push(sql`(r.id in (select a.recommendation_id from assessments a) and ${inList(CURRENT_IMPLEMENTATION, known)})`);
  }
  if (known.length < values.length) parts.push(sql`r.id not in (select a.recommendation_id from assessments a)`);
  return sql`(${sql.join(parts, sql` or `)})`;
}

/** The column an index serves along with each sort's order (recommendations_review_position_idx, recommendations_updated_idx). */
const SORTED_WITH: Partial<Record<string, 'position' | 'updated_at'>> = {
  paragraph: 'position',
  '-paragraph': 'position',
  updatedAt: 'updated_at',
  '-updatedAt': 'updated_at',
};

/**
 * A column of r as a filter compares it; on a SQLite page read in `sortOrder` (pagePlan's 'sort-order'), with
 * `+`, so that SQLite reads the sort's index rather than the column's and sorts no match, unless one index holds both.
 */
function filterColumn(column: 'position' | 'updated_at', sortOrder: KeysetSort<BaseRow> | undefined): SQL {
  const value = sql`r.${sql.identifier(column)}`;
  return sortOrder === undefined || SORTED_WITH[sortOrder.name] === column ? value : sql`+${value}`;
}

/**
 * The WHERE conditions for a filter; the same function serves every use of the filter, on either database.
 * `sortOrder`: a SQLite page (dialect 'sqlite') that reads the records in this sort's order (pagePlan).
 */
export function filterConditions(f: RecommendationFilter, dialect: FilterDialect = 'sqlite', sortOrder?: KeysetSort<BaseRow>): SQL[] {
  const c: SQL[] = [];
  if (f.id) c.push(inList(sql`r.id`, f.id));
  if (f.stateUnderReview) c.push(inList(sql`v.state_code`, f.stateUnderReview));
  if (f.recommendingState) c.push(linkedAny('recommendation_states', 'state_code', f.recommendingState, dialect));
  if (f.regionalGroup) {
    c.push(sql`exists (select 1 from recommendation_states l join states s on s.code = l.state_code
      where l.recommendation_id = r.id and ${inList(sql`s.regional_group`, f.regionalGroup)})`);
  }
  if (f.cycle) c.push(inList(sql`v.cycle`, f.cycle));
  if (f.session) c.push(inList(sql`v.wg_session`, f.session));
  if (f.reviewId) c.push(inList(sql`r.review_id`, f.reviewId));
  if (f.position) c.push(withUnknown(filterColumn('position', sortOrder), f.position));
  if (f.theme) {
    const sources = f.labelSource ? sql` and ${inList(sql`coalesce(l.label_source, 'curated')`, f.labelSource)}` : sql``;
    c.push(linkedAny('recommendation_themes', 'theme_id', f.theme, dialect, sources));
  }
  if (f.sdg) c.push(linkedAny('recommendation_sdgs', 'goal', f.sdg, dialect));
  if (f.affectedPersons) c.push(linkedAny('recommendation_affected_persons', 'group_id', f.affectedPersons, dialect));
  if (f.source) c.push(citing(f.source, dialect));
  if (f.implementation) c.push(implementationIn(f.implementation, dialect));
  c.push(...realDataConditions(f, onPostgres(dialect) ? 'postgres' : 'sqlite', sortOrder !== undefined));
  if (f.recurring !== undefined) c.push(recurringCondition(f.recurring));
  if (f.hasDevelopments !== undefined) {
    const exists = sql`exists (select 1 from development_recommendations dr where dr.recommendation_id = r.id)`;
    c.push(f.hasDevelopments ? exists : sql`not ${exists}`);
  }
  if (f.updatedSince) c.push(sql`${filterColumn('updated_at', sortOrder)} >= ${storedInstant(f.updatedSince)}`);
  return c;
}

/** Whether a filter reads the review (v): by state under review, cycle or session. */
function filtersOnReview(f: RecommendationFilter): boolean {
  return f.stateUnderReview !== undefined || f.cycle !== undefined || f.session !== undefined || f.year !== undefined;
}

/**
 * The FROM clause of a filter: the recommendations (r), their reviews (v) when the filter or the caller
 * needs them, and with a full-text query its matches (f, with their bm25 rank) first, so that only the
 * matching recommendations are read. `reviewAfter` (a page that pagePlan reads in the order of the last change):
 * each recommendation's review looked up after it (CROSS JOIN), where SQLite read the reviews of the filter first
 * and sorted all their records (cycle=3 by -updatedAt at 300,000: 74,719 sorted for each page, 140 ms; 7 ms so).
 */
export function fromClause(f: RecommendationFilter, withReview = filtersOnReview(f), reviewAfter = false): SQL {
  const reviews = withReview ? sql` ${sql.raw(reviewAfter ? 'cross join' : 'join')} reviews v on v.id = r.review_id` : sql``;
  if (f.q === undefined) return sql`recommendations r${reviews}`;
  return sql`(select rowid as fts_rowid, rank from recommendations_fts
    where recommendations_fts match ${toFtsQuery(f.q)}) f cross join recommendations r on r.fts_rowid = f.fts_rowid${reviews}`;
}

/**
 * With a full-text query as the only filter, in relevance order: the page's matches are taken inside FTS5,
 * (rank, rowid) after the cursor, before any recommendation is read (rank is bm25, lower for better matches).
 */
function topMatches(q: string, after: KeyValue[] | undefined, limit?: number): SQL {
  const resume = after ? sql` and (rank, rowid) > (${after[0]}, ${after[1]})` : sql``;
  const limited = limit === undefined ? sql`` : sql` limit ${limit}`;
  return sql`(select rowid as fts_rowid, rank from recommendations_fts
    where recommendations_fts match ${toFtsQuery(q)}${resume} order by rank, rowid${limited}) f
    cross join recommendations r on r.fts_rowid = f.fts_rowid`;
}

/** Whether a page is taken by topMatches: a full-text query as the only filter, in relevance order. */
function byRankAlone(
  f: RecommendationFilter,
  sort: KeysetSort<BaseRow>,
  conditions: SQL[],
): f is RecommendationFilter & { q: string } {
  return f.q !== undefined && sort.name === 'relevance' && conditions.length === 0;
}


const byParagraph = {
  columns: [sql`r.review_id`, sql`r.paragraph_sort_key`, sql`r.id`],
  kinds: ['text', 'text', 'text'] as const,
  keysOf: (row: BaseRow) => [row.review_id, row.paragraph_sort_key, row.id],
};
const byUpdate = { columns: [sql`r.updated_at`, sql`r.id`], kinds: ['text', 'text'] as const, keysOf: (row: BaseRow) => [row.updated_at, row.id] };
const byId = { columns: [sql`r.id`], kinds: ['text'] as const, keysOf: (row: BaseRow) => [row.id] };

const SORTS: Record<RecommendationSort, KeysetSort<BaseRow>> = {
  paragraph: { name: 'paragraph', descending: false, ...byParagraph },
  '-paragraph': { name: '-paragraph', descending: true, ...byParagraph },
  updatedAt: { name: 'updatedAt', descending: false, ...byUpdate },
  '-updatedAt': { name: '-updatedAt', descending: true, ...byUpdate },
  id: { name: 'id', descending: false, ...byId },
  '-id': { name: '-id', descending: true, ...byId },
  relevance: relevanceSort(),
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

export interface BaseRow {
  id: string;
  review_id: string;
  paragraph: string | null;
  paragraph_sort_key: string;
  text: string;
  verbatim: number;
  position: RecommendationRecord['position'];
  position_source: string | null;
  position_label: string | null;
  action_category: number | null;
  version: number;
  created_at: string;
  updated_at: string;
  state_code: string;
  state_name: string;
  cycle: number;
  wg_session: number | null;
  implementation: RecommendationRecord['implementation'];
  development_count: number;
  rank?: number;
  fts_rowid?: number;
}

/**
 * A page of rows: first the page's ids, found with the filter and the sort alone, then the page's columns
 * for those ids only (a "deferred join"), so that a filter matching many rows does not compute the
 * columns of every match. CROSS JOIN keeps SQLite from scanning all recommendations in sort order instead.
 */
function selectRows(
  db: Db,
  f: RecommendationFilter,
  conditions: SQL[],
  order: SQL,
  limit: number,
  from = fromClause(f),
): BaseRow[] {
  const rankColumn = f.q === undefined ? sql`` : sql`, f.rank, f.fts_rowid`;
  // Rows as arrays, made into objects here: better-sqlite3's objects for rows this wide cost several
  // times more memory and time (measured: 6 KB and 20 µs per row against 1.7 KB and 7 µs).
  const rows = rowValues(db, sql`select r.id, r.review_id, r.paragraph, r.paragraph_sort_key, r.text,
      r.verbatim, r.position, r.position_source, r.version, r.created_at, r.updated_at, v.state_code,
      st.name as state_name, v.cycle, v.wg_session, ${CURRENT_IMPLEMENTATION} as implementation,
      (select count(*) from development_recommendations dr where dr.recommendation_id = r.id) as development_count,
      r.position_label, r.action_category ${rankColumn}
    from (select r.id ${rankColumn} from ${from} ${whereClause(conditions)} order by ${order} limit ${limit}) f
    cross join recommendations r on r.id = f.id
    join reviews v on v.id = r.review_id
    join states st on st.code = v.state_code
    order by ${order}`);
  return rows.map(
    (r): BaseRow => ({
      id: r[0] as string,
      review_id: r[1] as string,
      paragraph: r[2] as string | null,
      paragraph_sort_key: r[3] as string,
      text: r[4] as string,
      verbatim: r[5] as number,
      position: r[6] as BaseRow['position'],
      position_source: r[7] as string | null,
      version: r[8] as number,
      created_at: r[9] as string,
      updated_at: r[10] as string,
      state_code: r[11] as string,
      state_name: r[12] as string,
      cycle: r[13] as number,
      wg_session: r[14] as number | null,
      implementation: r[15] as BaseRow['implementation'],
      development_count: r[16] as number,
      position_label: r[17] as string | null,
      action_category: r[18] as number | null,
      rank: r[19] as number | undefined,
      fts_rowid: r[20] as number | undefined,
    }),
  );
}

/**
 * The list's meta.total, counted once per data revision and filter (src/db/count-cache.ts); with a full-text
 * query, stopped after FULL_TEXT_MAX_COUNT + 1 matches and marked capped beyond.
 */
export function listTotal(db: Db, f: RecommendationFilter): { total: number; totalCapped?: true } {
  if (f.q === undefined) return { total: cachedCount(db, 'recommendations', f, () => countMatching(db, f)) };
  const { maxCount } = fullTextLimits();
  const q = f.q;
  return cappedTotal(cachedCount(db, `recommendations, at most ${maxCount + 1}`, f, () => countFullText(db, f, q)));
}

/** How many recommendations match a filter (uncapped: stats). */
export function countMatching(db: Db, f: RecommendationFilter): number {
  return rowValues(db, sql`select count(*) from ${fromClause(f)} ${whereClause(filterConditions(f, 'sqlite-count'))}`)[0]![0] as number;
}

/**
 * The list's count with a full-text query, stopped after FULL_TEXT_MAX_COUNT + 1 matches. A query alone is
 * counted in the index, which holds exactly one row per recommendation (its triggers keep it so).
 */
function countFullText(db: Db, f: RecommendationFilter, q: string): number {
  const conditions = filterConditions(f);
  const matches =
    conditions.length === 0
      ? sql`select 1 from recommendations_fts where recommendations_fts match ${toFtsQuery(q)}`
      : sql`select 1 from ${fromClause(f)} ${whereClause(conditions)}`;
  return rowValues(db, sql`select count(*) from (${matches} limit ${fullTextLimits().maxCount + 1})`)[0]![0] as number;
}

/** One keyset step of the list without its total: the list's pages and the chunks of an export. */
export function pageRecommendations(
  db: Db,
  f: RecommendationFilter,
  sort: KeysetSort<BaseRow>,
  limit: number,
  after: KeyValue[] | undefined,
): Chunk<RecommendationRecord> {
  const { from, conditions } = pageRead(db, f, sort, limit + 1);
  const rows = byRankAlone(f, sort, conditions)
    ? selectRows(db, f, [], keysetOrder(sort), limit + 1, topMatches(f.q, after, limit + 1))
    : selectRows(db, f, after ? [...conditions, keysetAfter(sort, after)] : conditions, keysetOrder(sort), limit + 1, from);
  const chunk = sliceChunk(rows, limit, sort.keysOf);
  return { rows: hydrate(db, chunk.rows), nextKeys: chunk.nextKeys };
}

/** The list records of these recommendations (those that exist), from the base tables: the read model's builder. */
export function buildRecommendationRecords(db: Db, ids: readonly string[]): RecommendationRecord[] {
  const rows = selectRows(db, {}, [sql`r.id in (select value from json_each(${JSON.stringify(ids)}))`], sql`r.id`, ids.length);
  return hydrate(db, rows);
}

/** How SQLite reads a page of the list without q (src/recommendations/page-plan.ts), by the list's count. */
export function pagePlan(db: Db, f: RecommendationFilter, rows: number): PagePlan {
  return choosePagePlan(listTotal(db, f).total, tableRowsEstimate(db), rows);
}

/**
 * The FROM clause and conditions of `rows` records of a page or an export's chunk, as pagePlan reads them ('none':
 * a constant false, which SQLite tests before reading anything). With q, the matches are read first whatever the plan.
 */
function pageRead(db: Db, f: RecommendationFilter, sort: KeysetSort<BaseRow>, rows: number): { from: SQL; conditions: SQL[] } {
  const conditions = filterConditions(f);
  if (f.q !== undefined || conditions.length === 0) return { from: fromClause(f), conditions };
  const plan = pagePlan(db, f, rows);
  if (plan === 'none') return { from: fromClause(f), conditions: [sql`0`] };
  if (plan === 'matches') return { from: fromClause(f), conditions: filterConditions(f, 'sqlite-count') };
  // Only by the last change: the paragraph's and the id's keys are in the index of each review's records
  // (recommendations_review_order_idx), so SQLite reads the filter's reviews first and sorts their keys without
  // reading a record, and ids begin with the state under review, so that the id's order meets a state's records late.
  const reviewAfter = sort.columns[0] === byUpdate.columns[0];
  return { from: fromClause(f, filtersOnReview(f), reviewAfter), conditions: filterConditions(f, 'sqlite', sort) };
}

/**
 * The id (k) and the sort's key columns (k0, k1, …) of the filter's matches, in order: the keyset step of a
 * page or of an export, with topMatches' fast path where it applies.
 */
function keysetKeys(
  db: Db,
  f: RecommendationFilter,
  sort: KeysetSort<BaseRow>,
  after: KeyValue[] | undefined,
  limit?: number,
  reused = false,
): SQL {
  const { from, conditions } = pageRead(db, f, sort, limit ?? Infinity);
  const keys = sql.join(
    sort.columns.map((column, i) => sql`${column} as ${sql.identifier(`k${i}`)}`),
    sql`, `,
  );
  const order = keysetOrder(sort);
  if (byRankAlone(f, sort, conditions)) {
    return sql`select r.id as k, ${keys} from ${topMatches(f.q, after, limit)} order by ${order}`;
  }
  if (after) conditions.push(keysetAfter(sort, after, reused));
  // (A reused statement's limit is written into it: a bound LIMIT, too, makes SQLite compile it again at each run.)
  const limited = limit === undefined ? sql`` : reused ? sql` limit ${sql.raw(String(limit))}` : sql` limit ${limit}`;
  return sql`select r.id as k, ${keys} from ${from} ${whereClause(conditions)} order by ${order}${limited}`;
}

/** keysetKeys' sort columns, for the outer select and order. */
function keyColumns(sort: KeysetSort<BaseRow>): SQL[] {
  return sort.columns.map((_, i) => sql`k.${sql.identifier(`k${i}`)}`);
}

/**
 * One page as stored JSON documents (see documents.ts): the page's keys by the filter and the sort alone,
 * then each document by its id, with the keys to continue after when more follow.
 */
export function pageDocuments(
  db: Db,
  f: RecommendationFilter,
  sort: KeysetSort<BaseRow>,
  limit: number,
  after: KeyValue[] | undefined,
): { docs: string[]; nextKeys: KeyValue[] | null } {
  const columns = keyColumns(sort);
  const keys = keysetKeys(db, f, sort, after, limit + 1);
  const rows = rowValues(db, sql`select d.json, ${sql.join(columns, sql`, `)} from (${keys}) k
    cross join recommendation_documents d on d.recommendation_id = k.k
    order by ${keysetOrder({ descending: sort.descending, columns })}`);
  const chunk = sliceChunk(rows, limit, (row) => row.slice(1) as KeyValue[]);
  return { docs: chunk.rows.map((row) => row[0] as string), nextKeys: chunk.nextKeys };
}

/**
 * One page as pageDocuments, as the whole response body in one Buffer: the documents joined by commas
 * inside SQLite between the envelope's two parts, which `envelope` gives from the keys to continue after
 * (null on the last page). No JavaScript string per document, no join and no UTF-8 encoding of the page
 * (measured at 100k, a page of 50: 3.1 ms → 0.6 ms). The page's keys first (limit + 1, which says whether
 * more follow), then its documents, in the order of the ids given (json_each is the outer loop, and
 * string_agg follows it).
 */
export function pageBody(
  db: Db,
  f: RecommendationFilter,
  sort: KeysetSort<BaseRow>,
  limit: number,
  after: KeyValue[] | undefined,
  envelope: (nextKeys: KeyValue[] | null) => [before: string, after: string],
): Buffer {
  const chunk = sliceChunk(rowValues(db, keysetKeys(db, f, sort, after, limit + 1)), limit, (row) => row.slice(1) as KeyValue[]);
  const ids = JSON.stringify(chunk.rows.map((row) => row[0]));
  const [before, close] = envelope(chunk.nextKeys);
  const [[body]] = rowValues(db, sql`select cast(${before} || coalesce(string_agg(d.json, ','), '') || ${close} as blob)
    from json_each(${ids}) j cross join recommendation_documents d on d.recommendation_id = j.value`) as [[Buffer]];
  return body;
}

/** One chunk of an export: the stored lines of consecutive matches, as bytes, and how many they are. */
export interface DocumentChunk {
  bytes: Buffer;
  rows: number;
}

/**
 * Every match's stored CSV row (for an origin's url cells) or NDJSON line, in order, in chunks of `rows`
 * matches: each chunk's lines are joined inside SQLite (string_agg, returned as one blob), so that a chunk
 * costs two statements and one Buffer instead of a JavaScript string per row and its UTF-8 encoding (measured
 * at 100k rows: 15-19 µs per row, against 4 µs). The next chunk resumes after the keys of the chunk's last
 * match. The lines are joined in the order the keys' subquery yields them (the left join keeps it the outer
 * loop, and counts every key even if a document were missing, so a chunk is never mistaken for the last): asking string_agg to sort them again costs a sorter copy of every line (+1.5 µs per row).
 */
export function* documentChunks(
  db: Db,
  f: RecommendationFilter,
  sort: KeysetSort<BaseRow>,
  after: KeyValue[] | undefined,
  line: { csv: [before: string, after: string] } | 'ndjson',
  rows: number,
): Generator<DocumentChunk, void, undefined> {
  const text =
    line === 'ndjson'
      ? sql`d.json || char(10)`
      : sql`d.csv_head || ${line.csv[0]} || d.csv_path || ${line.csv[1]} || d.csv_tail`;
  const table = line === 'ndjson' ? sql`recommendation_documents` : sql`recommendation_csv_lines`;
  if (f.q !== undefined) {
    yield* fullTextChunks(db, sort, keysetKeys(db, f, sort, after), text, table, rows);
    return;
  }
  const columns = keyColumns(sort);
  const chunkOf = (keys: KeyValue[] | undefined) => sql`select cast(string_agg(${text}, '') as blob), count(*)
      from (${keysetKeys(db, f, sort, keys, rows, true)}) k
      left join ${table} d on d.recommendation_id = k.k`;
  const lastKeysOf = (keys: KeyValue[] | undefined) => sql`select ${sql.join(columns, sql`, `)}
      from (${keysetKeys(db, f, sort, keys, rows, true)}) k
      order by ${keysetOrder({ descending: sort.descending, columns })} limit 1 offset ${sql.raw(String(rows - 1))}`;
  // Past the first chunk, the two statements differ from chunk to chunk only in the keys they resume after:
  // built and prepared once per export, not twice per chunk (and, their keys as `+?` and their limits written
  // in, not compiled again by SQLite at each chunk either: keysetAfter says why).
  let resumed: { chunk: KeyedStatement; lastKeys: KeyedStatement } | undefined;
  for (let keys = after; ; ) {
    if (keys) resumed ??= { chunk: keyedStatement(db, sort, chunkOf), lastKeys: keyedStatement(db, sort, lastKeysOf) };
    const [[bytes, count]] = (resumed ? resumed.chunk(keys!) : rowValues(db, chunkOf(keys))) as [[Buffer | null, number]];
    if (count > 0) yield { bytes: bytes!, rows: count };
    // The first chunk short of `rows` is the last (break, not return: the generator ends at its close).
    if (count < rows) break;
    keys = (resumed ? resumed.lastKeys(keys!) : rowValues(db, lastKeysOf(keys)))[0] as KeyValue[];
  }
}

let matchTables = 0;

/**
 * documentChunks with a full-text query: the matches' ids, in order, written once into a temporary table (the
 * export's own connection's; SQLite spills it to a file past a few MiB), then read `rows` at a time by their
 * place in it. Resumed by its keys, each chunk ran the match again and sorted every match to take the next
 * `rows`: an export of M matches cost M²/rows (`q=the`, 74,000 of 100,000: 6.5 s of CPU, against 0.4 s).
 */
function* fullTextChunks(
  db: Db,
  sort: KeysetSort<BaseRow>,
  keys: SQL,
  text: SQL,
  table: SQL,
  rows: number,
): Generator<DocumentChunk, void, undefined> {
  const matches = sql.identifier(`export_matches_${++matchTables}`);
  db.run(sql`create temp table ${matches} (n integer primary key, k text not null)`);
  try {
    // Rows are numbered in the order they are inserted: the sort's.
    const order = keysetOrder({ descending: sort.descending, columns: keyColumns(sort) });
    db.run(sql`insert into temp.${matches} (k) select k.k from (${keys}) k order by ${order}`);
    const { sql: query, params } = sqlToQuery(sql`select cast(string_agg(${text}, '') as blob), count(*), max(k.n)
      from (select n, k from temp.${matches} where n > ${0} order by n limit ${sql.raw(String(rows))}) k
      left join ${table} d on d.recommendation_id = k.k`);
    const chunk = db.$client.prepare<unknown[], [Buffer | null, number, number | null]>(query).raw();
    for (let after = 0; ; ) {
      params[params.length - 1] = after; // n > ?, the last parameter
      const [bytes, count, last] = chunk.get(...params)!;
      if (count > 0) yield { bytes: bytes!, rows: count };
      if (count < rows) break;
      after = last!;
    }
  } finally {
    db.run(sql`drop table temp.${matches}`);
  }
}

type KeyedStatement = (keys: KeyValue[]) => unknown[][];

/** A marker per keyset key, for a statement's parameters: not a value a request could send (a NUL, a random id). */
const KEY_MARKER = `\u0000keyset-${randomUUID()}-`;

/**
 * A statement built and prepared once from `query` with a marker for each key, run for given keys by putting
 * them in the markers' parameters.
 */
function keyedStatement(db: Db, sort: KeysetSort<BaseRow>, query: (keys: KeyValue[]) => SQL): KeyedStatement {
  const markers = sort.columns.map((_, i) => `${KEY_MARKER}${i}`);
  const { sql: text, params } = sqlToQuery(query(markers));
  const at = markers.map((marker) => params.indexOf(marker));
  const statement = db.$client.prepare<unknown[], unknown[]>(text).raw();
  return (keys) => {
    keys.forEach((key, i) => (params[at[i]!] = key));
    return statement.all(...params);
  };
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
      published_on_precision: DatePrecision | null;
    }>(sql`select a.id, a.status, a.assessed_on, a.rationale, s.id as source_id, s.title, s.publisher, s.url,
        s.published_on, s.published_on_precision
      from assessments a join sources s on s.id = a.source_id
      where a.recommendation_id = ${id}
      order by a.assessed_on desc, a.created_at desc, a.id desc`)
    .map((a) => ({
      id: a.id,
      status: a.status,
      assessedOn: a.assessed_on,
      rationale: a.rationale,
      sources: [{ id: a.source_id, title: a.title, publisher: a.publisher, url: a.url, publishedOn: a.published_on, publishedOnPrecision: a.published_on_precision }],
    }));
  const developments = db.all<RecommendationDetail['developments'][number]>(sql`select d.id, d.title, d.date,
      d.date_precision as datePrecision, d.direction
    from development_recommendations dr join developments d on d.id = dr.development_id
    where dr.recommendation_id = ${id}
    order by d.period_start, d.id`);
  return { ...record, assessments, developments };
}

const IDS = 'recommendation_id in (select value from json_each(?))';
const KEYS = (column: string) => `${column} in (select value from json_each(?))`;
const RECOMMENDERS = `select recommendation_id, state_code from recommendation_states where ${IDS}`;
const STATE_NAMES = `select code, name from states where ${KEYS('code')}`;
const THEMES = `select recommendation_id, theme_id, label_source, confidence from recommendation_themes where ${IDS}`;
const THEME_LABELS = `select id, label, scheme from themes where ${KEYS('id')}`;
const UNRESOLVED = `select recommendation_id, name from recommendation_unresolved_states where ${IDS} order by name`;
const SDGS = `select l.recommendation_id, l.goal, g.name, l.label_source from recommendation_sdgs l
  join sdg_goals g on g.goal = l.goal where l.${IDS} order by l.goal`;
const GROUPS = `select recommendation_id, group_id, label_source from recommendation_affected_persons where ${IDS}`;
const GROUP_LABELS = `select id, label, case when uhri then 'uhri' else 'local' end from affected_persons_groups
  where ${KEYS('id')}`;
// The source of the text first, then the other sources that give the recommendation (recommendation_sources),
// each with what it printed (its row of recommendation_sources, if any: the reading's source_id is null without).
const SOURCES = `with page(id) as (select value from json_each(?)),
  cited(recommendation_id, source_id, rank) as (
    select r.id, r.source_id, 0 from recommendations r where r.id in (select id from page) and r.source_id is not null
    union all
    select l.recommendation_id, l.source_id, 1 from recommendation_sources l join recommendations r on r.id = l.recommendation_id
    where l.recommendation_id in (select id from page) and l.source_id is not r.source_id)
  select c.recommendation_id, s.id, s.title, s.publisher, s.url, s.published_on, s.published_on_precision,
    l.source_id, l.paragraph, l.position, l.position_label, l.position_source from cited c
  join sources s on s.id = c.source_id
  left join recommendation_sources l on l.recommendation_id = c.recommendation_id and l.source_id = c.source_id
  order by c.rank, s.id`;

export type LabelSource = RecommendationRecord['themes'][number]['source'];
export type LabelScheme = RecommendationRecord['themes'][number]['scheme'];

/** A label object from a labelledLinks tuple of [id, label, label_source, scheme]. */
function labelOf([id, label, source, scheme]: [string, string, LabelSource, LabelScheme]): RecommendationRecord['themes'][number] {
  return { id, label, scheme, source, confidence: null };
}

type Reading = NonNullable<RecommendationRecord['sources'][number]['reading']>;

/** A source of a recommendation and its reading (readSourceId null: the source has no row of recommendation_sources). */
export type SourceLookup = [
  id: string,
  sourceId: string,
  title: string,
  publisher: string,
  url: string,
  publishedOn: string | null,
  publishedOnPrecision: DatePrecision | null,
  readSourceId: string | null,
  paragraph: string | null,
  position: Reading['position'],
  positionLabel: string | null,
  positionSource: string | null,
];

/** The many-to-many fields of some recommendations, each grouped by recommendation id (a backend reads them). */
export interface RecordLookups {
  recommenders: Map<string, [id: string, name: string][]>;
  themes: Map<string, [id: string, label: string, source: LabelSource, confidence: number | null, scheme: LabelScheme][]>;
  sdgs: Map<string, [id: string, goal: number, name: string, source: LabelSource][]>;
  groups: Map<string, [id: string, label: string, source: LabelSource, scheme: LabelScheme][]>;
  unresolved: Map<string, [id: string, name: string][]>;
  sources: Map<string, SourceLookup[]>;
  recurrence: Map<string, Recurrence>;
}

/** Adds the many-to-many fields to a page of rows, with one batched lookup per field for the whole page. */
function hydrate(db: Db, rows: BaseRow[]): RecommendationRecord[] {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  return assembleRecords(rows, {
    recommenders: labelledLinks(db, RECOMMENDERS, STATE_NAMES, ids),
    themes: labelledLinks<[LabelSource, number | null, LabelScheme]>(db, THEMES, THEME_LABELS, ids),
    sdgs: lookupByIds(db, SDGS, ids),
    groups: labelledLinks<[LabelSource, LabelScheme]>(db, GROUPS, GROUP_LABELS, ids),
    unresolved: lookupByIds(db, UNRESOLVED, ids),
    sources: lookupByIds(db, SOURCES, ids),
    recurrence: recurrences(db, ids),
  });
}

/** The records of these rows with their looked-up fields: the one shape both backends build documents in. */
export function assembleRecords(rows: BaseRow[], lookups: RecordLookups): RecommendationRecord[] {
  const { recommenders, themes, sdgs, groups, unresolved, sources, recurrence } = lookups;
  return rows.map((row) => ({
    id: row.id,
    reviewId: row.review_id,
    stateUnderReview: { id: row.state_code, name: row.state_name },
    cycle: row.cycle,
    session: row.wg_session,
    paragraph: row.paragraph,
    text: row.text,
    verbatim: row.verbatim === 1,
    recommendingStates: (recommenders.get(row.id) ?? []).map(([id, name]) => ({ id, name })),
    unresolvedRecommendingStates: (unresolved.get(row.id) ?? []).map(([, name]) => name),
    position: row.position,
    positionLabel: row.position_label,
    positionSource: row.position_source,
    actionCategory: row.action_category,
    themes: (themes.get(row.id) ?? []).map(([id, label, source, confidence, scheme]) => ({ id, label, scheme, source, confidence })),
    sdgs: (sdgs.get(row.id) ?? []).map(([, goal, label, source]) => ({
      id: String(goal),
      label,
      scheme: 'sdg' as const,
      source,
      confidence: null,
    })),
    affectedPersons: (groups.get(row.id) ?? []).map(labelOf),
    implementation: row.implementation,
    developmentCount: row.development_count,
    recurrence: recurrence.get(row.id) ?? NO_RECURRENCE,
    sources: (sources.get(row.id) ?? []).map(
      ([, id, title, publisher, url, publishedOn, publishedOnPrecision, readSourceId, paragraph, position, positionLabel, positionSource]) => ({
        id,
        title,
        publisher,
        url,
        publishedOn,
        publishedOnPrecision,
        // No row, or one that records only that the source gives the record (our own export's): nothing read.
        reading:
          readSourceId === null || (paragraph === null && position === null && positionLabel === null && positionSource === null)
            ? null
            : { paragraph, position, positionLabel, positionSource },
      }),
    ),
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
  return tallyCounts(rowValues(db, countsQuery(fromClause(f), whereClause(filterConditions(f, 'sqlite-count')))));
}

/** The matches (from, where) counted per position and current implementation status: SQL both databases run. */
export function countsQuery(from: SQL, where: SQL): SQL {
  return sql`select r.position, ${CURRENT_IMPLEMENTATION} as implementation, cast(count(*) as integer) as n
    from ${from} ${where}
    group by 1, 2`;
}

/** countsQuery's rows as the counts. */
export function tallyCounts(rows: unknown[][]): RecommendationCounts {
  const counts: RecommendationCounts = {
    total: 0,
    byPosition: { supported: 0, partially_supported: 0, noted: 0, pending: 0, unknown: 0 },
    byImplementation: { not_implemented: 0, partially_implemented: 0, implemented: 0, unknown: 0 },
  };
  for (const [position, implementation, n] of rows as [string | null, string | null, number][]) {
    counts.total += n;
    counts.byPosition[(position ?? 'unknown') as keyof RecommendationCounts['byPosition']] += n;
    counts.byImplementation[(implementation ?? 'unknown') as keyof RecommendationCounts['byImplementation']] += n;
  }
  return counts;
}
