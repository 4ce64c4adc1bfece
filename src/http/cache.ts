import type { OutgoingHttpHeaders } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Statement } from 'better-sqlite3';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import { presentsUnusableKey } from '../auth/plugin.js';
import type { Db } from '../db/open.js';
import { refreshPlannerStats, watchPlannerStats } from '../db/planner-stats.js';
import { currentStamp, type RevisionSource, revisionStamp, stampNumber } from '../db/revision.js';
import { ifNoneMatchHits, matchingTag, queryEtag } from './etag.js';
import { CONTENT_TYPES, type Format, queryHas, responseFormat } from './formats.js';
import { nextLink, setNextLink } from './pagination.js';
import { failedIfMatch } from './read-preconditions.js';

// HTTP caching of list, export and stats responses. Each carries a strong ETag made of the data revision's
// stamp (its number and token: src/db/revision.ts) and the normalised query, and `Cache-Control: public, max-age=60`; a matching If-None-Match is a 304
// before any query runs. A page is read with the stamp in one snapshot, and named by it (answeredAt). Serialized JSON bodies (and, once asked for, their brotli or gzip encodings) are
// kept as Buffers in a small in-process LRU cache keyed by revision stamp and normalised query, so that the
// dashboards' repeated queries cost a hash and a map lookup; a revalidation of a URL already answered at the
// current revision is a 304 straight from a URL → ETag map, before the query is even parsed.

/** Bytes of serialized JSON the response cache may hold. */
export const RESPONSE_CACHE_BYTES = 32 * 1024 * 1024;

export const CACHE_CONTROL = 'public, max-age=60';

/** Route opt-in: `config: { queryCache: { … } }` on a GET route whose response depends only on its query. */
export interface QueryCacheOptions {
  /** The formats the route negotiates (`?format=`, Accept); JSON only when absent. */
  formats?: readonly Format[];
  /** Fills in defaults the schema cannot express (a sort that depends on another parameter). */
  defaults?: (query: Record<string, unknown>) => Record<string, unknown>;
  /** List parameters whose order matters (stats' groupBy); other lists are sets. */
  ordered?: readonly string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    queryCache?: QueryCacheOptions;
  }
}

/**
 * The data revision, kept in memory and re-read only when the database may have changed: when this
 * connection wrote, which changes `total_changes()`, or when another connection (the import CLI, the seed
 * script) committed, which changes `PRAGMA data_version`. Reading data_version opens a read transaction
 * (WAL locks: system calls, about 8 µs against 0.4 for total_changes), so it is read once per turn of the
 * event loop: the requests answered in one turn see the database as it was at that turn's first look.
 */
export class RevisionTracker implements RevisionSource {
  private readonly changesProbe: Statement;
  private readonly versionProbe: Statement;
  private dataVersion = -1;
  private changes = -1;
  private stamped = revisionStamp(0, '');
  /** Whether data_version was read in this turn of the event loop. */
  private versionRead = false;
  private readonly nextTurn = () => {
    this.versionRead = false;
  };

  constructor(private readonly db: Db) {
    this.changesProbe = db.$client.prepare('select total_changes()').pluck();
    this.versionProbe = db.$client.prepare('select data_version from pragma_data_version').pluck();
    watchPlannerStats(db.$client);
  }

  current(): number {
    return stampNumber(this.stamp());
  }

  stamp(): string {
    const changes = this.changesProbe.get() as number;
    let changed = changes !== this.changes;
    if (!this.versionRead) {
      this.versionRead = true;
      setImmediate(this.nextTurn);
      const dataVersion = this.versionProbe.get() as number;
      changed ||= dataVersion !== this.dataVersion;
      // Another connection's commit (an import) may have brought new planner statistics.
      refreshPlannerStats(this.db.$client, dataVersion !== this.dataVersion);
      this.dataVersion = dataVersion;
    }
    if (changed) {
      this.changes = changes;
      this.stamped = currentStamp(this.db);
    }
    return this.stamped;
  }
}

export interface CachedResponse {
  /** The JSON body, encoded once. */
  body: Buffer;
  /** The cursor of the next page, for the `Link` header (rebuilt on each hit from the request's own URL). */
  nextCursor: string | null;
}

export type Encoding = 'br' | 'gzip';

/** A cached response, with its body compressed per content coding once a client asked for that coding. */
export interface CacheEntry extends CachedResponse {
  readonly key: string;
  readonly encoded: Partial<Record<Encoding, Buffer>>;
  bytes: number;
}

/**
 * A least-recently-used cache of serialized responses, bounded in bytes. It holds one revision (stamp) at a
 * time: storing a response of another revision first empties it, and a lookup names the revision it wants,
 * so another revision's response is never served.
 */
export class ResponseCache {
  private readonly entries = new Map<string, CacheEntry>();
  private revision = '';
  private used = 0;

  constructor(readonly maxBytes: number = RESPONSE_CACHE_BYTES) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(revision: string, key: string): CacheEntry | undefined {
    if (revision !== this.revision) return undefined;
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(revision: string, key: string, response: CachedResponse): void {
    if (revision !== this.revision) {
      this.entries.clear();
      this.used = 0;
      this.revision = revision;
    }
    const bytes = response.body.length + 2 * key.length + 2 * (response.nextCursor?.length ?? 0) + 64;
    // One response may take at most a quarter of the cache, so a huge page cannot flush everything else.
    if (bytes > this.maxBytes / 4) return;
    this.delete(key);
    this.entries.set(key, { ...response, key, encoded: {}, bytes });
    this.used += bytes;
    this.evict();
  }

  /** Keeps a compressed variant of an entry, if the entry is still cached. */
  addEncoded(entry: CacheEntry, encoding: Encoding, body: Buffer): void {
    if (this.entries.get(entry.key) !== entry) return;
    entry.encoded[encoding] = body;
    entry.bytes += body.length;
    this.used += body.length;
    this.evict();
  }

  private evict(): void {
    for (const [oldest] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.bytes;
  }
}

/**
 * The query as a canonical string: parameters sorted by name, list values deduplicated and sorted (a
 * record matches any of them, so their order does not matter) unless the route says their order matters,
 * defaults applied, the negotiated format in
 * place of `?format=`, `bom` only for CSV and `limit` only when it applies (an export without one is
 * complete).
 */
export function normaliseQuery(
  route: string,
  params: unknown,
  query: Record<string, unknown>,
  format: Format,
  limitGiven: boolean,
  options: QueryCacheOptions = {},
): string {
  const all: Record<string, unknown> = { ...query, ...options.defaults?.(query), format };
  if (format !== 'csv' || all.bom !== true) delete all.bom;
  if (format !== 'json' && !limitGiven) delete all.limit;
  const entries = Object.keys(all)
    .filter((key) => all[key] !== undefined)
    .sort()
    .map((key) => {
      const value = all[key];
      const ordered = options.ordered?.includes(key) === true;
      return [key, Array.isArray(value) && !ordered ? [...new Set(value.map(String))].sort() : value];
    });
  return JSON.stringify([route, params, entries]);
}

/** Bodies smaller than this are sent uncompressed (as @fastify/compress does by default). */
export const COMPRESS_THRESHOLD = 1024;

/**
 * The content coding to answer in: brotli, else gzip, as the Accept-Encoding header allows. `x-gzip` is gzip (RFC
 * 9110 §8.4.1.3), and so is `*`, as @fastify/compress reads both: a cached response went uncoded where a first one
 * was gzip (x-gzip), or brotli (`*`, `gzip;q=0.5, *`), the same URL and headers answered in two codings.
 */
export function acceptedEncoding(header: string | undefined): Encoding | undefined {
  if (header === undefined) return undefined;
  const allowed = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim());
    const coding = name === 'x-gzip' || name === '*' ? 'gzip' : name;
    const q = params.find((p) => p.startsWith('q='));
    allowed.set(coding, Math.max(allowed.get(coding) ?? 0, q === undefined ? 1 : Number(q.slice(2)) || 0));
  }
  const quality = (coding: Encoding) => allowed.get(coding) ?? 0;
  if (quality('br') > 0 && quality('br') >= quality('gzip')) return 'br';
  if (quality('gzip') > 0) return 'gzip';
  return undefined;
}

function compress(encoding: Encoding, body: Buffer): Buffer {
  return encoding === 'br'
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })
    : gzipSync(body);
}

/** The cursor in a `Link: <…?cursor=…>; rel="next"` header set by setNextLink. */
function cursorOf(link: string): string | null {
  return new URL(link.slice(1, link.indexOf('>')), 'http://link').searchParams.get('cursor');
}

type PreParsingDone = (error: null, payload: unknown) => void;

const NO_CACHE = /\bno-cache\b/i;

/** Whether the request asks for a response made afresh (`Cache-Control: no-cache`, a reload). */
function asksAfresh(request: FastifyRequest): boolean {
  const header = request.headers['cache-control'];
  return header !== undefined && NO_CACHE.test(header);
}

interface Pending {
  revision: string;
  key: string;
}

/** The ETag last computed for a URL, valid while the data revision (stamp) is the one it was computed at. */
interface KnownTag {
  revision: string;
  etag: string;
  vary: string;
  /** A JSON response's key in the response cache. */
  key?: string;
  /** Its Link header (null: none), once a cached response was served for this URL. */
  link?: string | null;
}

/** URLs whose ETag is remembered, at most (the map empties when full, or when the revision changes). */
export const KNOWN_TAGS = 10_000;
/**
 * …and the memory they may take: a URL and its Accept header are up to 16 KiB together (the HTTP parser's
 * limit), so 10,000 of them held 150 MB (10,000 requests with Accept headers of 15 KB each took a server from
 * 250 to 438 MB). Ordinary URLs and Accept headers, a few hundred bytes, fill 10,000 entries well within it.
 */
export const KNOWN_TAGS_BYTES = 8 * 1024 * 1024;

/**
 * A URL → ETag map for revalidations: the ETag of a route's response depends only on the route, its
 * query, the Accept header (the negotiated format) and the data revision, so a request for a URL already
 * answered at the current revision, with the same Accept, has the same ETag, and a matching If-None-Match is
 * a 304 before the query is parsed, validated or normalised.
 */
export class KnownTags {
  private readonly tags = new Map<string, KnownTag>();
  private revision = '';
  private used = 0;

  constructor(
    readonly maxEntries: number = KNOWN_TAGS,
    readonly maxBytes: number = KNOWN_TAGS_BYTES,
  ) {}

  /** The memory its entries take, about: two bytes a character, the URL twice (a hit's Link header is made from it). */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.tags.size;
  }

  static key(request: FastifyRequest): string {
    return `${request.url}\n${request.headers.accept ?? ''}`;
  }

  get(revision: string, key: string): KnownTag | undefined {
    return revision === this.revision ? this.tags.get(key) : undefined;
  }

  set(key: string, tag: KnownTag): void {
    const bytes = 2 * (2 * key.length + (tag.key?.length ?? 0) + tag.etag.length + tag.vary.length) + 64;
    if (tag.revision !== this.revision || this.tags.size >= this.maxEntries || this.used + bytes > this.maxBytes) {
      this.tags.clear();
      this.used = 0;
      this.revision = tag.revision;
    }
    if (!this.tags.has(key)) this.used += bytes;
    this.tags.set(key, tag);
  }
}

/** How to label a request's response with the revision its data was read at (answerAt sets it). */
const relabels = new WeakMap<FastifyRequest, (stamp: string) => void>();

/**
 * Names, in the response's ETag (and its response cache entry), the revision a list's data was read at: the
 * stamp read in the snapshot the page was read in. The ETag made before the query, from the revision read then
 * (for the 304 that runs no query), named the revision before a write committed in between while the page held
 * the write. Throws the 412 when the request's If-Match held for that ETag and not for the page's. Nothing to do
 * for a request the query cache does not answer.
 */
export function answeredAt(request: FastifyRequest, stamp: string): void {
  relabels.get(request)?.(stamp);
}

/** Runs `then` with the data revision's stamp: at once when the source has it in memory (SQLite), else when read. */
function withRevision(source: RevisionSource, done: HookHandlerDoneFunction, then: (revision: string) => void): void {
  const revision = source.stamp();
  if (typeof revision === 'string') then(revision);
  else revision.then(then, done);
}

/** Answers 304 when If-None-Match names the current ETag (sent under any content coding); else false. */
function notModified(request: FastifyRequest, reply: FastifyReply, etag: string, vary: string): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch === undefined || !ifNoneMatchHits(ifNoneMatch, etag)) return false;
  // Echo the client's tag: it names the (possibly compressed) representation the client holds.
  reply.header('vary', vary).header('etag', matchingTag(ifNoneMatch, etag)).header('cache-control', CACHE_CONTROL);
  reply.code(304).send();
  return true;
}

/**
 * Adds the hooks, to each opted-in route (route hooks: no per-request lookup of the route's options): before
 * anything else, a 304 for a revalidation of a URL whose ETag is known; before the handler, the ETag,
 * Cache-Control and Vary headers, a 304 for a current If-None-Match, or the cached JSON; after it, the JSON
 * body into the cache, as a Buffer (sent as it is).
 */
export function registerQueryCache(app: FastifyInstance, tracker: RevisionSource, maxBytes = RESPONSE_CACHE_BYTES): ResponseCache {
  const cache = new ResponseCache(maxBytes);
  const known = new KnownTags();
  const inMemory = tracker instanceof RevisionTracker;
  const pending = new WeakMap<FastifyRequest, Pending>();

  function revalidate(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    // A wrong or revoked key is refused later (after the rate limiter), never answered 304 here; an If-Match is
    // evaluated first (answerAt).
    const { 'if-none-match': ifNoneMatch, 'if-match': ifMatch } = request.headers;
    if (ifNoneMatch === undefined || ifMatch !== undefined || presentsUnusableKey(request)) return done();
    withRevision(tracker, done, (revision) => {
      const tag = known.get(revision, KnownTags.key(request));
      if (tag !== undefined && notModified(request, reply, tag.etag, tag.vary)) return;
      done();
    });
  }

  function answerFromCache(
    url: string,
    options: QueryCacheOptions,
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    // Lower-case accept-encoding: @fastify/compress adds it only when absent in that spelling.
    const vary = options.formats ? 'Accept, accept-encoding' : 'accept-encoding';
    reply.header('vary', vary);
    const format = options.formats ? responseFormat(request, options.formats) : 'json';
    const key = normaliseQuery(
      url,
      request.params,
      request.query as Record<string, unknown>,
      format,
      queryHas(request, 'limit'),
      options,
    );
    withRevision(tracker, done, (revision) => answerAt(revision, key, vary, format, request, reply, done));
  }

  function answerAt(
    revision: string,
    key: string,
    vary: string,
    format: Format,
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    const etag = queryEtag(revision, key);
    known.set(KnownTags.key(request), format === 'json' ? { revision, etag, vary, key } : { revision, etag, vary });
    reply.header('etag', etag).header('cache-control', CACHE_CONTROL);
    const failed = failedIfMatch(request, etag);
    if (failed) return done(failed);
    if (notModified(request, reply, etag, vary)) return;
    relabels.set(request, (stamp) => {
      if (stamp === revision) return;
      const relabelled = queryEtag(stamp, key);
      // If-Match held for the revision read before the query, not necessarily for the one the page holds (RFC
      // 9110 §13.1.1: it is evaluated against the representation selected): a write committed in between.
      const stale = failedIfMatch(request, relabelled);
      if (stale) throw stale;
      reply.header('etag', relabelled);
      const entry = pending.get(request);
      if (entry) entry.revision = stamp;
    });
    if (format !== 'json') return done();
    // `Cache-Control: no-cache` (a reload) asks for a response made afresh; it still refreshes the cache.
    const hit = asksAfresh(request) ? undefined : cache.get(revision, key);
    if (!hit) {
      pending.set(request, { revision, key });
      return done();
    }
    setNextLink(request, reply, hit.nextCursor);
    sendCached(request, reply, hit);
  }

  /**
   * Before the query is validated, normalised and hashed (after the rate limiter, an onRequest hook): the
   * cached JSON of a URL already answered at the current revision, with the same Accept, as answerFromCache
   * would send it.
   */
  function serveKnown(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: PreParsingDone): void {
    // On PostgreSQL the revision is a database read: answerFromCache makes it, once per request (not here as
    // well, where its answer would go unused, and its failure, the database gone, unhandled).
    if (!inMemory || asksAfresh(request) || request.headers['if-match'] !== undefined) return done(null, payload);
    const revision = tracker.stamp() as string;
    const tag = known.get(revision, KnownTags.key(request));
    const hit = tag?.key === undefined ? undefined : cache.get(revision, tag.key);
    if (!hit) return done(null, payload);
    reply.header('vary', tag!.vary).header('etag', tag!.etag).header('cache-control', CACHE_CONTROL);
    tag!.link ??= nextLink(request, hit.nextCursor);
    if (tag!.link !== null) reply.header('link', tag!.link);
    sendCached(request, reply, hit);
  }

  /**
   * Writes a cached response straight to the socket, in one writeHead and end: the headers the hooks so far
   * set (security, CORS, rate limit, this cache's), the body as stored. The reply is hijacked, so no onSend
   * hook runs (compress, the ETag's coding suffix, keepInCache have nothing to do for it: the coding and its
   * suffix are set here); Fastify still logs the request when the response finishes.
   */
  function sendCached(request: FastifyRequest, reply: FastifyReply, hit: CacheEntry): void {
    const headers = reply.getHeaders();
    headers['content-type'] = CONTENT_TYPES.json;
    let body = hit.body;
    const encoding = body.length < COMPRESS_THRESHOLD ? undefined : acceptedEncoding(request.headers['accept-encoding']);
    if (encoding !== undefined) {
      let encoded = hit.encoded[encoding];
      if (!encoded) {
        encoded = compress(encoding, body);
        cache.addEncoded(hit, encoding, encoded);
      }
      body = encoded;
      headers['content-encoding'] = encoding;
      headers.etag = `${(headers.etag as string).slice(0, -1)}-${encoding}"`;
    }
    headers['content-length'] = body.length;
    reply.hijack();
    reply.raw.writeHead(200, headers as OutgoingHttpHeaders);
    reply.raw.end(body);
  }

  function keepInCache(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done: (error: null, payload: unknown) => void,
  ): void {
    const entry = pending.get(request);
    if (entry && reply.statusCode === 200 && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
      const link = reply.getHeader('link');
      cache.set(entry.revision, entry.key, { body, nextCursor: typeof link === 'string' ? cursorOf(link) : null });
      return done(null, body);
    }
    done(null, payload);
  }

  app.addHook('onRoute', (route: RouteOptions) => {
    const options = route.config?.queryCache;
    if (!options) return;
    const preHandler = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) =>
      answerFromCache(route.url, options, request, reply, done);
    route.onRequest = [revalidate, ...[route.onRequest ?? []].flat()] as RouteOptions['onRequest'];
    route.preParsing = [serveKnown, ...[route.preParsing ?? []].flat()] as RouteOptions['preParsing'];
    route.preHandler = [preHandler, ...[route.preHandler ?? []].flat()] as RouteOptions['preHandler'];
    route.onSend = [keepInCache, ...[route.onSend ?? []].flat()] as RouteOptions['onSend'];
  });

  return cache;
}

/**
 * An `onRoute` hook to add after @fastify/compress: on every route, a compressed response's strong ETag names
 * its content coding (`"r17-…-gzip"`, a record's `"v3-r…-i…-gzip"`), so that it differs per representation, as
 * RFC 9110 §8.8.3 asks (a record's gzip and plain bodies had one strong ETag); If-None-Match and If-Match
 * comparisons ignore the suffix. A weak one (the dashboard's static files') may name both codings, and
 * @fastify/static compares it as it made it.
 */
export function etagPerEncoding(routeOptions: RouteOptions): void {
  const onSend = (_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (e: null, p: unknown) => void) => {
    const etag = reply.getHeader('etag');
    const encoding = reply.getHeader('content-encoding');
    if (typeof etag === 'string' && !etag.startsWith('W/') && typeof encoding === 'string') {
      reply.header('etag', `${etag.slice(0, -1)}-${encoding}"`);
    }
    done(null, payload);
  };
  routeOptions.onSend = [...[routeOptions.onSend ?? []].flat(), onSend] as RouteOptions['onSend'];
}
