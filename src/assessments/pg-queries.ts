import { sql } from 'drizzle-orm';
import { whereClause } from '../db/keyset.js';
import { pgReadStore } from '../db/pg/read-store.js';
import type { Reader } from '../db/pg/record-list.js';
import { pgAll, pgCount, type Pool } from '../db/pg/rows.js';
import { assessmentChunk, type AssessmentRow, ASSESSMENTS_FROM, filterConditions, pageQuery } from './list-queries.js';
import { assessmentQuery, assessmentRecordOf } from './queries.js';
import type { AssessmentRecord } from './schemas.js';
import { ASSESSMENT_LIST, type AssessmentStore } from './store.js';

// The assessments on PostgreSQL: list-queries.ts's and queries.ts's SQL through node-postgres.

/** One assessment as GET answers it, read by `reader` (the pool, or a write's transaction). */
export async function pgGetAssessment(reader: Reader, id: string): Promise<AssessmentRecord | undefined> {
  return assessmentRecordOf((await pgAll<Parameters<typeof assessmentRecordOf>[0]>(reader, assessmentQuery(id)))[0]);
}

export function pgAssessmentStore(pool: Pool): AssessmentStore {
  return pgReadStore(pool, ASSESSMENT_LIST, {
    page: async (reader, f, sort, limit, after) => assessmentChunk(await pgAll<AssessmentRow>(reader, pageQuery(f, sort, limit, after)), sort, limit),
    total: (reader, f) => pgCount(reader, sql`${ASSESSMENTS_FROM} ${whereClause(filterConditions(f))}`),
    get: pgGetAssessment,
  });
}
