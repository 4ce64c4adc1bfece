import { setImmediate } from 'node:timers/promises';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiKeyOf, requireScope } from '../auth/index.js';
import { IMPORT_BODY_LIMIT_DEFAULT } from '../config.js';
import { bearerSecurity } from '../curation/http.js';
import { HttpProblem, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import type { RunImport } from './run.js';
import { importQuery, importReportSchema } from './schemas.js';
import type { ImportLimits } from './limits.js';
import { ImportLimitError } from './limits.js';
import { ImportError } from './types.js';
import { namePlugins } from '../http/plugin-name.js';
import type { ImportSlot, ImportSlots } from './slots.js';

// POST /v1/imports: the command-line importers over HTTP, for dashboards. The file is the raw body (with
// its media type) or the one file of a multipart form; the answer is the import report.

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

/** The request body's schema; maxLength: the body limit of the route (in bytes; larger files are 413). */
const binary = (limit: number) => z.unknown().meta({ type: 'string', format: 'binary', maxLength: limit, description: 'The file.' });

/** A size for people: in MiB when a whole number of them, else in bytes. */
const sizeText = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`);

/**
 * A multipart form's bounds besides its file: the import reads no form field, so a few small ones are
 * tolerated (a client's "name" or "submit") and more, or larger, is 413 before they are buffered.
 */
export const MULTIPART_LIMITS = { fields: 10, fieldSize: 1024, fieldNameSize: 100, parts: 11, headerPairs: 20 } as const;
const BODY_SLICE_BYTES = 64 * 1024;

/** What a 413 says of a file beyond the route's limit: the setting, and the command line, which has none. */
function fileTooLarge(limit: number): string {
  return (
    `The file is larger than ${limit} bytes, the most an import over HTTP accepts (its IMPORT_BODY_LIMIT_BYTES ` +
    'setting): import a larger file with the command line, `npm run import -- FILE`, which has no such limit.'
  );
}

/** Room for those fields, the part headers and boundaries in a form's declared length. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export interface ImportRouteOptions {
  run: RunImport;
  /** The largest file taken (IMPORT_BODY_LIMIT_BYTES; its default without). */
  bodyLimit?: number;
  limits?: ImportLimits;
  /** Imports running at once (MAX_CONCURRENT_IMPORTS; src/import/slots.ts); unbounded without. */
  slots?: ImportSlots;
}

export const importRoutes: FastifyPluginAsyncZod<ImportRouteOptions> = async (app, { run, bodyLimit, limits, slots }) => {
  const limit = bodyLimit ?? IMPORT_BODY_LIMIT_DEFAULT;
  // The slot of each request that took one (see takeSlot).
  const taken = new WeakMap<FastifyRequest, ImportSlot>();
  /** After authorization, before the body is read: a slot, or a 503 problem when every one is taken. */
  const takeSlot = async (request: FastifyRequest, reply: FastifyReply) => {
    if (slots === undefined || reply.raw.closed) return;
    const slot = slots.take();
    taken.set(request, slot);
    // Emitted once the response is done, or the connection closed before that: the request lets go.
    reply.raw.once('close', slot.release);
  };
  // Only files: a JSON (or any other) body is 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...RAW_MEDIA_TYPES], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // fileHwm: each part's buffer holds a whole form. A part busboy skips (no Content-Disposition, not form-data,
  // a second file) is drained on the next tick; a chunk of it larger than its buffer (16 KiB by default) paused
  // the parser, and when that part ended the form (the closing boundary in the same chunk) nothing resumed it:
  // request.file() never settled and the request hung until the client gave up (the parser unpauses after a
  // part's end only while the form goes on: Dicer's unpause-after-backpressure bug, mscdex/dicer#9, in
  // @fastify/busboy 3.2.6). A buffer larger than any chunk the form can bring never pauses it; the file is
  // buffered whole anyway (toBuffer), and the form's length is bounded (below, and by fileSize).
  await app.register(multipart, {
    fileHwm: limit + MULTIPART_OVERHEAD_BYTES,
    limits: { ...MULTIPART_LIMITS, fileSize: limit, files: 1 },
  });

  app.post(
    '/imports',
    {
      preParsing: [requireScope('write'), takeSlot],
      bodyLimit: limit,
      config: { bodyLimitNote: fileTooLarge(limit) },
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
          `to ${sizeText(limit)}. The service runs a few imports at once: one more is answered 503 with ` +
          'Retry-After before its file is read.',
        tags: ['recommendations'],
        security: bearerSecurity,
        consumes: [...RAW_MEDIA_TYPES, 'multipart/form-data'],
        querystring: importQuery,
        body: binary(limit).optional(),
        response: {
          200: jsonResponse(importReportSchema, 'The import report (nothing was written with dryRun=true).'),
          ...problemResponses(400, 401, 403, 429, 507),
          ...described(
            503,
            'As many imports are running as the service runs at once (MAX_CONCURRENT_IMPORTS), or it is overloaded, or ' +
              'the database is busy with another write: nothing was written; retry after `Retry-After` seconds.',
          ),
          ...described(
            413,
            `The file is larger than ${sizeText(limit)}, the form has too many or too large fields, or the file ` +
              'exceeds an import limit (inflated size, XML elements, rows, row length), or importing it needs more memory than ' +
              'the import thread has (IMPORT_THREAD_MAX_HEAP_MB): nothing was written.',
          ),
          ...described(415, `The body is not a file: send ${RAW_MEDIA_TYPES.join(', ')} or multipart/form-data.`),
          ...described(
            422,
            'The file cannot be imported (not the format, unreadable, no review, no record the write API would accept): nothing was written.',
          ),
        },
      },
    },
    async (request) => {
      // The import holds its slot until it settles, even when its client is gone.
      const letGo = taken.get(request)?.hold();
      try {
        return await importRequest(request, request.query);
      } finally {
        letGo?.();
      }
    },
  );

  /** The file of a request, imported: the import report. */
  async function importRequest(request: FastifyRequest, query: z.infer<typeof importQuery>) {
    let bytes: Buffer;
    let name = 'upload';
    if (request.isMultipart()) {
      const file = await readMultipartFile(request, limit);
      bytes = file.bytes;
      name = file.name || name;
    } else {
      bytes = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
    }
    if (bytes.length === 0) throw new HttpProblem(400, 'The file is empty.');
    const { format, review, dryRun } = query;
    const file = {
      name,
      bytes,
      // In slices, with a turn of the event loop between them: reading a 20 MiB body does not stall the others.
      async *chunks() {
        for (let at = 0; at < bytes.length; at += BODY_SLICE_BYTES) {
          await setImmediate();
          yield bytes.subarray(at, at + BODY_SLICE_BYTES);
        }
      },
    };
    // A file beyond a limit is 413; one that cannot be imported 422, or 403 when it needs a scope the key
    // lacks (nothing was written either way); anything else is the server's fault.
    const { name: actor, scope } = apiKeyOf(request);
    return run(file, { format, review, dryRun, caller: 'http', actor, scope, limits }).catch((error: unknown) => {
      if (error instanceof ImportLimitError) throw new HttpProblem(413, error.message);
      throw error instanceof ImportError ? new HttpProblem(error.status, error.message) : error;
    });
  }
};

/** The one file of a multipart form; a form the parser cannot read (no boundary, cut off) is 400. */
async function readMultipartFile(request: FastifyRequest, limit: number): Promise<{ bytes: Buffer; name: string }> {
  // The whole form, when its length is declared: the file, the few small fields and their part headers.
  const declared = Number(request.headers['content-length']);
  if (declared > limit + MULTIPART_OVERHEAD_BYTES) {
    throw new HttpProblem(413, `The form is ${declared} bytes: larger than a file of ${limit} bytes and a few small fields.`);
  }
  try {
    const file = await request.file();
    if (!file) throw new HttpProblem(400, 'The multipart form has no file: send the file in one file field.');
    const truncated = Object.values(file.fields).find((field) => !Array.isArray(field) && field?.type === 'field' && field.valueTruncated);
    if (truncated) throw new HttpProblem(413, `A form field is longer than ${MULTIPART_LIMITS.fieldSize} bytes.`);
    return { bytes: await file.toBuffer(), name: file.filename };
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpProblem(413, fileTooLarge(limit));
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) throw error;
    throw new HttpProblem(400, `The multipart body cannot be read: ${(error as Error).message}.`);
  }
}

namePlugins(importRoutes);
