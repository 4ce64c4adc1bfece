import type { DatePrecision } from '../db/schema.js';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { inList, whereClause } from '../db/keyset.js';
import { type Chunk, encodeCursor, type KeyValue, type Page, sliceChunk } from '../http/pagination.js';
import { countRecommendations, type RecommendationCounts } from '../recommendations/queries.js';
import { rowValues } from '../db/batch.js';
import { storedInstant } from '../http/params.js';
import type { ReviewDetail, ReviewFilter, ReviewRecord } from './schemas.js';
import { reviewYear, reviewYearCondition } from './year.js';

export interface ReviewRow {
  id: string;
  state_code: string;
  state_name: string;
  cycle: number;
  wg_session: number | null;
  dialogue_date: string | null;
  report_symbol: string | null;
  report_year: number | null;
  adoption_session: number | null;
  adoption_date: string | null;
  adoption_date_precision: ReviewRecord['adoptionDatePrecision'];
  recommendation_count: number;
  recommendations_complete: number;
  recommendations_note: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export function conditions(f: ReviewFilter): SQL[] {
  const c: SQL[] = [];
  if (f.id) c.push(inList(sql`v.id`, f.id));
  if (f.stateUnderReview) c.push(inList(sql`v.state_code`, f.stateUnderReview));
  if (f.cycle) c.push(inList(sql`v.cycle`, f.cycle));
  if (f.session) c.push(inList(sql`v.wg_session`, f.session));
  if (f.year) c.push(reviewYearCondition(f.year));
  if (f.updatedSince) c.push(sql`v.updated_at >= ${storedInstant(f.updatedSince)}`);
  return c;
}


/** The reviews' rows (SQL both databases run: the flag as 0 or 1, the count as an integer). */
export function selectReviewsQuery(c: SQL[], limit: number): SQL {
  return sql`select v.id, v.state_code, s.name as state_name, v.cycle, v.wg_session,
      v.dialogue_date, v.report_symbol, v.report_year, v.adoption_session, v.adoption_date, v.adoption_date_precision,
      case when v.recommendations_complete then 1 else 0 end as recommendations_complete, v.recommendations_note,
      v.version, v.created_at, v.updated_at,
      cast((select count(*) from recommendations r where r.review_id = v.id) as integer) as recommendation_count
    from reviews v join states s on s.code = v.state_code
    ${whereClause(c)}
    order by v.id
    limit ${limit}`;
}

function selectReviews(db: Db, c: SQL[], limit: number): ReviewRow[] {
  return db.all<ReviewRow>(selectReviewsQuery(c, limit));
}

export type ReviewSourceRow = { review_id: string; id: string; title: string; publisher: string; url: string; published_on: string | null;
  published_on_precision: DatePrecision | null;
};

/**
 * The sources of these reviews, each review's by id (SQL both databases run). Ordered by review first: ordered by
 * source id alone, SQLite read every source in that order and looked each up under every review of the page
 * (500 reviews × 3,300 sources: 270 ms of a page of 500's 300 ms at 100k); now it reads the page's reviews' own.
 */
export function reviewSourcesQuery(rows: ReviewRow[]): SQL {
  return sql`select rs.review_id, s.id, s.title, s.publisher, s.url, s.published_on, s.published_on_precision
      from review_sources rs join sources s on s.id = rs.source_id
      where ${inList(sql`rs.review_id`, rows.map((r) => r.id))} order by rs.review_id, s.id`;
}

function hydrate(db: Db, rows: ReviewRow[]): ReviewRecord[] {
  if (rows.length === 0) return [];
  return reviewRecords(rows, db.all<ReviewSourceRow>(reviewSourcesQuery(rows)));
}

/** The records of review rows with their sources. */
export function reviewRecords(rows: ReviewRow[], sources: ReviewSourceRow[]): ReviewRecord[] {
  return rows.map((row) => ({
    id: row.id,
    stateUnderReview: { id: row.state_code, name: row.state_name },
    cycle: row.cycle,
    session: row.wg_session,
    year: reviewYear({ session: row.wg_session, dialogueDate: row.dialogue_date, reportYear: row.report_year }),
    dialogueDate: row.dialogue_date,
    reportSymbol: row.report_symbol,
    reportYear: row.report_year,
    adoptionSession: row.adoption_session,
    adoptionDate: row.adoption_date,
    adoptionDatePrecision: row.adoption_date_precision,
    recommendationCount: row.recommendation_count,
    recommendationsComplete: row.recommendations_complete === 1,
    recommendationsNote: row.recommendations_note,
    sources: sources
      .filter((s) => s.review_id === row.id)
      .map((s) => ({ id: s.id, title: s.title, publisher: s.publisher, url: s.url, publishedOn: s.published_on, publishedOnPrecision: s.published_on_precision })),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

export function listReviews(db: Db, f: ReviewFilter, sortName: string, limit: number, after: KeyValue[] | undefined): Page<ReviewRecord> {
  const total = db.get<{ n: number }>(sql`select count(*) as n from reviews v ${whereClause(conditions(f))}`)!.n;
  const page = pageReviews(db, f, limit, after);
  return { rows: page.rows, total, nextCursor: page.nextKeys ? encodeCursor(sortName, page.nextKeys) : null };
}

/** One keyset step of the list without its total: the list's pages and the chunks of an export. */
export function pageReviews(db: Db, f: ReviewFilter, limit: number, after: KeyValue[] | undefined): Chunk<ReviewRecord> {
  const c = conditions(f);
  const rows = selectReviews(db, after ? [...c, sql`v.id > ${after[0]}`] : c, limit + 1);
  const chunk = sliceChunk(rows, limit, (row) => [row.id]);
  return { rows: hydrate(db, chunk.rows), nextKeys: chunk.nextKeys };
}

export function getReview(db: Db, id: string): ReviewDetail | undefined {
  const [record] = hydrate(db, selectReviews(db, [sql`v.id = ${id}`], 1));
  if (!record) return undefined;
  const [[developments, statements]] = rowValues(db, reviewCountsQuery(id)) as [[number, number]];
  return reviewDetailOf(record, countRecommendations(db, { reviewId: [id] }), developments, statements);
}

/** A review's developments and statements, counted (SQL both databases run). */
export function reviewCountsQuery(id: string): SQL {
  return sql`select cast((select count(*) from developments where review_id = ${id}) as integer),
    cast((select count(*) from statements where review_id = ${id}) as integer)`;
}

export function reviewDetailOf(record: ReviewRecord, counts: RecommendationCounts, developments: number, statements: number): ReviewDetail {
  return {
    ...record,
    recommendationsByPosition: { total: counts.total, ...counts.byPosition },
    recommendationsByImplementation: counts.byImplementation,
    developmentCount: developments,
    statementCount: statements,
  };
}
