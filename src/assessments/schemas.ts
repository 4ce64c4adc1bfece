import { z } from 'zod';
import { recordMetaShape, sourceSchema, stateRefSchema } from '../common/schemas.js';
import { IMPLEMENTATION_STATUSES } from '../db/schema.js';
import { idListParam, listParam, periodBound, recommendationIdListParam, recordIdsParam, stateListParam, updatedSinceParam } from '../http/params.js';

export const assessmentRecordSchema = z
  .object({
    id: z.string(),
    recommendationId: z.string().describe('The recommendation judged.'),
    reviewId: z.string().describe("The recommendation's review."),
    stateUnderReview: stateRefSchema,
    status: z.enum(IMPLEMENTATION_STATUSES),
    assessedOn: z.string().meta({ format: 'date' }).describe('The date the judgement holds for (YYYY-MM-DD).'),
    rationale: z.string().describe('Why, in our own words, as the source supports it.'),
    sources: z.array(sourceSchema).describe('The source of the judgement (one).'),
    ...recordMetaShape,
  })
  .meta({ id: 'AssessmentRecord' });

export type AssessmentRecord = z.infer<typeof assessmentRecordSchema>;

// ── The list of assessments (GET /v1/assessments) ──

export const ASSESSMENT_SORTS = ['assessedOn', '-assessedOn', 'id', '-id'] as const;
export type AssessmentSort = (typeof ASSESSMENT_SORTS)[number];

// The one definition of "which assessments match": the list and its exports share it.
export const assessmentFilterShape = {
  id: recordIdsParam('Assessment', 'KGZ-3-FIN-1-2020-09-28'),
  reviewId: idListParam('review', 50, 'Review of the recommendation judged, e.g. KGZ-3.'),
  recommendationId: recommendationIdListParam('The recommendation judged, e.g. KGZ-3-FIN-1.'),
  stateUnderReview: stateListParam('State under review of the recommendation judged.'),
  status: listParam(z.enum(IMPLEMENTATION_STATUSES), `The status judged: ${IMPLEMENTATION_STATUSES.join(', ')}.`),
  source: idListParam('source', 200, "Source id (see GET /v1/sources): assessments citing it, as a record's `sources` lists it."),
  from: periodBound('start')
    .optional()
    .describe('Only assessments that hold for this day (YYYY-MM-DD) or later (assessedOn); a month (YYYY-MM) or year (YYYY) from its first day.'),
  to: periodBound('end')
    .optional()
    .describe(
      'Only assessments that hold for this day (YYYY-MM-DD) or earlier (assessedOn); a month (YYYY-MM) or year (YYYY) to its last day. ' +
        'Must not be before `from`.',
    ),
  updatedSince: updatedSinceParam(),
};

export const assessmentFilterSchema = z.object(assessmentFilterShape);
export type AssessmentFilter = z.output<typeof assessmentFilterSchema>;

export const assessmentItemSchema = z
  .object({
    id: z.string(),
    recommendationId: z.string().describe('The recommendation judged.'),
    reviewId: z.string().describe("The recommendation's review."),
    stateUnderReview: stateRefSchema,
    status: z.enum(IMPLEMENTATION_STATUSES),
    assessedOn: z.string().meta({ format: 'date' }).describe('The date the judgement holds for (YYYY-MM-DD).'),
    rationale: z.string().describe('Why, in our own words, as the source supports it.'),
    sources: z.array(sourceSchema).describe('Where the judgement comes from (one source per assessment today).'),
    ...recordMetaShape,
  })
  .meta({ id: 'AssessmentItem' });

export type AssessmentItem = z.infer<typeof assessmentItemSchema>;
