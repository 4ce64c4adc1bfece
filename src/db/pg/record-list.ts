import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { EXPORT_CHUNK_ROWS } from '../../http/export.js';
import { csvRows, type CsvColumn, type Format, ndjsonRows } from '../../http/formats.js';
import type { Chunk, KeyValue } from '../../http/pagination.js';
import { answerAsyncList } from '../../http/stored-list.js';
import type { AnsweredAt } from '../revision.js';
import { pgLabelled } from './query.js';
import { type Pool, snapshotRead } from './rows.js';

// A list of records built from rows (reviews, states, themes, sources, …) on PostgreSQL, answered by
// src/http/stored-list.ts as the recommendations' stored documents are: each record encoded as its format's
// line here. An export reads keyset chunks of EXPORT_CHUNK_ROWS inside one repeatable-read transaction on a
// connection of its own (the database as it was when the export began), one chunk in memory at a time.

/** Who runs a query: the pool for a page, the export's own connection for its chunks. */
export type Reader = Pick<pg.Pool, 'query'>;

export interface RecordListSpec<Row> {
  resource: string;
  bom: boolean | undefined;
  columns: readonly CsvColumn<Row>[];
  sortName: string;
  after: KeyValue[] | undefined;
  limit: number;
  /** One keyset step of the list's query. */
  page(reader: Reader, limit: number, after: KeyValue[] | undefined): Promise<Chunk<Row>>;
  /**
   * An export's rows when it should not resume by keys from chunk to chunk (a full-text search, whose every
   * step would run the match again), read on the export's connection; undefined: by pages.
   */
  chunks?(client: pg.PoolClient, after: KeyValue[] | undefined, rows: number): AsyncGenerator<Row[], void, undefined> | undefined;
  /** The list's total, read by `reader` (the page's snapshot). */
  total(reader: Reader): Promise<ListTotal>;
}

/** A list's total: a number, or a capped one as { total, totalCapped }. */
export type ListTotal = number | { total: number; totalCapped?: true };

function lines<Row>(columns: readonly CsvColumn<Row>[], format: Exclude<Format, 'json'>, origin: string, rows: readonly Row[]): string[] {
  if (format === 'ndjson') return [ndjsonRows(rows)];
  return [csvRows(columns, rows, { origin })];
}

function snapshotChunks<Row>(
  pool: Pool,
  spec: RecordListSpec<Row>,
  format: Exclude<Format, 'json'>,
  origin: string,
  after: KeyValue[] | undefined,
  begun: AnsweredAt | undefined,
): AsyncGenerator<{ bytes: Buffer; rows: number }, void, undefined> {
  return snapshotRead(pool, async function* (client) {
    const rows = spec.chunks?.(client, after, EXPORT_CHUNK_ROWS);
    if (rows) {
      for await (const found of rows) yield { bytes: Buffer.from(lines(spec.columns, format, origin, found).join('')), rows: found.length };
      return;
    }
    for (let keys = after; ; ) {
      const chunk = await spec.page(client, EXPORT_CHUNK_ROWS, keys);
      if (chunk.rows.length > 0) yield { bytes: Buffer.from(lines(spec.columns, format, origin, chunk.rows).join('')), rows: chunk.rows.length };
      if (chunk.nextKeys === null) break;
      keys = chunk.nextKeys;
    }
  }, begun);
}

export function answerRecordList<Row>(pool: Pool, request: FastifyRequest, reply: FastifyReply, spec: RecordListSpec<Row>) {
  return answerAsyncList(request, reply, {
    resource: spec.resource,
    bom: spec.bom,
    columns: spec.columns as readonly CsvColumn<never>[],
    sortName: spec.sortName,
    after: spec.after,
    limit: spec.limit,
    documents: {
      page: async (format, origin, n, keys) => {
        // A page's rows and what they embed (a development's themes and links) from one snapshot, too.
        const chunk = await pgLabelled(pool, (client) => spec.page(client, n, keys));
        return { docs: lines(spec.columns, format, origin, chunk.rows), nextKeys: chunk.nextKeys, stamp: chunk.stamp };
      },
      jsonPage: async (n, keys) => {
        // The page and its total from one snapshot: read apart, a write committed between them gave a page and a
        // meta.total of two states of the data (a last page of 3 records under a total of 2).
        const { chunk, total, stamp } = await pgLabelled(pool, async (client) => ({ chunk: await spec.page(client, n, keys), total: await spec.total(client) }));
        return {
          body: Buffer.from(chunk.rows.map((row) => JSON.stringify(row)).join(',')),
          nextKeys: chunk.nextKeys,
          total: typeof total === 'number' ? { total } : total,
          stamp,
        };
      },
      chunks: (format, origin, keys, begun) => snapshotChunks(pool, spec, format, origin, keys, begun),
    },
  });
}
