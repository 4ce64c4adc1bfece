import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiKeyOf, requireScope } from '../auth/index.js';
import { bearerSecurity } from '../curation/http.js';
import type { Db } from '../db/open.js';
import { HttpProblem, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { importFile } from './run.js';
import { importQuery, importReportSchema } from './schemas.js';
import { ImportError } from './types.js';

// POST /v1/imports: the command-line importers over HTTP, for dashboards. The file is the raw body (with
// its media type) or the one file of a multipart form; the answer is the import report.

/** Largest file accepted (413 beyond): ten times the largest file of the Terman corpus. */
export const IMPORT_BODY_LIMIT_BYTES = 20 * 1024 * 1024;

export const RAW_MEDIA_TYPES = [
  'text/csv',
  'text/plain',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/octet-stream',
] as const;

/** A problem response with a description of its own. */
function described(status: number, description: string) {
  return { [status]: { ...problemResponses(status)[status], description } };
}

// maxLength: the body limit of the route (in bytes; larger files are 413).
const binary = z
  .unknown()
  .meta({ type: 'string', format: 'binary', maxLength: IMPORT_BODY_LIMIT_BYTES, description: 'The file.' });

export const importRoutes: FastifyPluginAsyncZod<{ db: Db; bodyLimit?: number }> = async (app, { db, bodyLimit }) => {
  const limit = bodyLimit ?? IMPORT_BODY_LIMIT_BYTES;
  // Only files: a JSON (or any other) body is 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...RAW_MEDIA_TYPES], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  await app.register(multipart, { limits: { fileSize: limit, files: 1 } });

  app.post(
    '/imports',
    {
      preParsing: requireScope('write'),
      bodyLimit: limit,
      schema: {
        operationId: 'importRecommendations',
        summary: 'Import a file of recommendations',
        description:
          'Imports one file in one transaction: an OHCHR matrix (.docx), a CSV of the Terman UPR corpus, or a CSV ' +
          'exported by GET /v1/recommendations. Send the file as the body with its media type (text/csv, the .docx ' +
          'media type or application/octet-stream) or as the one file of a multipart/form-data form. Records are ' +
          'created, updated in place or left unchanged by their stable ids; the report lists every row that could ' +
          'not be imported and why: every record is held to the write API\'s schemas and rules. With dryRun=true ' +
          'nothing is written. Needs a key with the write scope, and the admin scope when a review must be created ' +
          `(403 otherwise, as for POST /v1/reviews); files up ` +
          `to ${limit / 1024 / 1024} MiB.`,
        tags: ['recommendations'],
        security: bearerSecurity,
        consumes: [...RAW_MEDIA_TYPES, 'multipart/form-data'],
        querystring: importQuery,
        body: binary.optional(),
        response: {
          200: jsonResponse(importReportSchema, 'The import report (nothing was written with dryRun=true).'),
          ...problemResponses(400, 401, 403, 429),
          ...described(413, `The file is larger than ${limit / 1024 / 1024} MiB.`),
          ...described(415, `The body is not a file: send ${RAW_MEDIA_TYPES.join(', ')} or multipart/form-data.`),
          ...described(
            422,
            'The file cannot be imported (not the format, unreadable, no review, no record the write API would accept): nothing was written.',
          ),
        },
      },
    },
    async (request) => {
      let bytes: Buffer;
      let name = 'upload';
      if (request.isMultipart()) {
        const file = await request.file();
        if (!file) throw new HttpProblem(400, 'The multipart form has no file: send the file in one file field.');
        bytes = await file.toBuffer();
        name = file.filename || name;
      } else {
        bytes = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      }
      if (bytes.length === 0) throw new HttpProblem(400, 'The file is empty.');
      const { format, review, dryRun } = request.query;
      const file = {
        name,
        async *chunks() {
          yield bytes;
        },
      };
      // A file that cannot be imported is 422 (nothing was written); anything else is the server's fault.
      const { name: actor, scope } = apiKeyOf(request);
      return importFile(db, file, { format, review, dryRun, actor, scope }).catch((error: unknown) => {
        throw error instanceof ImportError ? new HttpProblem(error.status, error.message) : error;
      });
    },
  );
};
