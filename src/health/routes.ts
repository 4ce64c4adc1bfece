import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Backend } from '../db/backend.js';
import { fileTroubleDetail } from '../db/database-files.js';
import { sendProblem, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { namePlugins } from '../http/plugin-name.js';

const statusSchema = z.object({ status: z.literal('ok') }).meta({ id: 'HealthStatus' });

/** The migrations to check, and the seconds a not-ready 503 asks to wait (PRESSURE_RETRY_AFTER_S, as a shed one). */
type HealthOptions = Pick<Backend, 'migrations' | 'fileTrouble'> & { retryAfterSeconds: number };

export const healthRoutes: FastifyPluginAsyncZod<HealthOptions> = async (app, { migrations, fileTrouble, retryAfterSeconds }) => {
  const { expected } = migrations;
  const notReady = (request: FastifyRequest, reply: FastifyReply, detail: string) =>
    sendProblem(request, reply.header('retry-after', String(retryAfterSeconds)), 503, detail);

  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness',
        description: 'The process is alive. Does not touch the database.',
        tags: ['operations'],
        response: { 200: jsonResponse(statusSchema, 'The process is alive.') },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness',
        description:
          'The database answers and every migration is applied; on SQLite, the database file the service opened is still ' +
          'the one at DATABASE_PATH (not removed, moved, replaced or truncated, nor its -wal or -shm removed).',
        tags: ['operations'],
        response: {
          200: jsonResponse(statusSchema, 'Ready to serve.'),
          503: {
            ...problemResponses(503)[503],
            description:
              'Not ready (the database does not answer, migrations are pending, or its SQLite file was removed or replaced), or the service is overloaded ' +
              '(load shedding): retry after `Retry-After` seconds.',
          },
        },
      },
    },
    async (request, reply) => {
      let applied: number;
      try {
        applied = await migrations.applied();
      } catch (error) {
        request.log.error({ err: error }, 'readiness check failed');
        return notReady(request, reply, 'The database does not answer.');
      }
      if (applied < expected) {
        return notReady(request, reply, `${applied} of ${expected} database migrations are applied.`);
      }
      // (After the database answered: a connection closed, the last of the process, removes its -wal itself.)
      const trouble = fileTrouble?.();
      if (trouble !== undefined) {
        request.log.error({ file: trouble.path }, `not ready: ${trouble.detail}`);
        return notReady(request, reply, fileTroubleDetail(trouble, 'Writes are refused.'));
      }
      return { status: 'ok' as const };
    },
  );
};

namePlugins(healthRoutes);
