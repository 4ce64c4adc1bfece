import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LABEL_SCHEMES } from '../db/schema.js';
import { listParam } from '../http/params.js';
import { notModifiedResponse } from '../http/formats.js';
import { problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { answeredAt } from '../http/cache.js';
import type { VocabularyStore } from './queries.js';
import { namePlugins } from '../http/plugin-name.js';

// The three tagging vocabularies. Small and fixed, so each is answered whole, without pagination.

const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' });
const vocabularyMeta = z.object({ total: count });

const labelEntry = z.object({
  id: z.string().describe('Stable slug, the value to filter by.'),
  label: z.string(),
  uhri: z.boolean().describe('true: wording of the UN Universal Human Rights Index; false: our own label, not yet confirmed.'),
  recommendationCount: count,
});

const themeSchema = labelEntry
  .extend({
    scheme: z
      .enum(LABEL_SCHEMES)
      .describe(
        "The vocabulary: uhri (OHCHR's Universal Human Rights Index), upr-info (UPR Info's issues) or local (ours, " +
          'in the UHRI style). A label belongs to one scheme; schemes are never merged.',
      ),
    uhriId: z
      .string()
      .nullable()
      .describe(
        'The UHRI code OHCHR prints before this label in its matrices ("B32"), stored from the first imported matrix ' +
          'that prints it (null until then; no source we hold gives the whole code table). Later matrices are matched by it.',
      ),
    developmentCount: count,
  })
  .meta({ id: 'Theme' });
const affectedPersonsSchema = labelEntry.meta({ id: 'AffectedPersonsGroup' });
const sdgSchema = z
  .object({
    id: z.string().describe('The goal number ("16"): the id of the SDG labels of recommendations; filter with sdg=16.'),
    label: z.string().describe("The goal's short title."),
    recommendationCount: count,
  })
  .meta({ id: 'SdgGoal' });

const themeList = z.object({ data: z.array(themeSchema), meta: vocabularyMeta }).meta({ id: 'ThemeList' });
const affectedPersonsList = z.object({ data: z.array(affectedPersonsSchema), meta: vocabularyMeta }).meta({ id: 'AffectedPersonsList' });
const sdgList = z.object({ data: z.array(sdgSchema), meta: vocabularyMeta }).meta({ id: 'SdgList' });

const noQuery = z.object({}).strict();
const themeQuery = z
  .object({
    scheme: listParam(
      z.enum(LABEL_SCHEMES, {
        error: (issue) =>
          String(issue.input).toLowerCase() === 'sdg'
            ? 'SDGs are not a theme scheme: their goals are listed by GET /v1/sdgs and filtered with sdg='
            : undefined, // zod's, as every list's: src/common/zod-messages.ts
      }),
      `Only themes of these schemes: ${LABEL_SCHEMES.join(', ')}.`,
    ),
  })
  .strict();

export const themeRoutes: FastifyPluginAsyncZod<{ store: VocabularyStore }> = async (app, { store }) => {
  app.get(
    '/themes',
    {
      schema: {
        operationId: 'listThemes',
        summary: 'List themes',
        description:
          'Every theme label of every scheme (UHRI, UPR Info, local), or of the schemes asked for, with how many ' +
          'recommendations and developments carry it.',
        tags: ['themes'],
        querystring: themeQuery,
        response: {
          200: jsonResponse(themeList, 'All themes.'),
          304: notModifiedResponse,
          ...problemResponses(400),
        },
      },
      config: { queryCache: {} },
    },
    async (request) => {
      const { scheme } = request.query;
      const data = await store.themes(scheme, (stamp) => answeredAt(request, stamp));
      return { data, meta: { total: data.length } };
    },
  );

  app.get(
    '/affected-persons',
    {
      schema: {
        operationId: 'listAffectedPersonsGroups',
        summary: 'List affected-persons groups',
        description: 'Every affected-persons label, with how many recommendations carry it.',
        tags: ['themes'],
        querystring: noQuery,
        response: {
          200: jsonResponse(affectedPersonsList, 'All affected-persons groups.'),
          304: notModifiedResponse,
          ...problemResponses(400),
        },
      },
      config: { queryCache: {} },
    },
    async (request) => {
      const data = await store.affectedPersons((stamp) => answeredAt(request, stamp));
      return { data, meta: { total: data.length } };
    },
  );

  app.get(
    '/sdgs',
    {
      schema: {
        operationId: 'listSdgGoals',
        summary: 'List Sustainable Development Goals',
        description: 'The 17 SDGs, with how many recommendations are tagged with each.',
        tags: ['themes'],
        querystring: noQuery,
        response: {
          200: jsonResponse(sdgList, 'All 17 goals.'),
          304: notModifiedResponse,
          ...problemResponses(400),
        },
      },
      config: { queryCache: {} },
    },
    async (request) => {
      const data = await store.sdgs((stamp) => answeredAt(request, stamp));
      return { data, meta: { total: data.length } };
    },
  );
};

namePlugins(themeRoutes);
