import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { JsonSchema } from '../fuzz/arbitraries.js';
import { schemaArbitrary } from '../fuzz/arbitraries.js';

// Values for the conformance cases: those the seeded data holds (so that filters find records), the boundaries
// of each schema, and texts of every awkward kind of Unicode.

/** Texts a schema allows that tend to break what stores, indexes or compares them. */
export const UNICODE_TEXTS = [
  'Кыргызстан', // Cyrillic
  'حقوق الإنسان', // RTL
  'שלום\u200F', // RTL with a right-to-left mark
  'e\u0301\u0301\u0301', // combining marks
  'Z\u0351\u0360\u0361\u0489', // stacked combining marks
  '👩‍👩‍👧 🇰🇬', // ZWJ sequence, flag
  '\u0000', // NUL: refused, naming the parameter
  'a\u0000b',
  '\uD800', // lone surrogates: a URL cannot carry one (encodeURIComponent throws), a JSON body can
  'x\uDC00y',
  '\uFEFFbom',
  '  spaced  ',
  '\t\n',
  '%',
  "'; drop table recommendations; --",
];

export type RealValues = Record<string, string[]>;

/** Values the database holds, by parameter name (and `id:<resource>` for each resource's ids). */
export async function realValues(app: FastifyInstance): Promise<RealValues> {
  const list = async (url: string, field = 'id') =>
    ((await app.inject({ method: 'GET', url })).json().data as Record<string, unknown>[]).map((r) => String(r[field]));
  const values: RealValues = {};
  for (const resource of ['recommendations', 'developments', 'statements', 'reviews', 'states', 'assessments', 'sources']) {
    values[`id:${resource}`] = await list(`/v1/${resource}?limit=500`);
  }
  values['id:themes'] = await list('/v1/themes');
  const states = values['id:states']!;
  Object.assign(values, {
    stateUnderReview: ['KGZ', ...states.slice(0, 2)],
    recommendingState: ['FIN', 'GBR', 'United Kingdom', 'usa'],
    reviewId: ['KGZ-3', ...values['id:reviews']!.slice(0, 2)],
    recommendationId: values['id:recommendations']!.slice(0, 3),
    theme: values['id:themes']!.slice(0, 3),
    sdg: ['16', '5'],
    affectedPersons: (await list('/v1/affected-persons')).slice(0, 3),
    source: values['id:sources']!.slice(0, 3),
    speaker: ['IRL', 'state:USA', 'Human Rights Watch'],
    q: ['torture', 'human rights', 'Askarov', '"human rights defender"', 'tort*'],
    from: ['2020', '2020-07', '2020-07-25'],
    to: ['2020', '2020-09', '2021-12-31'],
    name: ['Kyrgyzstan', 'kyrgyz republic'],
    publisher: ['Human Rights Watch'],
    positionLabel: ['Supported', 'noted'],
    since: ['2020-01-01', '2020-01-01T00:00:00Z'],
    updatedSince: ['2020-01-01T00:00:00Z', '2030-01-01T00:00:00.000+02:00'],
  });
  return values;
}

/** A schema's item schema when it is a list (comma-separated or repeated), else the schema itself. */
export const itemSchema = (schema: JsonSchema): JsonSchema => (schema.type === 'array' ? (schema.items ?? {}) : schema);

/** `count` values drawn from `schema`, the same for a seed. */
export function sampled(schema: JsonSchema, seed: number, count: number): unknown[] {
  return fc.sample(schemaArbitrary(schema), { seed, numRuns: count });
}

/** The boundary values of a scalar schema: every enum value, min and max, the shortest and longest plain text. */
export function boundaries(schema: JsonSchema): string[] {
  if (schema.enum) return schema.enum.map(String);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.flatMap(boundaries);
  if (schema.type === 'integer' || schema.type === 'number') {
    return [schema.minimum, schema.maximum, schema.default].filter((n) => n !== undefined).map(String);
  }
  if (schema.type === 'string' && schema.pattern === undefined && schema.format === undefined) {
    const min = Math.max(schema.minLength ?? 0, 0);
    return [...new Set([min, Math.max(min, 1), schema.maxLength ?? 200])].map((n) => 'é'.repeat(n));
  }
  return [];
}

/** What violates each constraint of a scalar schema, one at a time: [constraint, value]. */
export function violations(schema: JsonSchema): [string, string][] {
  const found: [string, string][] = [];
  const alternatives = schema.anyOf ?? schema.oneOf;
  const plainText = (s: JsonSchema) => s.type === 'array' || (s.type === 'string' && !s.enum && !s.pattern && !s.format);
  if (alternatives && !alternatives.some(plainText)) found.push(['anyOf', 'matches-no-alternative!']);
  if (schema.enum) found.push(['enum', 'not-a-listed-value']);
  if (schema.type === 'integer' || schema.type === 'number') {
    found.push(['type', 'twelve'], ['type', '1e999'], ['type', '0x10']);
    if (schema.type === 'integer') found.push(['type', '1.5']);
    if (schema.minimum !== undefined) found.push(['minimum', String(schema.minimum - 1)]);
    if (schema.maximum !== undefined) found.push(['maximum', String(schema.maximum + 1)], ['maximum', '9'.repeat(40)]);
  }
  if (schema.type === 'string') {
    if (schema.minLength && schema.minLength > 0) found.push(['minLength', '']);
    if (schema.maxLength !== undefined) found.push(['maxLength', '9'.repeat(schema.maxLength + 1)]);
    if (schema.pattern !== undefined) found.push(['pattern', 'not/a/match!']);
    if (schema.format === 'date-time') found.push(['format', '2021-02-29T25:00:00Z']);
  }
  return found;
}
