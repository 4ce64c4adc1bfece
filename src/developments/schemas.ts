import { z } from 'zod';
import { DIRECTIONS } from '../db/schema.js';
import { fullTextParam } from '../db/fulltext.js';
import {
  datePrecisionSchema,
  directionSchema,
  labelSchema,
  sourceSchema,
  stateRefSchema,
  recordMetaShape,
} from '../common/schemas.js';
import { idListParam, listParam, periodBound, recommendationIdListParam, recordIdsParam, stateListParam, updatedSinceParam } from '../http/params.js';

export const DEVELOPMENT_SORTS = ['date', '-date', 'id', '-id'] as const;
export type DevelopmentSort = (typeof DEVELOPMENT_SORTS)[number];

// The one definition of "which developments match": the list, and later exports and stats, share it.
export const developmentFilterShape = {
  id: recordIdsParam('Development', 'kgz-2020-07-25-askarov-dies-in-custody'),
  stateUnderReview: stateListParam('The state the development happened in, whose review it follows up.'),
  reviewId: idListParam('review', 50, 'Review the development follows up, e.g. KGZ-3.'),
  recommendationId: recommendationIdListParam('Recommendation the development bears on, e.g. KGZ-3-FIN-1.'),
  direction: listParam(
    z.enum(DIRECTIONS),
    `Whether it moves towards implementation: ${DIRECTIONS.join(', ')}.`,
  ),
  theme: idListParam('theme', 200, 'Theme id (see GET /v1/themes).'),
  source: idListParam('source', 200, "Source id (see GET /v1/sources): developments citing it, as a record's `sources` lists them."),
  from: periodBound('start')
    .optional()
    .describe(
      'Only developments whose period ends on or after this day (YYYY-MM-DD), or the first day of this month ' +
        '(YYYY-MM) or year (YYYY). A date is a period as precise as it is known: "2020" runs 2020-01-01…2020-12-31 ' +
        'and "2020-06" the whole of June, so a development dated "2020" matches from=2020-03-01. With `to`, a ' +
        'development matches when its period overlaps [from, to]: from=2020-07&to=2020-07 is July 2020.',
    ),
  to: periodBound('end')
    .optional()
    .describe(
      'Only developments whose period starts on or before this day (YYYY-MM-DD), or the last day of this month ' +
        '(YYYY-MM) or year (YYYY). A development dated "2020" (year) or "2020-07" (month) matches to=2020-07-15, ' +
        'since its period overlaps. Must not be before `from`.',
    ),
  q: fullTextParam('title and summary'),
  updatedSince: updatedSinceParam(),
};

export const developmentFilterSchema = z.object(developmentFilterShape);
export type DevelopmentFilter = z.output<typeof developmentFilterSchema>;

export const developmentSchema = z
  .object({
    id: z.string().describe('Stable id; re-importing the same source reproduces it.'),
    stateUnderReview: stateRefSchema.describe('The state it happened in, whose review it follows up.'),
    reviewId: z.string().nullable().describe('The review it follows up; null when it bears on none in particular.'),
    title: z.string(),
    summary: z.string().describe('What happened, in our own words.'),
    date: z
      .string()
      .describe('When it happened, as precisely as known: "2020" (year), "2020-06" (month) or "2020-07-25" (day).'),
    datePrecision: datePrecisionSchema,
    direction: directionSchema.describe(
      'progress: a step towards implementing the recommendations it bears on; setback: a step away; neutral: neither.',
    ),
    themes: z.array(labelSchema),
    recommendationIds: z.array(z.string()).describe('Recommendations it bears on, sorted by id.'),
    sources: z.array(sourceSchema).describe('Where it is reported.'),
    ...recordMetaShape,
  })
  .meta({ id: 'Development' });

export const developmentRecommendationSchema = z
  .object({
    id: z.string(),
    paragraph: z
      .string()
      .nullable()
      .describe('Paragraph number as printed in the report ("121.10"); null when unknown.'),
    text: z.string(),
  })
  .meta({ id: 'DevelopmentRecommendation' });

export const developmentDetailSchema = developmentSchema
  .extend({
    recommendations: z
      .array(developmentRecommendationSchema)
      .describe('The recommendations it bears on, in review and paragraph order.'),
  })
  .meta({ id: 'DevelopmentDetail' });

export type DevelopmentRecord = z.infer<typeof developmentSchema>;
export type DevelopmentDetail = z.infer<typeof developmentDetailSchema>;
