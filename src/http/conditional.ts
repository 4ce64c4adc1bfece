import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/open.js';
import { currentRevision } from '../db/revision.js';
import { ifNoneMatchHits, recordEtag } from './etag.js';

/**
 * Answers one record with its ETag (its version and the data revision, `"v3-r17"`: the ETag to send back in
 * If-Match), or 304 without a body when If-None-Match already names it.
 */
export function sendRecord<T extends { version: number }>(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  record: T,
): T | FastifyReply {
  const etag = recordEtag(record.version, currentRevision(db));
  reply.header('etag', etag);
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return record;
}
