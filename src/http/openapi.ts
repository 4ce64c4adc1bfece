import type { FastifyPluginAsync } from 'fastify';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { stringify } from 'yaml';
import { GIVEN_ID } from './request-id.js';
import { EXPOSED_HEADERS } from './cross-cutting.js';
import { MEDIA_TYPES } from './formats.js';
import { UNSHED_PATHS } from './hardening.js';
import { MAX_RECORD_ID } from '../curation/ids.js';
import { LIST_ITEMS, LIST_MAX_ITEMS } from './params.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { PROBE_PATHS } from './probes.js';
import { namePlugins } from './plugin-name.js';
import { publicPathOf, underPublicPath } from './docs-page.js';

export const openApiInfo = {
  openapi: '3.1.0',
  info: {
    title: 'upr-tracker',
    version: '0.1.0',
    description:
      'An open API tracking the UN Universal Periodic Review: the recommendations states receive, the positions ' +
      'they take, and the dated, sourced developments and assessments that follow. Unknown facts are null, never ' +
      'guessed. Errors are RFC 9457 problem details (application/problem+json). A method a path does not take is ' +
      'a 405 problem whose Allow header lists those it does (not listed under each operation).',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  // x-internal: false: the API is meant for the public (OWASP API9 inventory). The server is a local instance
  // reached over loopback, hence http; deployments put TLS in front (.spectral.yaml narrows the https rule).
  // Relative: Swagger UI's "Try it out" and generated clients target whatever host serves the document.
  servers: [{ url: '/', description: 'The instance serving this document: local, staging or production alike', 'x-internal': false }],
  // Reading is public: no operation needs credentials unless it says so.
  security: [],
  components: {
    securitySchemes: {
      bearerAuth: {
        type: 'http' as const,
        scheme: 'bearer',
        description:
          'An API key, minted with `npm run keys -- create --name <name> --scope write|admin` and sent as ' +
          '`Authorization: Bearer <key>`. Writes need the write scope; reviews and states need admin.',
      },
    },
  },
  tags: [
    { name: 'recommendations', description: 'Recommendations made at UPR reviews, with positions and status.' },
    { name: 'developments', description: 'Dated, sourced follow-up events in reviewed states.' },
    { name: 'assessments', description: "Sourced judgements of a recommendation's implementation at a date." },
    { name: 'sources', description: 'The documents and pages facts cite, each with what cites it.' },
    { name: 'statements', description: 'What states and organizations said at a review beyond recommendations.' },
    { name: 'reviews', description: 'One review of one state in one UPR cycle.' },
    { name: 'states', description: 'UN member and observer states, with their regional groups.' },
    { name: 'themes', description: 'Theme, affected-persons and SDG vocabularies used to tag records.' },
    { name: 'stats', description: 'Counts for dashboards, under the same filters as the lists.' },
    { name: 'changes', description: 'The change feed: every write, deletions included, in commit order.' },
    { name: 'operations', description: 'Health and readiness probes.' },
  ],
};

/** The generated OpenAPI document, as committed in openapi.yaml, at /openapi.json and /openapi.yaml (its server
 * under PUBLIC_URL's path when it has one: src/http/docs-page.ts). */
export const openApiRoutes: FastifyPluginAsync<{ publicUrl: string }> = async (app, { publicUrl }) => {
  const publicPath = publicPathOf(publicUrl);
  app.get('/openapi.json', { schema: { hide: true } }, async () => underPublicPath(app.swagger(), publicPath));
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/yaml').send(publicPath === '' ? app.swagger({ yaml: true }) : stringify(underPublicPath(app.swagger(), publicPath), { strict: false })),
  );
};

type TransformObjectInput = Parameters<typeof jsonSchemaTransformObject>[0];

/**
 * The zod registry emits every named schema twice (as request input and as response output); keep only
 * the components that the document actually references.
 */
export function transformOpenApiObject(input: TransformObjectInput): ReturnType<typeof jsonSchemaTransformObject> {
  const document = jsonSchemaTransformObject(input) as { components?: { schemas?: Record<string, unknown> } };
  const schemas = document.components?.schemas;
  if (!schemas) return document as ReturnType<typeof jsonSchemaTransformObject>;
  const referenced = (value: unknown): string[] =>
    [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  const keep = new Set<string>();
  const pending = referenced({ ...document, components: undefined });
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (keep.has(name)) continue;
    keep.add(name);
    pending.push(...referenced(schemas[name]));
  }
  // In name order: the registry's is the order the modules were loaded in, which is not always the same (a
  // test shard loads other files' modules first), and the committed document must not depend on it.
  document.components!.schemas = Object.fromEntries(
    Object.entries(schemas)
      .filter(([name]) => keep.has(name))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  declareServiceUnavailable(document as { paths?: Record<string, Record<string, unknown>> });
  declareUnauthorized(document as { paths?: Record<string, Record<string, unknown>> });
  declarePathTooLong(document as { paths?: Record<string, Record<string, unknown>> });
  declareRateLimitHeaders(document);
  showListParametersAsArrays(document as { paths?: Record<string, Record<string, unknown>> });
  return document as ReturnType<typeof jsonSchemaTransformObject>;
}

type Parameter = { in?: string; schema?: Record<string, unknown> };

/**
 * A list-valued filter (src/http/params.ts) accepts a comma-separated text or repeated values; OpenAPI shows it
 * as what a client sends: an array of its items (repeated, the form style's default), with their enum values.
 */
function showListParametersAsArrays(document: { paths?: Record<string, Record<string, unknown>> } & object): void {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      for (const parameter of ((operation as { parameters?: Parameter[] })?.parameters ?? [])) {
        const items = parameter.schema?.[LIST_ITEMS];
        if (items) parameter.schema = { type: 'array', items, minItems: 1, maxItems: parameter.schema![LIST_MAX_ITEMS] ?? 100 };
      }
    }
  }
}

const RETRY = 'retry after `Retry-After` seconds.';
/** The 503 of an operation that declares none of its own: load shedding, and a full export slot for lists that stream. */
const SHED_DESCRIPTION = `The service is overloaded (load shedding): ${RETRY}`;
/** What a read of the API's data (GET /v1/…, every streamed export among them) may also meet (src/http/problem.ts). */
const READ_CAUSES =
  'or, on PostgreSQL, the database cannot be reached (restarting) or took longer than its read timeout (`PG_READ_TIMEOUT_MS`; nothing was changed), ' +
  'or, on SQLite, its file cannot be read (damaged, truncated)';
const READ_DESCRIPTION = `The service is overloaded (load shedding), ${READ_CAUSES}: ${RETRY}`;
const EXPORT_DESCRIPTION =
  'Every export slot is taken (MAX_CONCURRENT_EXPORTS; a CSV or NDJSON export without `limit`), the service ' +
  `is overloaded (load shedding), ${READ_CAUSES} or, for an export, no longer the one the service opened (see \`/readyz\`): ${RETRY}`;

type Responses = Record<string, Record<string, unknown>>;

/**
 * Every operation load shedding can reach (all but UNSHED_PATHS, src/http/hardening.ts) declares its 503 problem. One the route declares
 * itself says why (a busy database, readiness, the import slots) and mentions load shedding too (test/openapi);
 * any other gets the load-shedding one, with, for a read of the data, PostgreSQL's (unreachable, or past
 * PG_READ_TIMEOUT_MS), which a list that streams exports (its 200 offers NDJSON: src/http/export.ts,
 * stored-list.ts) extends with the full export slots.
 */
function declareServiceUnavailable(document: { paths?: Record<string, Record<string, unknown>> }): void {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (UNSHED_PATHS.has(path)) continue;
    for (const [method, operation] of Object.entries(item)) {
      const responses = (operation as { responses?: Responses })?.responses;
      if (!responses || responses['503']) continue;
      const exports = Boolean((responses['200']?.content as Record<string, unknown> | undefined)?.[MEDIA_TYPES.ndjson]);
      const read = method === 'get' && path.startsWith('/v1/');
      responses['503'] = {
        description: exports ? EXPORT_DESCRIPTION : read ? READ_DESCRIPTION : SHED_DESCRIPTION,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
  }
}

/**
 * Every operation declares a 401: one that needs no key still refuses a Bearer key that is wrong or revoked
 * (src/auth/plugin.ts). One that needs a key declares its own.
 */
function declareUnauthorized(document: { paths?: Record<string, Record<string, unknown>> }): void {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      const responses = (operation as { responses?: Responses })?.responses;
      if (!responses || responses['401']) continue;
      responses['401'] = {
        description:
          'The request sent a Bearer API key that is wrong, revoked or malformed (see `WWW-Authenticate`). This operation ' +
          'needs no key: send none, or a valid one.',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
  }
}

/**
 * Every operation with a path parameter declares the 414 the router answers for one longer than the longest id
 * (maxParamLength, src/app.ts), its problem naming the parameter (src/http/path-errors.ts).
 */
function declarePathTooLong(document: { paths?: Record<string, Record<string, unknown>> }): void {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      const { responses, parameters } = (operation ?? {}) as { responses?: Responses; parameters?: Parameter[] };
      if (!responses || !parameters?.some((p) => p.in === 'path')) continue;
      responses['414'] = {
        description: `A path parameter is longer than ${MAX_RECORD_ID} characters as sent (the longest id): \`errors\` names it.`,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
  }
}

// What allowAnyOrigin (src/http/cross-cutting.ts) sends on every response, and @fastify/rate-limit
// (src/http/hardening.ts, enableDraftSpec) on every response but the probes'.
const RESPONSE_HEADERS = {
  'Access-Control-Allow-Origin': {
    description:
      'CORS: any origin may read the response (open data; no credentials are involved); Access-Control-Expose-Headers ' +
      `lets a script read ${EXPOSED_HEADERS.join(', ')} too.`,
    schema: { type: 'string', const: '*' },
  },
  'RateLimit-Limit': {
    description: 'Requests allowed per window for this client (API key, else address; exports have their own).',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the current window ends.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 },
  },
  'X-Request-Id': {
    description:
      "The request's id, in the service's log lines about it: quote it when reporting a problem. The request's own " +
      'X-Request-Id when that is one token of letters, digits and `-._:@+=/` (at most 128 characters), else a new UUID.',
    // (A client's own, or a UUID: both match.)
    schema: { type: 'string', pattern: GIVEN_ID.source },
  },
};
const RATE_LIMITED_HEADER_NAMES = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const;

/**
 * Declares the CORS header and X-Request-Id on every 2xx, 4xx, 503 and 507 response, the RateLimit-* headers on the 2xx and 4xx of
 * rate-limited paths (all but the probes), and Retry-After on 429s and 503s.
 */
function declareRateLimitHeaders(document: {
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
}): void {
  if (!document.paths) return;
  document.components = { ...document.components, headers: RESPONSE_HEADERS };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item)) {
      const responses = (operation as { responses?: Record<string, { headers?: Record<string, unknown> }> })
        ?.responses;
      if (!responses) continue;
      for (const [status, response] of Object.entries(responses)) {
        if ('$ref' in response) continue;
        const names: string[] = [];
        if (/^[24]/.test(status)) {
          names.push('Access-Control-Allow-Origin', 'X-Request-Id');
          if (!PROBE_PATHS.has(path)) names.push(...RATE_LIMITED_HEADER_NAMES);
          if (status === '429') names.push('Retry-After');
        } else if (status === '503') {
          // Load shedding, a full export or import slot, a busy database: each says when to retry, and its
          // CORS headers are set before (allowAnyOrigin, the first onRequest hook). Not RateLimit-*: load
          // shedding answers before the limiter counts the request.
          names.push('Access-Control-Allow-Origin', 'X-Request-Id', 'Retry-After');
        } else if (status === '507') {
          // A full database: no retry time can be promised.
          names.push('Access-Control-Allow-Origin', 'X-Request-Id');
        } else continue;
        response.headers = {
          ...response.headers,
          ...Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }])),
        };
      }
    }
  }
}

namePlugins(openApiRoutes);
