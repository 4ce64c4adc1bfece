import { z } from 'zod';
import { STATEMENT_STAGES } from '../db/schema.js';
import { fullTextParam } from '../db/fulltext.js';
import {
  datePrecisionSchema,
  labelSchema,
  sourceSchema,
  stateRefSchema,
  recordMetaShape,
} from '../common/schemas.js';
import { idListParam, listParam, periodRangeParams, recordIdsParam, speakerListParam, stateListParam, updatedSinceParam } from '../http/params.js';

export const STATEMENT_SORTS = ['date', '-date', 'id', '-id', 'relevance'] as const;
export type StatementSort = (typeof STATEMENT_SORTS)[number];

// The one definition of "which statements match": the list, and later exports and stats, share it.
export const statementFilterShape = {
  id: recordIdsParam('Statement', 'KGZ-3-HRW-adoption'),
  reviewId: idListParam('review', 50, 'Review id, e.g. KGZ-3.'),
  stateUnderReview: stateListParam('State under review.'),
  speaker: speakerListParam('Who spoke.'),
  stage: listParam(z.enum(STATEMENT_STAGES), `Stage of the review: ${STATEMENT_STAGES.join(', ')}.`),
  theme: idListParam('theme', 200, 'Theme id (see GET /v1/themes).'),
  source: idListParam('source', 200, "Source id (see GET /v1/sources): statements citing it, as a record's `sources` lists them."),
  ...periodRangeParams('statements', 'statement'),
  q: fullTextParam('the summary'),
  updatedSince: updatedSinceParam(),
};

export const statementFilterSchema = z.object(statementFilterShape);
export type StatementFilter = z.output<typeof statementFilterSchema>;

export const statementSpeakerSchema = z
  .object({
    type: z.enum(['state', 'organization']),
    id: z.string().nullable().describe("A state's id (ISO 3166-1 alpha-3 code); null for an organization."),
    name: z.string().describe("The state's English short name, or the organization's name."),
  })
  .meta({ id: 'StatementSpeaker' });

export const statementSchema = z
  .object({
    id: z.string().describe('Stable id; re-importing the same source reproduces it.'),
    reviewId: z.string(),
    stateUnderReview: stateRefSchema,
    speaker: statementSpeakerSchema,
    stage: z.enum(STATEMENT_STAGES),
    date: z
      .string()
      .describe('When it was said, as precisely as known: "2020" (year), "2020-01" (month) or "2020-01-20" (day).'),
    datePrecision: datePrecisionSchema,
    summary: z.string().describe('What was said, in our own words.'),
    themes: z.array(labelSchema),
    sources: z.array(sourceSchema).describe('Where the statement is recorded (one).'),
    ...recordMetaShape,
  })
  .meta({ id: 'Statement' });

export type StatementRecord = z.infer<typeof statementSchema>;
