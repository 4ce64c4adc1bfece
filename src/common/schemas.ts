import { z } from 'zod';
import './zod-messages.js';
import {
  DATE_PRECISIONS,
  DIRECTIONS,
  IMPLEMENTATION_STATUSES,
  LABEL_SCHEMES,
  LABEL_SOURCES,
  POSITIONS,
} from '../db/schema.js';

// Response shapes shared by several resources.

export const stateRefSchema = z
  .object({
    id: z.string().describe("The state's id: its ISO 3166-1 alpha-3 code."),
    name: z.string().describe('English short name.'),
  })
  .meta({ id: 'StateRef' });

/** The vocabularies a label can come from: those of themes (src/db/schema.ts) and the SDGs. */
export const LABEL_VOCABULARIES = [...LABEL_SCHEMES, 'sdg'] as const;

export const labelSchema = z
  .object({
    id: z.string().describe('Stable id to filter by: a theme or group slug, or an SDG number ("16").'),
    label: z.string().describe('The label as its vocabulary words it (an SDG: the goal\'s short title).'),
    scheme: z
      .enum(LABEL_VOCABULARIES)
      .describe("Its vocabulary: uhri (OHCHR's Universal Human Rights Index), upr-info (UPR Info's issues), local (ours), sdg."),
    source: z
      .enum(LABEL_SOURCES)
      .nullable()
      .describe(
        'Who attached it to this record: ohchr (a matrix), upr-info (its coding), curated (us), machine (automatic ' +
          'tagging); null only for a label imported before its provenance was recorded.',
      ),
    confidence: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe(
        'How sure automatic tagging is, for source machine: the chance that the label is right (the model\'s ' +
          'probability, calibrated on labels it gave to texts it had not seen), at most 0.999; 1 only for a UHRI ' +
          "theme derived from UPR Info's own coding. null otherwise.",
      ),
  })
  .meta({ id: 'Label' });

export const sourceSchema = z
  .object({
    id: z.string(),
    title: z
      .string()
      .describe(
        'The title as the document or page prints it; in square brackets, a description of ours where we do not hold its ' +
          'title ("[Human Rights Watch statement at …]"): cite it as such.',
      ),
    publisher: z.string(),
    url: z.string(),
    publishedOn: z
      .string()
      .nullable()
      .describe('Publication date, written to its precision ("2020", "2020-03" or "2020-03-15"); null when unknown.'),
    publishedOnPrecision: z
      .enum(DATE_PRECISIONS)
      .nullable()
      .describe('How precisely the publication date is known: year, month or day; null exactly when publishedOn is.'),
  })
  .meta({ id: 'Source' });

export const positionSchema = z
  .enum(POSITIONS)
  .nullable()
  .describe("The reviewed state's position on the recommendation; null when no source records it (never guessed).");

export const implementationSchema = z
  .enum(IMPLEMENTATION_STATUSES)
  .nullable()
  .describe('Current implementation status: the latest assessment; null when never assessed.');

export const datePrecisionSchema = z
  .enum(DATE_PRECISIONS)
  .describe('How precisely the date is known: "2020" (year), "2020-06" (month) or "2020-07-25" (day).');

export const directionSchema = z.enum(DIRECTIONS);

export const recordMetaShape = {
  version: z
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .meta({ format: 'int64' })
    .describe('Incremented by every change to the record; the basis of its ETag for If-Match.'),
  createdAt: z.string().meta({ format: 'date-time' }).describe('When this record was created here (ISO 8601, UTC).'),
  updatedAt: z.string().meta({ format: 'date-time' }).describe('When this record last changed here (ISO 8601, UTC).'),
};

export const idParams = z.object({ id: z.string().min(1).max(200).describe('The record id.') });

/** A seeded record of each kind: the example of its read routes' `{id}` (Swagger UI's "Try it out" fills it in). */
export const ID_EXAMPLES = {
  recommendations: 'KGZ-3-FIN-1',
  reviews: 'KGZ-3',
  developments: 'kgz-2020-07-25-askarov-dies-in-custody',
  statements: 'KGZ-3-IRL-interactive-dialogue',
  assessments: 'KGZ-3-FIN-1-2020-09-28',
  sources: 'hrw-2020-09-28-kgz-upr-adoption',
  states: 'KGZ',
} as const;

/** A state's `{id}`: its ISO code in any case (read as capitals); with an example on its read routes. */
const stateId = (examples?: string[]) =>
  z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'Expected an ISO 3166-1 alpha-3 code, e.g. KGZ')
    .meta({ maxLength: 3, ...(examples && { examples }) }) // the pattern allows exactly 3 characters
    .transform((code) => code.toUpperCase())
    .describe('ISO 3166-1 alpha-3 code (case-insensitive).');
export const stateIdParams = z.object({ id: stateId() });
export const readStateIdParams = z.object({ id: stateId([ID_EXAMPLES.states]) });

/**
 * A review's `{id}` in any case (read as capitals), as the reviewId filter takes it: every review id is a state code
 * in capitals and a cycle ("KGZ-3"), so `kgz-3` can name no other review (it was a 404 "does not exist").
 */
const reviewId = idParams.shape.id
  .meta({ examples: [ID_EXAMPLES.reviews] })
  .transform((id) => id.toUpperCase())
  .describe('The review id, e.g. KGZ-3 (case-insensitive).');
export const reviewIdParams = z.object({ id: reviewId });

/** The `{id}` of a read route of one kind of record, with a seeded record's id as its example. */
export const readIdParams = (kind: Exclude<keyof typeof ID_EXAMPLES, 'states'>) =>
  kind === 'reviews' ? reviewIdParams : z.object({ id: idParams.shape.id.meta({ examples: [ID_EXAMPLES[kind]] }) });

/** A list in a request body whose values must each appear once (theme ids, recommendation ids, …). */
export const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((values) => new Set(values).size === values.length, 'List each value once');

export type LabelRecord = z.infer<typeof labelSchema>;

/** A theme our curators attached: developments and statements are written only through the API and the seed. */
export function curatedLabel(id: string, label: string, scheme: LabelRecord['scheme']): LabelRecord {
  return { id, label, scheme, source: 'curated', confidence: null };
}
