import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/open.js';
import { CACHE_CONTROL } from './cache.js';
import { ifNoneMatchHits, representationEtag } from './etag.js';
import { EncodedJson } from './responses.js';

/**
 * Answers one record with its ETag (its version and a digest of what it shows, `"v3-r81985529216486"`: the
 * ETag to send back in If-Match) and the lists' Cache-Control, or 304 without a body when If-None-Match
 * already names it. The ETag depends on this record's representation alone: a write elsewhere that does not
 * change what it shows leaves it, and clients' revalidations keep getting 304.
 */
export function sendRecord<T extends { version: number }>(
  _db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  record: T,
): FastifyReply {
  const json = JSON.stringify(record);
  return sendRepresentation(request, reply, json, representationEtag(record.version, json));
}

/** Answers JSON already encoded with its ETag and Cache-Control, or 304 when If-None-Match names the ETag. */
export function sendRepresentation(request: FastifyRequest, reply: FastifyReply, json: string, etag: string): FastifyReply {
  reply.header('etag', etag).header('cache-control', CACHE_CONTROL);
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.send(new EncodedJson(json));
}
