import { z } from 'zod';
import { positionSchema, stateRefSchema } from '../common/schemas.js';
import { RELATIONS } from '../db/schema.js';
import { listParam, wholeNumberParam } from '../http/params.js';
import { RECURRENCE_THRESHOLD, RELATED_FLOOR, RELATED_PER_RECORD } from './settings.js';

export const relatedQuery = z
  .object({
    limit: wholeNumberParam(1, RELATED_PER_RECORD)
      .prefault(10)
      .describe(`How many related recommendations to return, most similar first (1–${RELATED_PER_RECORD}, default 10).`),
    relation: listParam(
      z.enum(RELATIONS),
      'Only those made in an earlier cycle, a later one, or the same cycle (earlier, later, same).',
    ),
  })
  .strict();

export const relatedRecommendationSchema = z
  .object({
    id: z.string(),
    reviewId: z.string(),
    cycle: z.int().min(1).max(4).meta({ format: 'int32' }),
    recommendingStates: z.array(stateRefSchema),
    position: positionSchema,
    text: z.string(),
    score: z
      .number()
      .min(0)
      .max(1)
      .describe(
        "Similarity of the two texts' wording, 0–1: the TF-IDF cosine after normalising treaty names (a treaty to ratify and the same treaty named for another act are different terms), 4 decimals. Not a probability that the two ask the same thing.",
      ),
    relation: z
      .enum(RELATIONS)
      .describe('Whether it was made in an earlier cycle than the recommendation asked about, a later one, or the same cycle.'),
  })
  .meta({ id: 'RelatedRecommendation' });

export const relatedListSchema = z
  .object({
    data: z.array(relatedRecommendationSchema),
    meta: z.object({
      limit: z.int().min(1).max(RELATED_PER_RECORD).meta({ format: 'int32' }),
      floor: z.number().describe(`The lowest score listed (${RELATED_FLOOR}).`),
      recurrenceThreshold: z
        .number()
        .describe(
          `The score from which an earlier-cycle recommendation counts in \`recurrence\` (${RECURRENCE_THRESHOLD}): a wording that similar, not a judgement that the same thing was asked.`,
        ),
    }),
  })
  .meta({ id: 'RelatedRecommendationList' });

export type RelatedQuery = z.output<typeof relatedQuery>;
export type RelatedList = z.infer<typeof relatedListSchema>;
