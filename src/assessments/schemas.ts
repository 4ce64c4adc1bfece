import { z } from 'zod';
import { recordMetaShape, sourceSchema } from '../common/schemas.js';
import { IMPLEMENTATION_STATUSES } from '../db/schema.js';

export const assessmentRecordSchema = z
  .object({
    id: z.string(),
    recommendationId: z.string().describe('The recommendation judged.'),
    status: z.enum(IMPLEMENTATION_STATUSES),
    assessedOn: z.string().describe('The date the judgement holds for (YYYY-MM-DD).'),
    rationale: z.string().describe('Why, in our own words, as the source supports it.'),
    sources: z.array(sourceSchema).describe('The source of the judgement (one).'),
    ...recordMetaShape,
  })
  .meta({ id: 'AssessmentRecord' });

export type AssessmentRecord = z.infer<typeof assessmentRecordSchema>;
