import type { Db } from '../db/open.js';
import type { KeysetSort } from '../db/keyset.js';
import { type ReadStore, sqliteReadStore } from '../db/read-store.js';
import { assessmentCsvColumns } from './csv.js';
import { type AssessmentRow, listAssessments, pageAssessments } from './list-queries.js';
import { getAssessment } from './queries.js';
import type { AssessmentFilter, AssessmentRecord } from './schemas.js';

// The assessments' store (src/db/read-store.ts): SQLite's reads list-queries.ts and queries.ts; PostgreSQL's
// is pg-queries.ts.

export type AssessmentStore = ReadStore<AssessmentFilter, AssessmentRecord, KeysetSort<AssessmentRow>>;

export const ASSESSMENT_LIST = { resource: 'assessments', columns: assessmentCsvColumns };

export function sqliteAssessmentStore(db: Db): AssessmentStore {
  return sqliteReadStore(db, ASSESSMENT_LIST, { page: pageAssessments, list: listAssessments, get: getAssessment });
}
