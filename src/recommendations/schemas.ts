import { z } from 'zod';
import {
  IMPLEMENTATION_STATUSES,
  LABEL_SOURCES,
  POSITIONS,
  REGIONAL_GROUPS,
} from '../db/schema.js';
import { fullTextParam } from '../db/fulltext.js';
import {
  datePrecisionSchema,
  directionSchema,
  implementationSchema,
  labelSchema,
  positionSchema,
  sourceSchema,
  stateRefSchema,
  recordMetaShape,
} from '../common/schemas.js';
import { booleanParam, idListParam, wholeNumberParam, listParam, recordIdsParam, stateListParam, updatedSinceParam } from '../http/params.js';
import { ACTION_CATEGORIES } from '../reference/upr-info.js';
import { YEAR_DESCRIPTION } from '../reviews/year.js';
import { RECURRENCE_THRESHOLD, RELATED_PER_RECORD } from '../related/settings.js';

const ACTION_SCALE = Object.entries(ACTION_CATEGORIES)
  .map(([n, meaning]) => `${n} ${meaning}`)
  .join(', ');

export const RECOMMENDATION_SORTS = [
  'paragraph',
  '-paragraph',
  'updatedAt',
  '-updatedAt',
  'id',
  '-id',
  'relevance',
] as const;
export type RecommendationSort = (typeof RECOMMENDATION_SORTS)[number];

// The one definition of "which recommendations match": the list, and later exports and stats, share it.
export const recommendationFilterShape = {
  id: recordIdsParam('Recommendation', 'KGZ-3-FIN-1'),
  stateUnderReview: stateListParam('State under review.'),
  recommendingState: stateListParam('Recommending state.'),
  regionalGroup: listParam(
    z.enum(REGIONAL_GROUPS),
    `UN regional group of a recommending state: ${REGIONAL_GROUPS.join(', ')}.`,
  ),
  cycle: listParam(wholeNumberParam(1, 4), 'UPR cycle (1–4).'),
  session: listParam(wholeNumberParam(1, 999), 'UPR Working Group session number, e.g. 35.'),
  reviewId: idListParam('review', 50, 'Review id, e.g. KGZ-3.'),
  position: listParam(
    z.enum([...POSITIONS, 'unknown']),
    `Position of the state under review: ${POSITIONS.join(', ')}, or unknown (no source records one).`,
  ),
  theme: idListParam('theme', 200, 'Theme id (see GET /v1/themes).'),
  sdg: listParam(wholeNumberParam(1, 17), 'Sustainable Development Goal number (1–17).'),
  affectedPersons: idListParam('affectedPersons', 200, 'Affected-persons group id (see GET /v1/affected-persons).'),
  source: idListParam('source', 200, "Source id (see GET /v1/sources): recommendations citing it, as a record's `sources` lists them."),
  implementation: listParam(
    z.enum([...IMPLEMENTATION_STATUSES, 'unknown']),
    `Current implementation status (latest assessment): ${IMPLEMENTATION_STATUSES.join(', ')}, or unknown (never assessed).`,
  ),
  // ── real-data filters (issue 10) ──
  actionCategory: listParam(
    z.enum(['1', '2', '3', '4', '5', 'unknown']),
    `UPR Info's action category, what the recommendation asks: ${ACTION_SCALE}; or unknown (not coded).`,
  ),
  positionLabel: idListParam(
    'positionLabel',
    200,
    "The decision as a source printed it: the record's `positionLabel`, or any of its sources' " +
      '(`sources[].reading.positionLabel`: what each file printed, before the sources were merged): e.g. consider, reject, Accepted.',
  ),
  year: listParam(wholeNumberParam(2008, 2100), YEAR_DESCRIPTION),
  // ── end of real-data filters ──
  labelSource: listParam(
    z.enum(LABEL_SOURCES),
    `Who gave the labels the theme filter (and a theme grouping) counts: ${LABEL_SOURCES.join(', ')} (machine: automatic tagging; default: all).`,
  ),
  recurring: booleanParam(
    `true: only recommendations worded like one made before, in an earlier cycle (see \`recurrence\`: an earlier-cycle recommendation to the same state scoring at least ${RECURRENCE_THRESHOLD}); false: only those with none (not proof that nothing was asked before).`,
  ),
  hasDevelopments: booleanParam('true: only recommendations linked to at least one development; false: only those with none.'),
  q: fullTextParam('the text'),
  updatedSince: updatedSinceParam(),
};

export const recommendationFilterSchema = z.object(recommendationFilterShape);
export type RecommendationFilter = z.output<typeof recommendationFilterSchema>;

export const recurrenceSchema = z
  .object({
    count: z
      .int()
      .min(0)
      .max(RELATED_PER_RECORD)
      .meta({ format: 'int32' })
      .describe(
        `How many recommendations to the same state under review in earlier cycles are worded much like this one: their text scores at least ${RECURRENCE_THRESHOLD} with it (TF-IDF cosine, see GET /v1/recommendations/{id}/related; counted among the ${RELATED_PER_RECORD} most similar). Most of them ask the same, in full or in part; read them before saying so (README, Recurring recommendations).`,
      ),
    earliestCycle: z
      .int()
      .min(1)
      .max(4)
      .meta({ format: 'int32' })
      .nullable()
      .describe('The earliest cycle of those; null when there are none.'),
  })
  .meta({ id: 'Recurrence' })
  .describe('Whether something worded like this was asked of the state before, in an earlier cycle.');

/** What one source itself printed about a recommendation (a row of recommendation_sources, src/import/reconcile.ts). */
export const sourceReadingSchema = z
  .object({
    paragraph: z
      .string()
      .nullable()
      .describe('The paragraph number this source printed ("76.2"); null when it prints none (UPR Info).'),
    position: positionSchema.describe(
      "The reviewed state's position as this source records it, on the record's scale; null when it records none.",
    ),
    positionLabel: z
      .string()
      .nullable()
      .describe(
        'The decision as this source printed it, when it differs from its `position` (the Terman corpus\'s "consider", ' +
          'UPR Info\'s "Accepted"); null otherwise. The `positionLabel` filter matches it too.',
      ),
    positionSource: z
      .string()
      .nullable()
      .describe('Where this source says the position is recorded (a document reference, or its own column); null when it does not say.'),
  })
  .meta({ id: 'SourceReading' });

/** A recommendation's source: the shared Source, with what that source printed about this recommendation. */
export const recommendationSourceSchema = sourceSchema
  .extend({
    reading: sourceReadingSchema
      .nullable()
      .describe(
        "What this source itself printed about this recommendation: its paragraph number, position and decision. When " +
          "several files give the recommendation, the record's own `paragraph`, `position`, `positionLabel` and " +
          '`positionSource` take each field from the source that knows it best (a final response over the Working ' +
          'Group stage, but not a response to a part of the text: a reading whose text has fewer than 3/4 of the ' +
          "official wording's words, as UPR Info codes a compound paragraph's requests one by one, unless all the " +
          "wording adds is framing: a lead-in naming a State, the same text once per recommending state); each source's " +
          "reading stays here, as it printed it, and does not say whether it was of a part. null when the record was not imported " +
          'from this source (written through the API, or seed data).',
      ),
  })
  .meta({ id: 'RecommendationSource' });

export const recommendationSchema = z
  .object({
    id: z.string().describe('Stable id; re-importing the same source reproduces it.'),
    reviewId: z.string(),
    stateUnderReview: stateRefSchema,
    cycle: z.int().min(1).max(4).meta({ format: 'int32' }),
    session: z.int().min(1).max(999).meta({ format: 'int32' }).nullable().describe('UPR Working Group session.'),
    paragraph: z
      .string()
      .nullable()
      .describe('Paragraph number as printed in the report ("121.10"); null when unknown.'),
    text: z.string(),
    verbatim: z.boolean().describe('true only when `text` is the official wording; false for a paraphrase.'),
    recommendingStates: z.array(stateRefSchema),
    unresolvedRecommendingStates: z
      .array(z.string())
      .describe('Recommending "states" as printed in the source when no state code resolves them ("Korea", "NA"): kept, never guessed.'),
    position: positionSchema,
    positionLabel: z
      .string()
      .nullable()
      .describe('The decision as the source printed it, when it differs from `position` (e.g. "implemented", mapped to supported).'),
    positionSource: z
      .string()
      .nullable()
      .describe('Where the position is recorded, e.g. "A/HRC/44/9/Add.1 - Para. 3" or a URL.'),
    actionCategory: z
      .int()
      .min(1)
      .max(5)
      .meta({ format: 'int32' })
      .nullable()
      .describe(`UPR Info's 1–5 scale of what the recommendation asks: ${ACTION_SCALE}. null when not coded.`),
    themes: z.array(labelSchema),
    sdgs: z.array(labelSchema).describe('Sustainable Development Goals: id is the goal number ("16"), scheme sdg.'),
    affectedPersons: z.array(labelSchema),
    implementation: implementationSchema,
    developmentCount: z.int().min(0).max(1_000_000).meta({ format: 'int32' }).describe('How many developments bear on it.'),
    recurrence: recurrenceSchema,
    sources: z
      .array(recommendationSourceSchema)
      .describe(
        'Where it was read: the source of `text` first, then every other file or document that gives it, each with ' +
          'what it printed about the recommendation (`reading`).',
      ),
    ...recordMetaShape,
  })
  .meta({ id: 'Recommendation' });

export const assessmentSchema = z
  .object({
    id: z.string(),
    status: z.enum(IMPLEMENTATION_STATUSES),
    assessedOn: z.string().meta({ format: 'date' }).describe('The date the judgement holds for (YYYY-MM-DD).'),
    rationale: z.string(),
    sources: z.array(sourceSchema).describe('The source of the judgement (one).'),
  })
  .meta({ id: 'Assessment' });

export const developmentRefSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    date: z.string(),
    datePrecision: datePrecisionSchema,
    direction: directionSchema,
  })
  .meta({ id: 'DevelopmentRef' });

export const recommendationDetailSchema = recommendationSchema
  .extend({
    assessments: z.array(assessmentSchema).describe('Assessment history, newest first.'),
    developments: z.array(developmentRefSchema).describe('Developments that bear on it, oldest first.'),
  })
  .meta({ id: 'RecommendationDetail' });

export type RecommendationRecord = z.infer<typeof recommendationSchema>;
export type RecommendationDetail = z.infer<typeof recommendationDetailSchema>;

const countField = z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' });

export const positionCountsSchema = z
  .object({
    total: countField,
    supported: countField,
    partially_supported: countField,
    noted: countField,
    pending: countField,
    unknown: countField.describe('No source records a position.'),
  })
  .meta({ id: 'PositionCounts' });

export const implementationCountsSchema = z
  .object({
    not_implemented: countField,
    partially_implemented: countField,
    implemented: countField,
    unknown: countField.describe('Never assessed.'),
  })
  .meta({ id: 'ImplementationCounts' });
