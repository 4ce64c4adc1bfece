import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidParam } from './problem.js';
import { quoteGiven } from '../common/zod-messages.js';

// Opaque keyset cursors: the sort they were made for and the sort-key values of the last record returned.
// The next page starts strictly after those values, so records added meanwhile never shift a page.

export type KeyValue = string | number;

/**
 * What each value of a sort's key holds: text (an id, a date, a sort key), a count (a sequence number, a row
 * number), a rank (any finite number), or a row's key (text or a count: the relevance sort ends in the row's
 * id on PostgreSQL and its full-text row number on SQLite). A cursor is the client's to send back, so its
 * values are held to these before they reach a query: PostgreSQL refuses a NUL in text, a number where it
 * compares text or a fraction where it compares an integer, and SQLite would silently compare across types.
 */
export type KeyKind = 'text' | 'count' | 'rank' | 'rowKey';

const isText = (value: KeyValue) => typeof value === 'string' && !value.includes('\u0000');
const isCount = (value: KeyValue) => Number.isSafeInteger(value) && (value as number) >= 0;
const KEY_KINDS: Record<KeyKind, (value: KeyValue) => boolean> = {
  text: isText,
  count: isCount,
  rank: (value) => Number.isFinite(value),
  rowKey: (value) => isText(value) || isCount(value),
};

const cursorPayload = z.object({ s: z.string(), k: z.array(z.union([z.string(), z.number()])).min(1) });

export function encodeCursor(sort: string, keys: KeyValue[]): string {
  return Buffer.from(JSON.stringify({ s: sort, k: keys })).toString('base64url');
}

const malformedCursor = (cursor: string) =>
  invalidParam('query', 'cursor', `Malformed cursor ${quoteGiven(cursor)}: pass meta.nextCursor of a previous page unchanged.`);

export function decodeCursor(cursor: string | undefined, sort: string, kinds: readonly KeyKind[]): KeyValue[] | undefined {
  if (cursor === undefined) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformedCursor(cursor);
  }
  const parsed = cursorPayload.safeParse(payload);
  if (!parsed.success) throw malformedCursor(cursor);
  // Named first: another sort's keys are of other kinds (a relevance cursor's rank where a date is), which said only
  // "Malformed cursor".
  if (parsed.data.s !== sort) {
    throw invalidParam(
      'query',
      'cursor',
      `This cursor was made for another list or sort (${quoteGiven(parsed.data.s)}), not "${sort}": send it with the ` +
        'query whose page gave it (the same sort and filters), or leave it out to start from the first page.',
    );
  }
  const keys = parsed.data.k;
  if (keys.length !== kinds.length || !keys.every((key, i) => KEY_KINDS[kinds[i]!](key))) throw malformedCursor(cursor);
  return keys;
}

export const listMetaSchema = z.object({
  total: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' }).describe(
    'How many records match the filters, over all pages. For recommendations, counted once per data revision ' +
      'and filter and reused by the following pages of the same walk; any write makes it counted afresh.',
  ),
  totalCapped: z
    .boolean()
    .optional()
    .describe(
      'Present (true) when a full-text search matches more records than are counted (FULL_TEXT_MAX_COUNT): ' +
        'total is then that limit, a lower bound. The pages still reach every match.',
    ),
  limit: z.int().min(1).max(500).meta({ format: 'int32' }).describe('The page size used.'),
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` to get the next page; null on the last page.'),
});

const envelopes = new WeakMap<z.ZodType, Map<string, z.ZodType>>();

/**
 * The `{ data, meta }` schema of a list of `item`, registered as `id`: one per item and id, made at the first
 * app's registration and shared by the next (zod schemas are immutable; a test run builds hundreds of apps).
 */
export function listEnvelope<T extends z.ZodType>(item: T, id: string): ListEnvelope<T> {
  let byId = envelopes.get(item);
  if (byId === undefined) envelopes.set(item, (byId = new Map()));
  let envelope = byId.get(id) as ListEnvelope<T> | undefined;
  if (envelope === undefined) byId.set(id, (envelope = z.object({ data: z.array(item), meta: listMetaSchema }).meta({ id })));
  return envelope;
}
type ListEnvelope<T extends z.ZodType> = z.ZodObject<{ data: z.ZodArray<T>; meta: typeof listMetaSchema }>;

export interface Page<Row> {
  rows: Row[];
  total: number;
  /** total is a lower bound: a full-text count stopped at FULL_TEXT_MAX_COUNT. */
  totalCapped?: boolean;
  nextCursor: string | null;
}

/**
 * The path PUBLIC_URL puts before the API's own paths ("/api" for https://upr.example.org/api, "" for none): a
 * proxy serving the API under it strips it from requests, so a path the API answers with must have it back.
 */
export function publicPathPrefix(request: FastifyRequest): string {
  return new URL(request.server.publicUrl).pathname.replace(/\/+$/, '');
}

/** Sets the RFC 8288 `Link: <…>; rel="next"` header (relative to the request) when there is a next page. */
export function setNextLink(request: FastifyRequest, reply: FastifyReply, nextCursor: string | null): void {
  const link = nextLink(request, nextCursor);
  if (link !== null) reply.header('link', link);
}

/** A path of this request's URL with `name` set to `value`, as a client reaches it (see publicPathPrefix). */
export function requestPathWith(request: FastifyRequest, name: string, value: string): string {
  const url = new URL(request.url, 'http://placeholder');
  url.searchParams.set(name, value);
  return `${publicPathPrefix(request)}${url.pathname}${url.search}`;
}

/** The `Link: <…?cursor=…>; rel="next"` header of a page of this request's URL, or null on the last page. */
export function nextLink(request: FastifyRequest, nextCursor: string | null): string | null {
  if (nextCursor === null) return null;
  return `<${requestPathWith(request, 'cursor', nextCursor)}>; rel="next"`;
}

/** One keyset step: up to `limit` rows, and the sort keys to continue after when more rows follow. */
export interface Chunk<Row> {
  rows: Row[];
  nextKeys: KeyValue[] | null;
}

/**
 * Cuts a chunk from rows fetched with `limit + 1` (the extra row only says whether more follow), with the
 * sort keys of its last row to continue after: a list encodes them as its next cursor, an export resumes
 * its next chunk after them.
 */
export function sliceChunk<Row>(rows: Row[], limit: number, keysOf: (row: Row) => KeyValue[]): Chunk<Row> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextKeys: rows.length > limit && last ? keysOf(last) : null };
}
