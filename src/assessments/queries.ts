import type { DatePrecision } from '../db/schema.js';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import type { AssessmentRecord } from './schemas.js';

type AssessmentRow = Omit<AssessmentRecord, 'sources' | 'stateUnderReview'> & {
  stateCode: string;
  stateName: string;
  sourceId: string;
  title: string;
  publisher: string;
  url: string;
  publishedOn: string | null;
  publishedOnPrecision: DatePrecision | null;
};

/** One assessment with its source (SQL both databases run: camel-case aliases quoted). */
export function assessmentQuery(id: string): SQL {
  return sql`select a.id, a.recommendation_id as "recommendationId", r.review_id as "reviewId", v.state_code as "stateCode",
      st.name as "stateName", a.status, a.assessed_on as "assessedOn", a.rationale,
      a.version, a.created_at as "createdAt", a.updated_at as "updatedAt", s.id as "sourceId", s.title, s.publisher, s.url,
      s.published_on as "publishedOn", s.published_on_precision as "publishedOnPrecision"
    from assessments a join sources s on s.id = a.source_id
      join recommendations r on r.id = a.recommendation_id join reviews v on v.id = r.review_id join states st on st.code = v.state_code
    where a.id = ${id}`;
}

export function assessmentRecordOf(row: AssessmentRow | undefined): AssessmentRecord | undefined {
  if (!row) return undefined;
  const { id, recommendationId, reviewId, stateCode, stateName, sourceId, title, publisher, url, publishedOn, publishedOnPrecision, ...assessment } = row;
  return {
    id,
    recommendationId,
    reviewId,
    stateUnderReview: { id: stateCode, name: stateName },
    ...assessment,
    sources: [{ id: sourceId, title, publisher, url, publishedOn, publishedOnPrecision }],
  };
}

export function getAssessment(db: Db, id: string): AssessmentRecord | undefined {
  return assessmentRecordOf(db.get<AssessmentRow | undefined>(assessmentQuery(id)));
}
