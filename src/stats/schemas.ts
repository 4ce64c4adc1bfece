import { z } from 'zod';
import { stateRefSchema } from '../common/schemas.js';
import { DIRECTIONS, LABEL_SCHEMES, LABEL_SOURCES } from '../db/schema.js';
import { developmentFilterShape } from '../developments/schemas.js';
import { formatParams } from '../http/formats.js';
import { listItemsMeta, listParam, wholeNumberParam } from '../http/params.js';
import { implementationCountsSchema, positionCountsSchema, recommendationFilterShape } from '../recommendations/schemas.js';

// Aggregates for dashboards: recommendations and developments counted by one or two groupings, under
// exactly the filters of their lists, and one review's summary.

export const RECOMMENDATION_GROUPINGS = [
  'position',
  'recommendingState',
  'regionalGroup',
  'stateUnderReview',
  'cycle',
  'year',
  'theme',
  'sdg',
  'implementation',
  'actionCategory',
  'recurring',
  'labelSource',
] as const;
export type RecommendationGrouping = (typeof RECOMMENDATION_GROUPINGS)[number];

export const DEVELOPMENT_GROUPINGS = ['direction', 'year', 'theme', 'stateUnderReview'] as const;
export type DevelopmentGrouping = (typeof DEVELOPMENT_GROUPINGS)[number];

/** Groupings where a record can have several values (or none): it is counted once under each. */
export const MULTI_VALUED_GROUPINGS: ReadonlySet<string> = new Set(['recommendingState', 'regionalGroup', 'theme', 'sdg']);

function groupByParam<const T extends readonly [string, ...string[]]>(groupings: T, description: string, pairedOnly: Record<string, string> = {}) {
  return z
    // Documented bounds that hold already: Node refuses request lines over 16 KiB, and over 2 values fail the pipe.
    .union([z.string().meta({ maxLength: 16384 }), z.array(z.string().meta({ maxLength: 16384 })).meta({ maxItems: 2 })])
    // OpenAPI shows the groupings (src/http/params.ts), not the raw text: a typed client lists them.
    .meta(listItemsMeta(z.enum(groupings), 2))
    .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()))
    .pipe(
      z
        .array(z.enum(groupings))
        .min(1)
        .max(2)
        .refine((values) => new Set(values).size === values.length, 'Name each grouping once')
        .superRefine((values, ctx) => {
          for (const [grouping, partner] of Object.entries(pairedOnly)) {
            if (values.includes(grouping as T[number]) && !values.includes(partner as T[number])) {
              ctx.addIssue({ code: 'custom', message: `${grouping} is who gave a ${partner} label: group it with ${partner} (groupBy=${partner},${grouping})` });
            }
          }
        }),
    )
    .describe(`${description} One or two of: ${groupings.join(', ')}; comma-separated or repeated.`);
}

const statsFormatParams = formatParams(['json', 'csv']);

export const recommendationStatsQuery = z
  .object({
    groupBy: groupByParam(
      RECOMMENDATION_GROUPINGS,
      'What to count by. recommendingState, regionalGroup (of a recommending state), theme and sdg are ' +
        'multi-valued: a recommendation counts once under each of its values, and under null when it has none. ' +
        'labelSource goes with theme only (`groupBy=theme,labelSource`): each theme split by who gave its labels, ' +
        "each cell the theme's count under `labelSource` naming that source alone.",
      { labelSource: 'theme' },
    ),
    ...recommendationFilterShape,
    ...statsFormatParams,
  })
  .strict();
export type RecommendationStatsQuery = z.output<typeof recommendationStatsQuery>;

export const developmentStatsQuery = z
  .object({
    groupBy: groupByParam(
      DEVELOPMENT_GROUPINGS,
      'What to count by. year is the year of the date (known for every development); theme is multi-valued: ' +
        'a development counts once under each of its themes, and under null when it has none.',
    ),
    ...developmentFilterShape,
    ...statsFormatParams,
  })
  .strict();
export type DevelopmentStatsQuery = z.output<typeof developmentStatsQuery>;

const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' });
const nullableText = z.string().nullable();

export const recommendationGroupSchema = z
  .object({
    position: z
      .string()
      .optional()
      .describe('supported, partially_supported, noted, pending, or unknown (no recorded position): the filter values.'),
    recommendingState: nullableText.optional().describe('ISO 3166-1 alpha-3 code; null: no recommending state recorded.'),
    recommendingStateName: nullableText.optional(),
    regionalGroup: nullableText
      .optional()
      .describe('UN regional group of a recommending state; null: none (no recommending state, or one in no group).'),
    stateUnderReview: z.string().optional().describe('ISO 3166-1 alpha-3 code.'),
    stateUnderReviewName: z.string().optional(),
    cycle: z.int().min(1).max(4).meta({ format: 'int32' }).optional(),
    year: z
      .int()
      .min(1000)
      .max(9999)
      .meta({ format: 'int32' })
      .nullable()
      .optional()
      .describe("The review's year, as the review's `year` and the `year` filter read it; null: nothing gives it."),
    theme: nullableText
      .optional()
      .describe(
        "Theme id; null: no theme. Counts every source's labels, automatic tagging's (machine) included, unless " +
          '`labelSource` names the sources: `labelSource=ohchr,upr-info,curated` counts none of the machine labels.',
      ),
    themeLabel: nullableText.optional(),
    sdg: z.int().min(1).max(17).meta({ format: 'int32' }).nullable().optional().describe('SDG number; null: no SDG.'),
    sdgLabel: nullableText.optional().describe("The goal's short title."),
    implementation: z
      .string()
      .optional()
      .describe('not_implemented, partially_implemented, implemented, or unknown (never assessed).'),
    actionCategory: z
      .int()
      .min(1)
      .max(5)
      .meta({ format: 'int32' })
      .nullable()
      .optional()
      .describe(
        "UPR Info's action category, 1–5, as on the recommendation (`actionCategory`); null: not coded (the filter's `unknown`).",
      ),
    recurring: z
      .enum(['true', 'false'])
      .optional()
      .describe('true: worded like one made before, in an earlier cycle (see the `recurring` filter); false: none found. The filter values.'),
    labelSource: z
      .enum(LABEL_SOURCES)
      .nullable()
      .optional()
      .describe(
        "Who gave the theme's label (grouped with theme only): ohchr, upr-info, curated (a person, or a source recorded " +
          "none), machine (automatic tagging); null with the theme null: no theme label at all. A theme's cells sum " +
          "to its count without labelSource (a recommendation has a theme once, from one source).",
      ),
    count: count.describe('How many matching recommendations fall in this group.'),
  })
  .meta({ id: 'RecommendationGroup' });

export const developmentGroupSchema = z
  .object({
    direction: z.enum(DIRECTIONS).optional(),
    year: z.int().min(1000).max(9999).meta({ format: 'int32' }).optional(),
    theme: nullableText.optional().describe('Theme id; null: no theme.'),
    themeLabel: nullableText.optional(),
    stateUnderReview: z.string().optional().describe('ISO 3166-1 alpha-3 code.'),
    stateUnderReviewName: z.string().optional(),
    count: count.describe('How many matching developments fall in this group.'),
  })
  .meta({ id: 'DevelopmentGroup' });

function statsMeta<T extends readonly [string, ...string[]]>(groupings: T, records: string) {
  return z.object({
    groupBy: z.array(z.enum(groupings)).describe('The groupings, in the order asked.'),
    total: count.describe(`How many ${records} match the filters: the list's meta.total for the same filters.`),
    sum: count.describe(
      'The sum of the counts: equal to total unless a grouping is multi-valued (then at least total).',
    ),
    multiValued: z
      .boolean()
      .describe(
        `true when a grouping is multi-valued: ${records} with several values count once under each, so the ` +
          'counts can sum to more than total; each count is still exactly what the list returns with that ' +
          'value as a filter.',
      ),
  });
}

export const recommendationStatsSchema = z
  .object({
    data: z.array(recommendationGroupSchema).describe('Groups by count, largest first; empty groups are left out.'),
    meta: statsMeta(RECOMMENDATION_GROUPINGS, 'recommendations'),
  })
  .meta({ id: 'RecommendationStats' });

export const developmentStatsSchema = z
  .object({
    data: z.array(developmentGroupSchema).describe('Groups by count, largest first; empty groups are left out.'),
    meta: statsMeta(DEVELOPMENT_GROUPINGS, 'developments'),
  })
  .meta({ id: 'DevelopmentStats' });

export type RecommendationStats = z.infer<typeof recommendationStatsSchema>;
export type DevelopmentStats = z.infer<typeof developmentStatsSchema>;

const directionCounts = {
  total: count,
  progress: count,
  setback: count,
  neutral: count,
};

export const reviewSummaryQuery = z
  .object({
    top: wholeNumberParam(1, 100)
      .prefault(10)
      .describe('How many themes to list in topThemes (1–100, default 10).'),
    scheme: listParam(z.enum(LABEL_SCHEMES), `Only themes of these schemes in topThemes: ${LABEL_SCHEMES.join(', ')} (default: all).`),
    labelSource: listParam(
      z.enum(LABEL_SOURCES),
      `Who gave the recommendations' labels topThemes counts: ${LABEL_SOURCES.join(', ')} (machine: automatic tagging; default: all). Developments' themes are curated: counted whatever this says.`,
    ),
  })
  .strict();

export type ReviewSummaryOptions = z.output<typeof reviewSummaryQuery>;

export const reviewSummarySchema = z
  .object({
    reviewId: z.string(),
    stateUnderReview: stateRefSchema,
    cycle: z.int().min(1).max(4).meta({ format: 'int32' }),
    recommendations: z.object({
      byPosition: positionCountsSchema.describe('Recommendations by the position taken; total is all of them.'),
      byImplementation: implementationCountsSchema.describe('By current implementation status (latest assessment).'),
    }),
    developments: z.object({
      total: count.describe('Developments that follow up this review.'),
      byMonth: z
        .array(z.object({ month: z.string().describe('YYYY-MM.'), ...directionCounts }))
        .describe('Developments dated to the month or the day, per month, oldest first.'),
      byYearOnly: z
        .array(z.object({ year: z.string().describe('YYYY.'), ...directionCounts }))
        .describe('Developments known only to the year (not guessed into a month), per year, oldest first.'),
    }),
    topThemes: z
      .array(
        z.object({
          id: z.string(),
          label: z.string(),
          scheme: z.enum(LABEL_SCHEMES).describe('The vocabulary the theme belongs to (see GET /v1/themes).'),
          recommendationCount: count.describe("Recommendations of this review with the theme (labels from the sources labelSource names)."),
          machineRecommendationCount: count.describe(
            'Of recommendationCount, those that have the theme only from automatic tagging (label source machine: ' +
              "a classifier's guess, or a UHRI theme derived from UPR Info's issues), not from a source or a curator.",
          ),
          developmentCount: count.describe('Developments following up this review with the theme.'),
        }),
      )
      .describe('Themes by recommendations and then developments carrying them, most first; ties by label, then by id.'),
  })
  .meta({ id: 'ReviewSummary' });

export type ReviewSummary = z.infer<typeof reviewSummarySchema>;
