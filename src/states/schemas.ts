import { z } from 'zod';
import { recordMetaShape } from '../common/schemas.js';
import { REGIONAL_GROUPS } from '../db/schema.js';
import { booleanParam, listParam, recordIdsParam } from '../http/params.js';
import { positionCountsSchema } from '../recommendations/schemas.js';
import { NO_LATIN_LETTER, normalizeStateName } from './names.js';

export const stateFilterShape = {
  id: recordIdsParam('State', 'KGZ', true),
  regionalGroup: listParam(z.enum(REGIONAL_GROUPS), `UN regional group: ${REGIONAL_GROUPS.join(', ')}.`),
  unMember: booleanParam('true: UN member states only; false: observer states only.'),
  name: z
    .string()
    .min(1, { abort: true }) // one error for an empty name, not this and the refinement's
    .max(200)
    .refine((name) => normalizeStateName(name) !== '', NO_LATIN_LETTER)
    .optional()
    .describe('Any spelling of the name found in UN documents ("Kyrgyz Republic", "kyrgysztan"); case, accents and punctuation are ignored.'),
};
export type StateFilter = z.output<z.ZodObject<typeof stateFilterShape>>;

export const stateSchema = z
  .object({
    id: z.string().describe("The state's id: its ISO 3166-1 alpha-3 code."),
    name: z.string().describe('English short name.'),
    regionalGroup: z
      .enum(REGIONAL_GROUPS)
      .nullable()
      .describe(
        'UN regional group for UPR statistics; null for a state in none (the Holy See). The United States is in ' +
          'WEOG, where it sits as an observer (see regionalGroupNote).',
      ),
    regionalGroupNote: z
      .string()
      .nullable()
      .describe('Why the group is what it is, where that is not plain membership; null otherwise.'),
    unMember: z.boolean().describe('false for the observer states (Holy See, State of Palestine).'),
    version: recordMetaShape.version,
  })
  .meta({ id: 'State' });

export const stateDetailSchema = stateSchema
  .extend({
    aliases: z.array(z.string()).describe('Other spellings of the name found in UN documents and data sets.'),
    recommendationsMade: positionCountsSchema.describe('Recommendations this state made, by the position taken on them.'),
    recommendationsReceived: positionCountsSchema.describe('Recommendations this state received, by its position.'),
    reviewIds: z.array(z.string()).describe("This state's reviews, by cycle."),
  })
  .meta({ id: 'StateDetail' });

export type StateRecord = z.infer<typeof stateSchema>;
export type StateDetail = z.infer<typeof stateDetailSchema>;
