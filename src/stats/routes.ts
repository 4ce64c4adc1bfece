import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readIdParams } from '../common/schemas.js';
import {
  BOM,
  CONTENT_TYPES,
  csvHeader,
  csvRows,
  type CsvColumn,
  CSV_CONVENTIONS,
  notModifiedResponse,
  responseFormat,
  setAttachment,
} from '../http/formats.js';
import { answeredAt } from '../http/cache.js';
import { notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import type { StatsStore } from './store.js';
import {
  developmentStatsQuery,
  developmentStatsSchema,
  recommendationStatsQuery,
  recommendationStatsSchema,
  reviewSummaryQuery,
  reviewSummarySchema,
} from './schemas.js';
import { z } from 'zod';
import { namePlugins } from '../http/plugin-name.js';

// GET /v1/stats/recommendations, GET /v1/stats/developments and GET /v1/reviews/{id}/summary.

type Group = Record<string, unknown>;

const LABEL_FIELDS: Record<string, string> = {
  recommendingState: 'recommendingStateName',
  stateUnderReview: 'stateUnderReviewName',
  theme: 'themeLabel',
  sdg: 'sdgLabel',
};

/** CSV columns of a stats answer: each grouping (and its name or label), then count. */
function statsColumns(groupBy: readonly string[]): CsvColumn<Group>[] {
  const fields = groupBy.flatMap((g) => (LABEL_FIELDS[g] ? [g, LABEL_FIELDS[g]] : [g]));
  return [...fields, 'count'].map((name) => ({
    name,
    description: name,
    value: (group) => group[name] as string | number | null,
  }));
}

const csvDescription =
  `${CSV_CONVENTIONS} One row per group: a column per grouping (and its name or label, for state, theme and ` +
  'SDG groupings), then `count`. A null group (no value) is an empty cell.';

const csvSchema = z.string().describe(csvDescription);

function csvResponse(description: string, schema: z.ZodType) {
  return { description, content: { 'application/json': { schema }, 'text/csv': { schema: csvSchema } } };
}

const statsFormats = ['json', 'csv'] as const;

const statsRoutes: FastifyPluginAsyncZod<{ store: StatsStore }> = async (app, { store }) => {
  app.get(
    '/stats/recommendations',
    {
      schema: {
        operationId: 'getRecommendationStats',
        summary: 'Count recommendations by group',
        description:
          'How many recommendations match the filters (the same filters as GET /v1/recommendations), counted ' +
          'by one or two groupings, e.g. `groupBy=position,recommendingState`. With single-valued groupings ' +
          "the counts sum to the list's meta.total; with a multi-valued one (meta.multiValued) each count is " +
          'what the list returns with that value as a filter.',
        tags: ['stats'],
        querystring: recommendationStatsQuery,
        response: {
          200: csvResponse('Counts per group (JSON or CSV).', recommendationStatsSchema),
          304: notModifiedResponse,
          ...problemResponses(400, 406),
        },
      },
      config: { queryCache: { formats: statsFormats, ordered: ['groupBy'] } },
    },
    async (request, reply) => {
      const { groupBy, format: _, bom, ...filter } = request.query;
      const stats = await store.recommendations(groupBy, filter, (stamp) => answeredAt(request, stamp));
      if (responseFormat(request, statsFormats) === 'csv') {
        const columns = statsColumns(groupBy);
        setAttachment(reply, 'recommendation-stats', 'csv');
        const body = (bom ? BOM : '') + csvHeader(columns) + csvRows(columns, stats.data, { origin: '' });
        return reply.type(CONTENT_TYPES.csv).send(body);
      }
      return stats;
    },
  );

  app.get(
    '/stats/developments',
    {
      schema: {
        operationId: 'getDevelopmentStats',
        summary: 'Count developments by group',
        description:
          'How many developments match the filters (the same filters as GET /v1/developments), counted by one or ' +
          'two groupings, e.g. `groupBy=direction,year`.',
        tags: ['stats'],
        querystring: developmentStatsQuery,
        response: {
          200: csvResponse('Counts per group (JSON or CSV).', developmentStatsSchema),
          304: notModifiedResponse,
          ...problemResponses(400, 406),
        },
      },
      config: { queryCache: { formats: statsFormats, ordered: ['groupBy'] } },
    },
    async (request, reply) => {
      const { groupBy, format: _, bom, ...filter } = request.query;
      const stats = await store.developments(groupBy, filter, (stamp) => answeredAt(request, stamp));
      if (responseFormat(request, statsFormats) === 'csv') {
        const columns = statsColumns(groupBy);
        setAttachment(reply, 'development-stats', 'csv');
        const body = (bom ? BOM : '') + csvHeader(columns) + csvRows(columns, stats.data, { origin: '' });
        return reply.type(CONTENT_TYPES.csv).send(body);
      }
      return stats;
    },
  );

  app.get(
    '/reviews/:id/summary',
    {
      schema: {
        operationId: 'getReviewSummary',
        summary: "A review's dashboard summary",
        description:
          "One call for a review's dashboard page: its recommendations by position and by implementation status, " +
          'its developments per month (and per year where only the year is known), and its top themes.',
        tags: ['reviews', 'stats'],
        params: readIdParams('reviews'),
        querystring: reviewSummaryQuery,
        response: {
          200: jsonResponse(reviewSummarySchema, 'The summary.'),
          304: notModifiedResponse,
          ...problemResponses(400, 404),
        },
      },
      config: { queryCache: {} },
    },
    async (request) => {
      const summary = await store.reviewSummary(request.params.id, request.query, (stamp) => answeredAt(request, stamp));
      if (!summary) throw notFound('Review', request.params.id);
      return summary;
    },
  );
};

namePlugins(statsRoutes);
export default statsRoutes;
