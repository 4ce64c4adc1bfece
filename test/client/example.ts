// A typed client of upr-tracker, as documented in the README: the types come from openapi.yaml
// (`npm run client:types` generates test/client/api.d.ts), so this file stops compiling when the spec stops
// describing what a client relies on.
import createClient from 'openapi-fetch';
import type { paths } from './api.js';

// JSON answers and problem details; the CSV and NDJSON exports are for curl and spreadsheets.
type JsonMedia = 'application/json' | 'application/problem+json';

export async function kyrgyzstanNotedRecommendations(baseUrl: string) {
  const client = createClient<paths, JsonMedia>({ baseUrl });

  const list = await client.GET('/v1/recommendations', {
    params: { query: { stateUnderReview: ['KGZ'], position: ['noted'], limit: 10 } },
  });
  if (list.error) throw new Error(`${list.error.status}: ${list.error.detail}`);
  const first = list.data.data[0];
  if (!first) return { total: list.data.meta.total, first: null };

  const detail = await client.GET('/v1/recommendations/{id}', { params: { path: { id: first.id } } });
  if (detail.error) throw new Error(`${detail.error.status}: ${detail.error.detail}`);
  return {
    total: list.data.meta.total,
    first: {
      id: detail.data.id,
      text: detail.data.text,
      position: detail.data.position,
      recommendingStates: detail.data.recommendingStates.map((s) => s.id),
      assessments: detail.data.assessments.map((a) => `${a.assessedOn} ${a.status}`),
    },
  };
}

export async function missingRecommendation(baseUrl: string) {
  const client = createClient<paths, JsonMedia>({ baseUrl });
  const { error, response } = await client.GET('/v1/recommendations/{id}', { params: { path: { id: 'nope' } } });
  return { status: response.status, problem: error };
}
