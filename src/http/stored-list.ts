import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AnsweredAt } from '../db/revision.js';
import { answeredAt } from './cache.js';
import { exportChannel, type ExportEvent, nextExportNumber } from './export.js';
import {
  apiOrigin,
  BOM,
  CONTENT_TYPES,
  csvHeader,
  type CsvColumn,
  type Format,
  queryHas,
  responseFormat,
  setAttachment,
} from './formats.js';
import { encodeCursor, type KeyValue, setNextLink } from './pagination.js';
import { EncodedJson } from './responses.js';

// A list answered from stored documents read asynchronously (PostgreSQL): the JSON page, a limited CSV or
// NDJSON page, or the streamed export, with the same headers, Link, meta and export limits as answerList
// (src/http/export.ts) gives the synchronous SQLite store.

type ExportFormat = Exclude<Format, 'json'>;

/** What a resource's asynchronous store gives the answer. */
export interface AsyncDocuments {
  /** One page of the format's stored lines, with the keys after it when more follow. */
  page(format: ExportFormat, origin: string, limit: number, after: KeyValue[] | undefined): Promise<{ docs: string[]; nextKeys: KeyValue[] | null; stamp: string }>;
  /**
   * One JSON page: its documents joined by commas, the keys after it when more follow, and meta.total. A page
   * comes with the stamp of the revision it was read at (in its snapshot): the response's ETag names it.
   */
  jsonPage(limit: number, after: KeyValue[] | undefined): Promise<JsonPage>;
  /**
   * Every match's line, in chunks, from one snapshot; ending the iteration early releases it. `begun`, when given,
   * is told the stamp of the snapshot's revision once it begins (before the first chunk is read).
   */
  chunks(format: ExportFormat, origin: string, after: KeyValue[] | undefined, begun?: AnsweredAt): AsyncIterator<{ bytes: Buffer; rows: number }>;
}

export interface JsonPage {
  body: Buffer;
  nextKeys: KeyValue[] | null;
  total: { total: number; totalCapped?: true };
  stamp: string;
}

export interface AsyncListSpec {
  resource: string;
  bom: boolean | undefined;
  columns: readonly CsvColumn<never>[];
  sortName: string;
  after: KeyValue[] | undefined;
  limit: number;
  documents: AsyncDocuments;
}

const DATA_OPEN = Buffer.from('{"data":[');

function publish(event: ExportEvent): void {
  if (exportChannel.hasSubscribers) exportChannel.publish(event);
}

/** A streamed export: the next chunk is read only when the client has taken the previous one. */
class AsyncExportStream extends Readable {
  private rows = 0;
  private finished = false;
  private readonly number = nextExportNumber();

  constructor(
    private readonly chunks: AsyncIterator<{ bytes: Buffer; rows: number }>,
    private prefix: string,
    private readonly resource: string,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  // Each chunk is read in the request's context, whoever asks (the socket draining): on PostgreSQL, its query is
  // then cancelled if the client leaves (src/db/pg/client-left.ts).
  private readonly nextChunk = AsyncLocalStorage.bind(() => this.chunks.next());
  private readonly endChunks = AsyncLocalStorage.bind(() => this.chunks.return?.());

  /** The first chunk, read by begin() before the headers; pushed at the first _read. */
  private first: IteratorResult<{ bytes: Buffer; rows: number }> | undefined;

  /** Begins the snapshot (and reads the first chunk) now, before the headers are sent. */
  async begin(): Promise<void> {
    this.first = await this.nextChunk();
  }

  override _read(): void {
    const first = this.first;
    if (first) {
      this.first = undefined;
      return this.pushChunk(first);
    }
    this.nextChunk().then((next) => this.pushChunk(next), (error: Error) => this.destroy(error));
  }

  private pushChunk(next: IteratorResult<{ bytes: Buffer; rows: number }>): void {
    const head = Buffer.from(this.prefix);
    this.prefix = '';
    if (next.done) {
      this.finished = true;
      this.push(head);
      this.push(null);
      return;
    }
    this.rows += next.value.rows;
    publish({ event: 'chunk', export: this.number, resource: this.resource, rows: next.value.rows });
    if (!this.push(Buffer.concat([head, next.value.bytes]))) publish({ event: 'wait', export: this.number, resource: this.resource });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // An export ended early (client gone, time limit) releases its transaction and connection.
    void this.endChunks();
    publish({ event: 'close', export: this.number, resource: this.resource, rows: this.rows, complete: this.finished });
    callback(error);
  }
}

export async function answerAsyncList(request: FastifyRequest, reply: FastifyReply, spec: AsyncListSpec) {
  const format = responseFormat(request);
  const origin = apiOrigin(request);
  if (format === 'json') {
    const page = await spec.documents.jsonPage(spec.limit, spec.after);
    answeredAt(request, page.stamp);
    const nextCursor = page.nextKeys ? encodeCursor(spec.sortName, page.nextKeys) : null;
    setNextLink(request, reply, nextCursor);
    const meta = JSON.stringify({ ...page.total, limit: spec.limit, nextCursor });
    return reply.send(new EncodedJson(Buffer.concat([DATA_OPEN, page.body, Buffer.from(`],"meta":${meta}}`)])));
  }
  const prefix = format === 'csv' ? (spec.bom ? BOM : '') + csvHeader(spec.columns) : '';
  // A streamed export first takes an export slot, before any header of the download is set: none free is a
  // 503 problem, not an attachment.
  const streamed = request.method !== 'HEAD' && !queryHas(request, 'limit');
  // Without If-Match the snapshot begins with the first read; with it, before the headers (the ETag its revision's).
  let begunAt: string | undefined;
  const ifMatch = request.headers['if-match'] !== undefined;
  const begun = ifMatch ? (stamp: string) => void (begunAt = stamp) : undefined;
  const stream = streamed
    ? request.server.exportLimits.start(
        () => new AsyncExportStream(spec.documents.chunks(format, origin, spec.after, begun), prefix, spec.resource),
      )
    : undefined;
  if (stream && ifMatch) {
    try {
      await stream.begin();
      answeredAt(request, begunAt!);
    } catch (error) {
      stream.destroy();
      throw error;
    }
  }
  reply.type(CONTENT_TYPES[format]);
  setAttachment(reply, spec.resource, format);
  if (stream) return reply.send(stream);
  // A HEAD request gets the headers without running the export; with limit, the page is read for its Link
  // header (the HEAD answer has no body).
  if (request.method === 'HEAD' && !queryHas(request, 'limit')) return reply.send(Readable.from([]));
  const page = await spec.documents.page(format, origin, spec.limit, spec.after);
  answeredAt(request, page.stamp);
  setNextLink(request, reply, page.nextKeys ? encodeCursor(spec.sortName, page.nextKeys) : null);
  return reply.send(prefix + page.docs.join(''));
}
