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
import { idListParam, listParam, periodRangeParams, recommendationIdListParam, recordIdsParam, stateListParam, updatedSinceParam } from '../http/params.js';

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
  ...periodRangeParams('developments', 'development'),
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
