import type { DatePrecision } from '../db/schema.js';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { periodOverlap } from '../db/period-overlap.js';
import { inList, keysetAfter, keysetOrder, type KeysetSort, whereClause } from '../db/keyset.js';
import { type Chunk, encodeCursor, type KeyValue, type Page, sliceChunk } from '../http/pagination.js';
import { storedInstant } from '../http/params.js';
import type { AssessmentFilter, AssessmentItem, AssessmentSort } from './schemas.js';
import { sourceOfRow } from '../common/source-row.js';

// All SQL of the assessments list. Tables are aliased: a assessments, r recommendations, v reviews,
// st states, s sources.

/** The WHERE conditions for a filter; the same function serves the list, its total and its exports. */
export function filterConditions(f: AssessmentFilter): SQL[] {
  // An assessment is dated to a day: its period is that day.
  const c: SQL[] = periodOverlap(f, { start: sql`a.assessed_on`, end: sql`a.assessed_on` });
  if (f.id) c.push(inList(sql`a.id`, f.id));
  if (f.reviewId) c.push(inList(sql`r.review_id`, f.reviewId));
  if (f.recommendationId) c.push(inList(sql`a.recommendation_id`, f.recommendationId));
  if (f.stateUnderReview) c.push(inList(sql`v.state_code`, f.stateUnderReview));
  if (f.status) c.push(inList(sql`a.status`, f.status));
  if (f.source) c.push(inList(sql`a.source_id`, f.source));
  if (f.updatedSince) c.push(sql`a.updated_at >= ${storedInstant(f.updatedSince)}`);
  return c;
}

/** The assessments (a) with their recommendations (r) and reviews (v): what the filter's conditions read. */
export const ASSESSMENTS_FROM = sql`assessments a
  join recommendations r on r.id = a.recommendation_id
  join reviews v on v.id = r.review_id`;

export interface AssessmentRow {
  id: string;
  recommendation_id: string;
  review_id: string;
  state_code: string;
  state_name: string;
  status: AssessmentItem['status'];
  assessed_on: string;
  rationale: string;
  source_id: string;
  source_title: string;
  source_publisher: string;
  source_url: string;
  source_published_on: string | null;
  source_published_on_precision: DatePrecision | null;
  version: number;
  created_at: string;
  updated_at: string;
}

const byDate = { columns: [sql`a.assessed_on`, sql`a.id`], kinds: ['text', 'text'] as const, keysOf: (row: AssessmentRow) => [row.assessed_on, row.id] };
const byId = { columns: [sql`a.id`], kinds: ['text'] as const, keysOf: (row: AssessmentRow) => [row.id] };

const SORTS: Record<AssessmentSort, KeysetSort<AssessmentRow>> = {
  assessedOn: { name: 'assessedOn', descending: false, ...byDate },
  '-assessedOn': { name: '-assessedOn', descending: true, ...byDate },
  id: { name: 'id', descending: false, ...byId },
  '-id': { name: '-id', descending: true, ...byId },
};

export function resolveSort(requested: AssessmentSort | undefined): KeysetSort<AssessmentRow> {
  return SORTS[requested ?? 'assessedOn'];
}

/** The list's rows matching `conditions`, in `order` (SQL both databases run). */
export function selectAssessmentsQuery(conditions: SQL[], order: SQL, limit: number): SQL {
  return sql`select a.id, a.recommendation_id, r.review_id, v.state_code, st.name as state_name, a.status,
      a.assessed_on, a.rationale, s.id as source_id, s.title as source_title, s.publisher as source_publisher,
      s.url as source_url, s.published_on as source_published_on, s.published_on_precision as source_published_on_precision, a.version, a.created_at, a.updated_at
    from ${ASSESSMENTS_FROM}
    join states st on st.code = v.state_code
    join sources s on s.id = a.source_id
    ${whereClause(conditions)}
    order by ${order}
    limit ${limit}`;
}

export function assessmentItemOf(row: AssessmentRow): AssessmentItem {
  return {
    id: row.id,
    recommendationId: row.recommendation_id,
    reviewId: row.review_id,
    stateUnderReview: { id: row.state_code, name: row.state_name },
    status: row.status,
    assessedOn: row.assessed_on,
    rationale: row.rationale,
    sources: [sourceOfRow(row)],
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** One keyset step of the list without its total: the list's pages and the chunks of an export. */
export function pageAssessments(
  db: Db,
  f: AssessmentFilter,
  sort: KeysetSort<AssessmentRow>,
  limit: number,
  after: KeyValue[] | undefined,
): Chunk<AssessmentItem> {
  return assessmentChunk(db.all<AssessmentRow>(pageQuery(f, sort, limit, after)), sort, limit);
}

/** One keyset step's query: a row more than `limit`, to tell whether more follow. */
export function pageQuery(f: AssessmentFilter, sort: KeysetSort<AssessmentRow>, limit: number, after: KeyValue[] | undefined): SQL {
  const conditions = filterConditions(f);
  return selectAssessmentsQuery(after ? [...conditions, keysetAfter(sort, after)] : conditions, keysetOrder(sort), limit + 1);
}

export function assessmentChunk(rows: AssessmentRow[], sort: KeysetSort<AssessmentRow>, limit: number): Chunk<AssessmentItem> {
  const chunk = sliceChunk(rows, limit, sort.keysOf);
  return { rows: chunk.rows.map(assessmentItemOf), nextKeys: chunk.nextKeys };
}

export function listAssessments(
  db: Db,
  f: AssessmentFilter,
  sort: KeysetSort<AssessmentRow>,
  limit: number,
  after: KeyValue[] | undefined,
): Page<AssessmentItem> {
  const total = db.get<{ n: number }>(sql`select count(*) as n from ${ASSESSMENTS_FROM} ${whereClause(filterConditions(f))}`)!.n;
  const page = pageAssessments(db, f, sort, limit, after);
  return { rows: page.rows, total, nextCursor: page.nextKeys ? encodeCursor(sort.name, page.nextKeys) : null };
}
