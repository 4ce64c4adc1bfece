import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { type AppConfig, defaultConfig, warnOfExportSlots } from './config.js';
import type { Db } from './db/open.js';
import type { RevisionSource } from './db/revision.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { setFullTextLimits } from './db/fulltext.js';
import { healthRoutes } from './health/routes.js';
import { openApiInfo, openApiRoutes, transformOpenApiObject } from './http/openapi.js';
import { docsPageOptions } from './http/docs-page.js';
import { describeErrors, frameworkDetail, registerProblemHandlers, sendProblem } from './http/problem.js';
import { refusedPathParams } from './http/path-errors.js';
import { parseJsonBodies } from './http/json-body.js';
import { answerServerRefusals } from './http/client-errors.js';
import { checkpointAfterResponses, waitForImports } from './http/write-wait.js';
import { keepConnectionsWhileWriting } from './http/keep-connection.js';
import { limitConnections, limitConnectionsPerAddress } from './http/connection-limit.js';
import { cancelReadsWhenClientsLeave } from './db/pg/client-left.js';
import { ExportLimits } from './http/export-limits.js';
import { checkedSerializerCompiler, jsonSerializerCompiler } from './http/responses.js';
import { hardening, serverOptions } from './http/hardening.js';
import { refuseNulCharacters } from './http/nul-guard.js';
import { discardUnreadBodies } from './http/unread-body.js';
import { sendRequestIds } from './http/request-id.js';
import { logAnswer, logCutOffRequests } from './http/request-log.js';
import { authentication } from './auth/plugin.js';
import { curationRoutes } from './curation/plugin.js';
import { developmentRoutes } from './developments/routes.js';
import { recommendationRoutes } from './recommendations/routes.js';
import { relatedRoutes } from './related/routes.js';
import { reviewRoutes } from './reviews/routes.js';
import { stateRoutes } from './states/routes.js';
import { statementRoutes } from './statements/routes.js';
import { resolveStateFilters } from './states/filter-names.js';
import { resolveIdFilters } from './themes/filter-ids.js';
import { resolveSpeakerFilters } from './statements/speaker-filter.js';
import { checkRecommendationIdFilters } from './recommendations/id-filter.js';
import { themeRoutes } from './themes/routes.js';
import { sourceRoutes } from './sources/routes.js';
import crossCutting from './http/cross-cutting.js';
import statsRoutes from './stats/routes.js';
import { importRoutes } from './import/routes.js';
import { ImportSlots } from './import/slots.js';
import { type Backend, sqliteBackend } from './db/backend.js';
import { MAX_RECORD_ID } from './curation/ids.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /** The data revision behind ETags and the response cache (src/db/backend.ts). */
    dataRevision: RevisionSource;
    /** The absolute URL of the API root (PUBLIC_URL), for absolute URLs in responses. */
    publicUrl: string;
    /** The import slots (MAX_CONCURRENT_IMPORTS): imports running at once (src/import/slots.ts). */
    importSlots: ImportSlots;
  }
}

// Loaded at the first app on PostgreSQL (below), once: an import() asks the module loader (and its hooks) again.
let pgBackend: Promise<typeof import('./db/pg/backend.js')> | undefined;

/**
 * The service, ready to listen or to answer `inject()`; closing the app closes its database: SQLite at
 * databasePath, or PostgreSQL when databaseUrl is set (src/db/backend.ts).
 */
export async function buildApp(config: AppConfig): Promise<FastifyInstance> {
  const resolved = defaultConfig(config);
  const app = Fastify({
    // Logger (keys redacted), body limit, timeouts and TRUST_PROXY (curation issue: src/http/hardening.ts).
    ...serverOptions(resolved),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_RECORD_ID },
    // Errors the router raises before any route runs (a malformed URL, an overlong id) are problems too.
    // Such a request passes no hook, and Fastify logs none of them: its line is written here.
    frameworkErrors: (error, request, reply) => {
      reply.raw.once('finish', () => logAnswer(request, reply));
      const errors = refusedPathParams(app, request.method, request.url);
      const detail = errors.length > 0 ? describeErrors(errors) : frameworkDetail(error);
      return sendProblem(request, reply, error.statusCode ?? 400, detail, errors.length > 0 ? errors : undefined);
    },
  }).withTypeProvider<ZodTypeProvider>();
  const backend: Backend =
    config.databaseUrl === undefined
      ? sqliteBackend(config.databasePath, {
          busyTimeoutMs: resolved.databaseBusyTimeoutMs,
          openWaitMs: resolved.databaseOpenWaitMs,
          importThreadMinBytes: resolved.importThreadMinBytes,
          importThreadMaxHeapMb: resolved.importThreadMaxHeapMb,
          log: app.log,
        })
      : // Imported here: loading pg costs a SQLite start a tenth of its CPU (it builds a fetch Response to
        // detect Cloudflare, which has Node load its fetch implementation).
        await (await (pgBackend ??= import('./db/pg/backend.js'))).postgresBackend(
          config.databaseUrl,
          resolved.pgPoolMax,
          resolved.databaseBusyTimeoutMs,
          resolved.importThreadMinBytes,
          // Stale relations and documents brought up to date at start: said in the app's log.
          {
            log: app.log,
            waitMs: resolved.databaseOpenWaitMs,
            connectTimeoutMs: resolved.pgConnectTimeoutMs,
            readTimeoutMs: resolved.pgReadTimeoutMs,
            importThreadMaxHeapMb: resolved.importThreadMaxHeapMb,
          },
        );
  const { db } = backend;
  setFullTextLimits({
    maxTerms: resolved.fullTextMaxTerms,
    minPrefix: resolved.fullTextMinPrefix,
    maxCount: resolved.fullTextMaxCount,
  });
  app.decorate('db', db);
  app.decorate('dataRevision', backend.revision);
  app.decorate('publicUrl', resolved.publicUrl);
  app.decorate('exportLimits', new ExportLimits(resolved));
  warnOfExportSlots(resolved, app.log);
  app.decorate('importSlots', new ImportSlots(resolved.maxConcurrentImports, resolved.pressureRetryAfterSeconds));
  app.addHook('onClose', () => backend.close());

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(config.checkResponses ? checkedSerializerCompiler : jsonSerializerCompiler);
  // X-Request-Id on every answer, before any hook can refuse the request (src/http/request-id.ts).
  sendRequestIds(app);
  // A request whose connection closed before its answer was sent is logged too (src/http/request-log.ts).
  logCutOffRequests(app);
  const methodsAt = registerProblemHandlers(app);
  // JSON bodies: a refusal says where the JSON breaks or which key is refused (src/http/json-body.ts).
  parseJsonBodies(app);
  // What Node's server answers itself (a missing Host, an Expect it cannot meet, CONNECT) is a problem too.
  answerServerRefusals(app, methodsAt);
  // A response sent before its request body was read discards the rest: the connection's next request is read.
  discardUnreadBodies(app);
  // A write (an import) working past CONNECTION_TIMEOUT_MS keeps its connection until it answers.
  keepConnectionsWhileWriting(app);
  limitConnections(app, resolved.maxConnections);
  limitConnectionsPerAddress(app, resolved.maxConnectionsPerAddress);
  // SQLite: a write waits while an import writes from its thread (the reads are answered meanwhile).
  if (backend.writeGate !== undefined) waitForImports(app, backend.writeGate, backend.fileTrouble);
  // SQLite: the log that commits leave is checkpointed in a thread of its own (src/db/wal-thread.ts), after responses.
  if (backend.walCheckpoints !== undefined) checkpointAfterResponses(app, backend.walCheckpoints);
  // PostgreSQL: a read whose client left is cancelled, its connection not held to the end of its query.
  if (backend.kind === 'postgres') cancelReadsWhenClientsLeave(app);

  // ── Cross-cutting HTTP behaviour: CORS, compression, ETags and the response cache (exports issue) ──
  await app.register(crossCutting, { methodsAt });

  // ── Hardening and authentication: rate limits, security headers, load shedding, API keys (curation issue) ──
  await app.register(hardening, resolved);
  await app.register(authentication, { authenticate: backend.authenticate });
  // State filters take names and aliases: resolved to codes before the response cache looks (issue 10).
  const stateNames = resolveStateFilters(app, backend.stateNames);
  // Likewise theme, affected-persons and review ids, in any case; an unknown id is a 400 with close matches.
  const filterIds = resolveIdFilters(app, backend.filterIds);
  // And who spoke in a statement: a state as above, or an organization by its name in any case.
  resolveSpeakerFilters(app, stateNames, filterIds);
  // A recommendationId filter (developments, assessments) names stored recommendations: an unknown one is a 400.
  checkRecommendationIdFilters(app, backend.recommendationIds);
  // A NUL in a path, a query or a JSON body is a 400 before any route reads it (PostgreSQL's text cannot hold one).
  refuseNulCharacters(app);

  await app.register(swagger, {
    openapi: openApiInfo,
    transform: jsonSchemaTransform,
    transformObject: transformOpenApiObject,
  });
  await app.register(swaggerUi, await docsPageOptions(resolved.publicUrl));
  await app.register(openApiRoutes, { publicUrl: resolved.publicUrl });

  await app.register(healthRoutes, {
    migrations: backend.migrations,
    fileTrouble: backend.fileTrouble,
    retryAfterSeconds: resolved.pressureRetryAfterSeconds,
  });
  await app.register(recommendationRoutes, { store: backend.recommendations, prefix: '/v1' });
  await app.register(relatedRoutes, { store: backend.related, prefix: '/v1' });
  await app.register(stateRoutes, { store: backend.states, prefix: '/v1' });
  await app.register(reviewRoutes, { store: backend.reviews, prefix: '/v1' });
  await app.register(developmentRoutes, { store: backend.developments, prefix: '/v1' });
  await app.register(statementRoutes, { store: backend.statements, prefix: '/v1' });
  await app.register(themeRoutes, { store: backend.vocabularies, prefix: '/v1' });
  await app.register(sourceRoutes, { store: backend.sources, prefix: '/v1' });

  // ── Exports' siblings: statistics and review summaries (exports issue) ──
  await app.register(statsRoutes, { store: backend.stats, prefix: '/v1' });

  // ── Curation: write routes, history and the change feed (curation issue) ──
  await app.register(curationRoutes, {
    changes: backend.changes,
    recommendationWrites: backend.recommendationWrites,
    developmentWrites: backend.developmentWrites,
    statementWrites: backend.statementWrites,
    assessments: backend.assessments,
    assessmentWrites: backend.assessmentWrites,
    reviewWrites: backend.reviewWrites,
    stateWrites: backend.stateWrites,
    prefix: '/v1',
  });

  // ── The NGO dashboard: static files over the public API (dashboard issue) ──
  await app.register(dashboardRoutes);

  // ── Imports (import issue) ──
  await app.register(importRoutes, {
    run: backend.importFile,
    prefix: '/v1',
    bodyLimit: resolved.importBodyLimitBytes,
    limits: resolved.importLimits,
    slots: app.importSlots,
  });

  return app;
}
