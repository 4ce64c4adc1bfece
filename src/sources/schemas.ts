import { z } from 'zod';
import { sourceSchema } from '../common/schemas.js';
import { periodRangeParams, recordIdsParam } from '../http/params.js';

// Sources: the documents and pages every fact cites, listed and each with what cites it.

export const SOURCE_SORTS = ['id', '-id'] as const;
export type SourceSort = (typeof SOURCE_SORTS)[number];

/** Ids listed per kind of citing record in GET /v1/sources/{id}; `count` says how many there are in all. */
export const CITATIONS_PER_KIND = 100;

export const sourceFilterShape = {
  id: recordIdsParam('Source', 'hrw-2020-09-28-kgz-upr-adoption'),
  publisher: z
    .union([z.string().min(1).max(300), z.array(z.string().min(1).max(300)).min(1).max(100)])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional()
    .describe('Publisher, exactly as stored (e.g. Human Rights Watch; an accented letter composed or not); repeat it for any of several.'),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Text the title, publisher or URL contains (any case; at most 200 characters).'),
  // The publication date, as a period as precise as it is known; a source of unknown date matches neither.
  ...periodRangeParams('sources', 'source'),
};

export const sourceFilterSchema = z.object(sourceFilterShape);
export type SourceFilter = z.output<typeof sourceFilterSchema>;

/** What cites a source, of one kind; `list` is the list whose source filter gives them all. */
const citationsSchema = (what: string, list?: string) =>
  z
    .object({
      count: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' }).describe(`How many ${what} cite it.`),
      ids: z
        .array(z.string())
        .max(CITATIONS_PER_KIND)
        .describe(
          `Their ids, sorted, the first ${CITATIONS_PER_KIND} at most (count says how many there are in all` +
            (list === undefined ? ').' : `; ${list}?source={id} lists them all).`),
        ),
    })
    .describe(what);

export const citedBySchema = z
  .object({
    recommendations: citationsSchema('recommendations whose text or record comes from it (`sources` of the recommendation)', '/v1/recommendations'),
    positions: citationsSchema("recommendations whose state's position it records", '/v1/recommendations'),
    assessments: citationsSchema('assessments', '/v1/assessments'),
    developments: citationsSchema('developments', '/v1/developments'),
    statements: citationsSchema('statements', '/v1/statements'),
    reviews: citationsSchema('reviews (their reports and documents)'),
  })
  .meta({ id: 'CitedBy' });

export const sourceDetailSchema = sourceSchema
  .extend({ citedBy: citedBySchema.describe(`What cites it, by kind: a count and the first ${CITATIONS_PER_KIND} ids of each.`) })
  .meta({ id: 'SourceDetail' });

export type SourceRecord = z.infer<typeof sourceSchema>;
export type SourceDetail = z.infer<typeof sourceDetailSchema>;
export type CitedBy = z.infer<typeof citedBySchema>;
