import { z } from 'zod';
import { datePrecisionSchema, sourceSchema, stateRefSchema, recordMetaShape } from '../common/schemas.js';
import { wholeNumberParam, listParam, recordIdsParam, stateListParam, updatedSinceParam } from '../http/params.js';
import { implementationCountsSchema, positionCountsSchema } from '../recommendations/schemas.js';
import { CALENDAR_SESSIONS, YEAR_DESCRIPTION } from './year.js';

/** The year of a review's Working Group report as a source gives it (2008–2100), or null. */
export const reportYearSchema = z.int().min(2008).max(2100).meta({ format: 'int32' }).nullable();

export const reviewFilterShape = {
  id: recordIdsParam('Review', 'KGZ-3', true),
  stateUnderReview: stateListParam('State under review.'),
  cycle: listParam(wholeNumberParam(1, 4), 'UPR cycle (1–4).'),
  session: listParam(wholeNumberParam(1, 999), 'UPR Working Group session number, e.g. 35.'),
  year: listParam(wholeNumberParam(2008, 2100), YEAR_DESCRIPTION),
  updatedSince: updatedSinceParam(),
};
export type ReviewFilter = z.output<z.ZodObject<typeof reviewFilterShape>>;

export const reviewSchema = z
  .object({
    id: z.string().describe('State code and cycle, e.g. KGZ-3.'),
    stateUnderReview: stateRefSchema,
    cycle: z.int().min(1).max(4).meta({ format: 'int32' }),
    session: z.int().min(1).max(999).meta({ format: 'int32' }).nullable().describe('UPR Working Group session.'),
    year: z
      .int()
      .min(0)
      .max(9999)
      .meta({ format: 'int32' })
      .nullable()
      .describe(
        `Year of the review, as the \`year\` filter reads it: of its session where the UPR calendar knows the session (${CALENDAR_SESSIONS}), ` +
          'else of dialogueDate, else reportYear; null when none is known.',
      ),
    dialogueDate: z.string().nullable().describe('Date of the interactive dialogue (YYYY-MM-DD).'),
    reportSymbol: z.string().nullable().describe('Symbol of the Working Group report, e.g. A/HRC/44/9.'),
    reportYear: reportYearSchema.describe(
        'Year of the Working Group report as a source gives it (the Terman corpus dates each review by its report: ' +
          'for a session held late in a year, it can be the next year); null when no source gives it.',
      ),
    adoptionSession: z.int().min(1).max(999).meta({ format: 'int32' }).nullable().describe('Human Rights Council session that adopted the outcome.'),
    adoptionDate: z.string().nullable().describe('Date of adoption, written to its precision ("2020-09").'),
    adoptionDatePrecision: datePrecisionSchema.nullable(),
    recommendationCount: z
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .meta({ format: 'int64' })
      .describe('How many of the review\'s recommendations we hold (see recommendationsComplete).'),
    recommendationsComplete: z
      .boolean()
      .describe(
        "true when we hold every recommendation of the report; false while the report's full list is not " +
          'imported (no source we hold gives its total).',
      ),
    recommendationsNote: z.string().nullable().describe('What we know of the recommendations we do not hold.'),
    sources: z.array(sourceSchema).describe('Where the facts about the review come from.'),
    ...recordMetaShape,
  })
  .meta({ id: 'Review' });

export const reviewDetailSchema = reviewSchema
  .extend({
    recommendationsByPosition: positionCountsSchema,
    recommendationsByImplementation: implementationCountsSchema,
    developmentCount: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' }),
    statementCount: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' }),
  })
  .meta({ id: 'ReviewDetail' });

export type ReviewRecord = z.infer<typeof reviewSchema>;
export type ReviewDetail = z.infer<typeof reviewDetailSchema>;
