import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/open.js';
import { CACHE_CONTROL } from './cache.js';
import { ifNoneMatchHits, matchingTag, representationEtag } from './etag.js';
import { failedIfMatch } from './read-preconditions.js';
import { EncodedJson } from './responses.js';

/**
 * Answers one record with its ETag (its version, a digest of what it shows and the record, `"v3-r81985529216486-i1a2b3c4d"`: the
 * ETag to send back in If-Match) and the lists' Cache-Control, or 304 without a body when If-None-Match
 * already names it. The ETag depends on this record's representation alone: a write elsewhere that does not
 * change what it shows leaves it, and clients' revalidations keep getting 304.
 */
export function sendRecord<T extends { id: string; version: number }>(
  _db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  record: T,
): FastifyReply {
  const json = JSON.stringify(record);
  return sendRepresentation(request, reply, json, representationEtag(record.version, json, record.id));
}

/**
 * Answers JSON already encoded with its ETag and Cache-Control, or 304 when If-None-Match names the ETag; first
 * a 412 when If-Match names another (RFC 9110 §13.2.2). Both
 * say `Vary: accept-encoding` (lower case: compression adds it only when absent in that spelling): the body is
 * compressed or not by it, so a shared cache must not hand a plain copy's headers or a 304 to another client
 * as if they were the other coding's (RFC 9110 §15.4.5: a 304 sends the Vary a 200 would).
 */
export function sendRepresentation(request: FastifyRequest, reply: FastifyReply, json: string, etag: string): FastifyReply {
  const failed = failedIfMatch(request, etag);
  if (failed) throw failed;
  reply.header('etag', etag).header('cache-control', CACHE_CONTROL).header('vary', 'accept-encoding');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatchHits(ifNoneMatch, etag)) {
    // Echo the client's tag: it names the (possibly compressed) representation the client holds.
    return reply.code(304).header('etag', matchingTag(ifNoneMatch!, etag)).send();
  }
  return reply.send(new EncodedJson(json));
}
