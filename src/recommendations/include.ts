import type { DatePrecision } from '../db/schema.js';
import { type SQL, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/open.js';
import { responseFormat } from '../http/formats.js';
import { type KeyValue, encodeCursor, setNextLink } from '../http/pagination.js';
import { invalidParam } from '../http/problem.js';
import {
  assessmentSchema,
  developmentRefSchema,
  recommendationSchema,
  type RecommendationDetail,
  type RecommendationRecord,
} from './schemas.js';

// `include=assessments,developments` on GET /v1/recommendations: each record of the page with the detail's
// `assessments` (newest first) and `developments` (oldest first), so that a review page needs one call, not
// one per recommendation. Bounded: at most INCLUDE_PER_RECORD of each per record (with `assessmentCount` and
// the record's `developmentCount` saying how many there are in all), fetched with one query per kind for the
// whole page (no query per record). JSON only: exports stay one row per recommendation.

export const INCLUDES = ['assessments', 'developments'] as const;
export type Include = (typeof INCLUDES)[number];

/** Assessments, and developments, embedded per record at most. */
export const INCLUDE_PER_RECORD = 10;

export const recommendationListItemSchema = recommendationSchema
  .extend({
    assessments: z
      .array(assessmentSchema)
      .max(INCLUDE_PER_RECORD)
      .optional()
      .describe(`With include=assessments: the newest ${INCLUDE_PER_RECORD} assessments at most, newest first.`),
    assessmentCount: z
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .meta({ format: 'int64' })
      .optional()
      .describe('With include=assessments: how many assessments it has in all.'),
    developments: z
      .array(developmentRefSchema)
      .max(INCLUDE_PER_RECORD)
      .optional()
      .describe(
        `With include=developments: the first ${INCLUDE_PER_RECORD} developments at most that bear on it, oldest ` +
          'first (developmentCount says how many in all).',
      ),
  })
  .meta({ id: 'RecommendationListItem' });

type Assessment = RecommendationDetail['assessments'][number];
type DevelopmentRef = RecommendationDetail['developments'][number];

function grouped<T>(rows: (T & { recommendation_id: string })[], strip: (row: T & { recommendation_id: string }) => T) {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(row.recommendation_id);
    if (list) list.push(strip(row));
    else map.set(row.recommendation_id, [strip(row)]);
  }
  return map;
}

/** How a backend reads the page's ids (one JSON array parameter) and orders ids by code point. */
export interface IncludeDialect {
  ids(json: string): SQL;
  byCodePoint(column: SQL): SQL;
}

export const SQLITE_INCLUDE: IncludeDialect = {
  ids: (json) => sql`(select value from json_each(${json}))`,
  byCodePoint: (column) => column,
};

interface AssessmentRow {
  recommendation_id: string;
  id: string;
  status: Assessment['status'];
  assessed_on: string;
  rationale: string;
  source_id: string;
  title: string;
  publisher: string;
  url: string;
  published_on: string | null;
  published_on_precision: DatePrecision | null;
  n: number;
}

type DevelopmentRow = DevelopmentRef & { recommendation_id: string };

/** The newest assessments of each recommendation, at most INCLUDE_PER_RECORD, and their counts: one query. */
export function assessmentsQuery(dialect: IncludeDialect, ids: readonly string[]): SQL {
  return sql`select * from (select a.recommendation_id, a.id, a.status, a.assessed_on, a.rationale,
      s.id as source_id, s.title, s.publisher, s.url, s.published_on, s.published_on_precision,
      row_number() over (partition by a.recommendation_id
        order by a.assessed_on desc, a.created_at desc, ${dialect.byCodePoint(sql`a.id`)} desc) as k,
      cast(count(*) over (partition by a.recommendation_id) as integer) as n
    from assessments a join sources s on s.id = a.source_id
    where a.recommendation_id in ${dialect.ids(JSON.stringify(ids))}) x
    where k <= ${INCLUDE_PER_RECORD} order by recommendation_id, k`;
}

function assessmentsOf(rows: AssessmentRow[]) {
  const counts = new Map(rows.map((row) => [row.recommendation_id, row.n]));
  const items = grouped<Assessment>(
    rows.map((a) => ({
      recommendation_id: a.recommendation_id,
      id: a.id,
      status: a.status,
      assessedOn: a.assessed_on,
      rationale: a.rationale,
      sources: [{ id: a.source_id, title: a.title, publisher: a.publisher, url: a.url, publishedOn: a.published_on, publishedOnPrecision: a.published_on_precision }],
    })),
    ({ recommendation_id: _, ...assessment }) => assessment,
  );
  return { items, counts };
}

/** The first developments bearing on each recommendation, at most INCLUDE_PER_RECORD: one query. */
export function developmentsQuery(dialect: IncludeDialect, ids: readonly string[]): SQL {
  return sql`select recommendation_id, id, title, date, "datePrecision", direction from (select dr.recommendation_id,
      d.id, d.title, d.date, d.date_precision as "datePrecision", d.direction,
      row_number() over (partition by dr.recommendation_id order by d.period_start, ${dialect.byCodePoint(sql`d.id`)}) as k
    from development_recommendations dr join developments d on d.id = dr.development_id
    where dr.recommendation_id in ${dialect.ids(JSON.stringify(ids))}) x
    where k <= ${INCLUDE_PER_RECORD} order by recommendation_id, k`;
}

/** Runs an include query on a backend: its rows as objects named by their columns. */
export type IncludeReader = <T>(query: SQL) => T[] | Promise<T[]>;

/** SQLite's reader of the include queries. */
export function sqliteIncludeReader(db: Db): IncludeReader {
  return <T>(query: SQL) => db.all<T>(query);
}

/** The include parameter's values, refused (400) on an export. */
export function checkInclude(request: FastifyRequest, include: readonly Include[] | undefined): Set<Include> | undefined {
  if (include === undefined) return undefined;
  if (responseFormat(request) !== 'json') {
    throw invalidParam('query', 'include', 'include applies to JSON pages only; an export has one row per recommendation.');
  }
  return new Set(include);
}

/** One JSON page of stored documents, each with what `include` asks for. */
export async function sendWithIncludes(
  request: FastifyRequest,
  reply: FastifyReply,
  reader: { dialect: IncludeDialect; all: IncludeReader },
  include: Set<Include>,
  page: { docs: string[]; nextKeys: KeyValue[] | null },
  spec: { sortName: string; limit: number; total: { total: number; totalCapped?: true } },
) {
  const records = page.docs.map((doc) => JSON.parse(doc) as RecommendationRecord);
  const ids = records.map((record) => record.id);
  const assessments = include.has('assessments')
    ? assessmentsOf(await reader.all<AssessmentRow>(assessmentsQuery(reader.dialect, ids)))
    : undefined;
  const developments = include.has('developments')
    ? grouped<DevelopmentRef>(await reader.all<DevelopmentRow>(developmentsQuery(reader.dialect, ids)), ({ recommendation_id: _, ...development }) => development)
    : undefined;
  const data = records.map((record) => ({
    ...record,
    ...(assessments && {
      assessments: assessments.items.get(record.id) ?? [],
      assessmentCount: assessments.counts.get(record.id) ?? 0,
    }),
    ...(developments && { developments: developments.get(record.id) ?? [] }),
  }));
  const nextCursor = page.nextKeys ? encodeCursor(spec.sortName, page.nextKeys) : null;
  setNextLink(request, reply, nextCursor);
  return { data, meta: { ...spec.total, limit: spec.limit, nextCursor } };
}
