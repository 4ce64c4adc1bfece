import diagnostics_channel from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/open.js';
import { currentStamp, readAnswered } from '../db/revision.js';
import { openSnapshot, type Snapshot } from '../db/snapshot.js';
import { answeredAt } from './cache.js';
import {
  apiOrigin,
  BOM,
  CONTENT_TYPES,
  csvHeader,
  csvRows,
  type CsvColumn,
  type CsvContext,
  type Format,
  ndjsonRows,
  queryHas,
  responseFormat,
  setAttachment,
} from './formats.js';
import { EncodedJson } from './responses.js';
import { youngGarbage } from './young-garbage.js';
import { refuseOnFileTrouble } from './write-wait.js';
import { type Chunk, encodeCursor, type KeyValue, type Page, setNextLink } from './pagination.js';

// CSV and NDJSON exports of a list: the same filter and the same keyset query as the list's pages, run in
// chunks inside one read snapshot and written into a stream that only produces the next chunk when the
// client has taken the previous one. Memory stays flat however many rows match, a slow client holds back
// the database reads instead of making the server buffer, and other requests are served between chunks.

/** Rows read per chunk of an export built row by row. */
export const EXPORT_CHUNK_ROWS = 250;

/** Rows per chunk of an export of stored lines (about 0.7 MB of CSV): one Buffer from SQLite each. */
export const STORED_CHUNK_ROWS = 1000;

/**
 * The stream's buffer for stored lines: more than one chunk, so that the next chunk is read from SQLite while
 * the socket (and the client, on another core) still takes the previous one, instead of only once it has
 * drained. (64 KiB, less than any chunk, made every chunk wait for the last to be written: the server and its
 * client took turns.) At most two chunks are held, about 1.5 MB of CSV or 3 MB of NDJSON.
 */
export const STORED_READ_AHEAD_BYTES = 1024 * 1024;

/**
 * Export progress, for tests and diagnostics: `chunk` after each chunk written ({ rows }), `wait` when the
 * stream's buffer is full and it waits for the client, `close` when the export ends or is abandoned.
 */
export const exportChannel = diagnostics_channel.channel('upr-tracker:export');

export type ExportEvent = { export: number; resource: string } & (
  | { event: 'chunk'; rows: number }
  | { event: 'wait' }
  | { event: 'close'; rows: number; complete: boolean }
);

let exportsStarted = 0;
/** A new export's number in this process (1, 2, …): its events carry it. */
export const nextExportNumber = () => ++exportsStarted;
/** How many exports this process has started: a listener that wants only later exports' events compares with it. */
export const exportsStartedSoFar = () => exportsStarted;

export interface ExportSpec<Row> {
  /** The resource name, for the file name: recommendations-2026-05-01.csv. */
  resource: string;
  format: Exclude<Format, 'json'>;
  bom: boolean | undefined;
  columns: readonly CsvColumn<Row>[];
  /** The sort the keys belong to, for the next cursor of a limited export. */
  sortName: string;
  /** Where to start (a decoded cursor), if given. */
  after: KeyValue[] | undefined;
  /** The requested limit; applies only when the query gives it. */
  limit: number;
  /** One keyset step of the list's query. */
  page: (db: Db, limit: number, after: KeyValue[] | undefined) => Chunk<Row>;
  /**
   * When an export should not resume by keys from chunk to chunk (a full-text search, whose every step would
   * run the match again: src/db/match-table.ts): every row after `after`, `rows` at a time, read from `db`
   * (the export's snapshot). Ending the iteration early releases what it holds.
   */
  chunks?: (db: Db, after: KeyValue[] | undefined, rows: number) => Iterator<Row[]> | undefined;
  /** For a resource with a read model: its stored documents, read instead of building every row. */
  stored?: StoredDocuments;
}

/** A list's stored documents (see src/recommendations/documents.ts). */
export interface StoredDocuments {
  /**
   * One page's body: its stored JSON documents joined by commas, between the two parts `envelope` gives
   * from the keys to continue after (null on the last page), as one Buffer.
   */
  page(
    db: Db,
    limit: number,
    after: KeyValue[] | undefined,
    envelope: (nextKeys: KeyValue[] | null) => [before: string, after: string],
  ): Buffer;
  /**
   * Every matching row's stored CSV row (for this origin) or NDJSON line, in order, in chunks of `rows`
   * matches, each as one Buffer.
   */
  chunks(
    db: Db,
    format: Exclude<Format, 'json'>,
    origin: string,
    after: KeyValue[] | undefined,
    rows: number,
  ): Iterator<{ bytes: Buffer; rows: number }>;
}

function publish(event: ExportEvent): void {
  if (exportChannel.hasSubscribers) exportChannel.publish(event);
}

/** The stream of one export: a chunk per turn of the event loop, only while the client keeps up. */
export class ExportStream<Row> extends Readable {
  private snapshot: Snapshot | undefined;
  private after: KeyValue[] | undefined;
  private started = false;
  private finished = false;
  private rows = 0;
  private readonly number = nextExportNumber();

  constructor(
    private readonly db: Db,
    private readonly spec: ExportSpec<Row>,
    private readonly context: CsvContext,
  ) {
    super({ highWaterMark: spec.stored ? STORED_READ_AHEAD_BYTES : 64 * 1024 });
    this.after = spec.after;
  }

  /**
   * Opens the snapshot now, before the headers are sent, and gives the stamp of the revision it shows: an
   * If-Match is evaluated against the rows the export will send (RFC 9110 §13.1.1), not the revision read before.
   */
  begin(): string {
    this.snapshot = openSnapshot(this.db);
    return currentStamp(this.snapshot.db);
  }

  // Readable calls _read again only after a push: one chunk at a time, each on its own turn of the event
  // loop, so that other requests are answered in between.
  override _read(): void {
    setImmediate(() => this.produce());
  }

  private chunks: Iterator<{ bytes: Buffer; rows: number }> | undefined;
  private rowChunks: Iterator<Row[]> | undefined;

  /** A push of stored lines: STORED_CHUNK_ROWS of them, joined by SQLite into one Buffer. */
  private produceStored(stored: StoredDocuments): void {
    let next: IteratorResult<{ bytes: Buffer; rows: number }>;
    try {
      this.snapshot ??= openSnapshot(this.db);
      this.chunks ??= stored.chunks(this.snapshot.db, this.spec.format, this.context.origin, this.after, STORED_CHUNK_ROWS);
      next = this.chunks.next();
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    let bytes = next.done ? Buffer.alloc(0) : next.value.bytes;
    if (!this.started) {
      this.started = true;
      if (this.spec.format === 'csv') {
        bytes = Buffer.concat([Buffer.from((this.spec.bom ? BOM : '') + csvHeader(this.spec.columns)), bytes]);
      }
    }
    if (next.done) {
      this.finished = true;
      this.push(bytes);
      this.push(null);
      return;
    }
    this.rows += next.value.rows;
    youngGarbage(bytes.length);
    publish({ event: 'chunk', export: this.number, resource: this.spec.resource, rows: next.value.rows });
    if (!this.push(bytes)) publish({ event: 'wait', export: this.number, resource: this.spec.resource });
  }

  private produce(): void {
    if (this.destroyed) return;
    if (this.spec.stored) return this.produceStored(this.spec.stored);
    let text: string;
    let chunk: Chunk<Row>;
    try {
      // The snapshot begins with the first read: a stream that is never read holds none.
      this.snapshot ??= openSnapshot(this.db);
      if (!this.started) this.rowChunks = this.spec.chunks?.(this.snapshot.db, this.after, EXPORT_CHUNK_ROWS);
      chunk = this.rowChunks ? this.nextRows(this.rowChunks) : this.spec.page(this.snapshot.db, EXPORT_CHUNK_ROWS, this.after);
      text = this.spec.format === 'csv' ? csvRows(this.spec.columns, chunk.rows, this.context) : ndjsonRows(chunk.rows);
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    if (!this.started) {
      this.started = true;
      if (this.spec.format === 'csv') text = (this.spec.bom ? BOM : '') + csvHeader(this.spec.columns) + text;
    }
    this.rows += chunk.rows.length;
    this.after = chunk.nextKeys ?? undefined;
    publish({ event: 'chunk', export: this.number, resource: this.spec.resource, rows: chunk.rows.length });
    const more = this.push(text);
    if (chunk.nextKeys === null) {
      this.finished = true;
      this.push(null);
    } else if (!more) {
      publish({ event: 'wait', export: this.number, resource: this.spec.resource });
    }
  }

  /** The next chunk of `rows`, as a keyset step gives it: its keys, not used, only there when more may follow. */
  private nextRows(rows: Iterator<Row[]>): Chunk<Row> {
    const next = rows.next();
    return next.done ? { rows: [], nextKeys: null } : { rows: next.value, nextKeys: [] };
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.chunks?.return?.();
    this.rowChunks?.return?.();
    this.snapshot?.close();
    publish({ event: 'close', export: this.number, resource: this.spec.resource, rows: this.rows, complete: this.finished });
    callback(error);
  }
}

/**
 * What `read` gives, read in one read transaction after the data revision's stamp (readAnswered), the response's
 * ETag labelled with that stamp (answeredAt): a page and its total of one state of the data, named by its ETag.
 */
export function readLabelled<T>(request: FastifyRequest, db: Db, read: () => T): T {
  return readAnswered(db, (stamp) => answeredAt(request, stamp), read);
}

/**
 * Answers a list request as CSV or NDJSON. Without `limit` in the query, the complete result, streamed from
 * a snapshot (starting after `cursor` when given); with `limit`, that one page, with a `Link: rel="next"`
 * header when more follow, as the JSON list does.
 */
export function sendExport<Row>(request: FastifyRequest, reply: FastifyReply, db: Db, spec: ExportSpec<Row>) {
  const context: CsvContext = { origin: apiOrigin(request) };
  // A streamed export first takes an export slot (src/http/export-limits.ts): none free is a 503 problem.
  const streamed = request.method !== 'HEAD' && !queryHas(request, 'limit');
  // Its snapshot opens DATABASE_PATH anew: a file replaced there would be read with the -wal of the one replaced.
  if (streamed) refuseOnFileTrouble(request, 'export', 'An export reads the file anew: it was refused.');
  const stream = streamed ? request.server.exportLimits.start(() => new ExportStream(db, spec, context)) : undefined;
  // Without If-Match the snapshot begins with the first read; with it, before the headers (the ETag its revision's).
  if (stream && request.headers['if-match'] !== undefined) {
    try {
      answeredAt(request, stream.begin());
    } catch (error) {
      stream.destroy();
      throw error;
    }
  }
  reply.type(CONTENT_TYPES[spec.format]);
  setAttachment(reply, spec.resource, spec.format);
  if (stream) return reply.send(stream);
  // A HEAD request gets the headers without running the export; with limit, the page is read for its Link
  // header (the HEAD answer has no body).
  if (request.method === 'HEAD' && !queryHas(request, 'limit')) return reply.send(Readable.from([]));
  // With limit: that one page.
  const prefix = spec.format === 'csv' ? (spec.bom ? BOM : '') + csvHeader(spec.columns) : '';
  const chunk = readLabelled(request, db, () => spec.page(db, spec.limit, spec.after));
  setNextLink(request, reply, chunk.nextKeys ? encodeCursor(spec.sortName, chunk.nextKeys) : null);
  const body = spec.format === 'csv' ? csvRows(spec.columns, chunk.rows, context) : ndjsonRows(chunk.rows);
  return reply.send(prefix + body);
}

export interface ListSpec<Row> extends Omit<ExportSpec<Row>, 'format'> {
  /** One page of the JSON list, with its total (without stored documents). */
  list?: () => Page<Row>;
  /** The list's meta.total (and totalCapped), with stored documents. */
  total?: () => Pick<Page<Row>, 'total' | 'totalCapped'>;
}

/**
 * Answers a list route in the negotiated format: one JSON page with its `Link` header, or the CSV/NDJSON
 * export of the same filter and sort. Every list handler ends here, so the two can never disagree.
 */
export function answerList<Row>(request: FastifyRequest, reply: FastifyReply, db: Db, spec: ListSpec<Row>) {
  const format = responseFormat(request);
  if (format !== 'json') return sendExport(request, reply, db, { ...spec, format });
  if (spec.stored) {
    // Stored documents, concatenated: no record is built or encoded here (the serializer writes the text as
    // it is; in tests it is still checked against the route's schema).
    let nextCursor: string | null = null;
    const body = readLabelled(request, db, () =>
      spec.stored!.page(db, spec.limit, spec.after, (nextKeys) => {
        nextCursor = nextKeys ? encodeCursor(spec.sortName, nextKeys) : null;
        return ['{"data":[', `],"meta":${JSON.stringify({ ...spec.total!(), limit: spec.limit, nextCursor })}}`];
      }),
    );
    setNextLink(request, reply, nextCursor);
    return reply.send(new EncodedJson(body));
  }
  const page = readLabelled(request, db, spec.list!);
  setNextLink(request, reply, page.nextCursor);
  const capped = page.totalCapped ? { totalCapped: true } : {};
  return { data: page.rows, meta: { total: page.total, ...capped, limit: spec.limit, nextCursor: page.nextCursor } };
}
