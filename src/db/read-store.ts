import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerList } from '../http/export.js';
import type { CsvColumn } from '../http/formats.js';
import type { Chunk, KeyValue, Page } from '../http/pagination.js';
import type { Db } from './open.js';

// The seam between a read resource's routes (reviews, states, themes, sources, …) and a database, as
// src/recommendations/store.ts is for the recommendations: the routes validate and decode, then ask the store.
// SQLite's (here) calls the resource's synchronous query functions; PostgreSQL's is src/db/pg/read-store.ts.

/** A list request, validated: the filter, the resolved sort, the decoded cursor. */
export interface ListQuery<Filter, Sort extends { name: string } = { name: string }> {
  filter: Filter;
  sort: Sort;
  after: KeyValue[] | undefined;
  limit: number;
  bom: boolean | undefined;
}

export interface ReadStore<Filter, Detail, Sort extends { name: string } = { name: string }> {
  /** Answers the list route: a JSON page, or its CSV/NDJSON export. */
  list(request: FastifyRequest, reply: FastifyReply, query: ListQuery<Filter, Sort>): unknown;
  /** One record, or undefined. */
  get(id: string): Promise<Detail | undefined>;
}

/** What a list is called and how its CSV reads. */
export interface ListShape<Row> {
  resource: string;
  columns: readonly CsvColumn<Row>[];
}

export interface SqliteReads<Filter, Sort, Row, Detail> {
  page(db: Db, f: Filter, sort: Sort, limit: number, after: KeyValue[] | undefined): Chunk<Row>;
  list(db: Db, f: Filter, sort: Sort, limit: number, after: KeyValue[] | undefined): Page<Row>;
  get(db: Db, id: string): Detail | undefined;
  /** An export's rows when it should not resume by keys from chunk to chunk (ExportSpec.chunks); undefined: by pages. */
  chunks?(db: Db, f: Filter, sort: Sort, after: KeyValue[] | undefined, rows: number): Iterator<Row[]> | undefined;
}

export function sqliteReadStore<Filter, Sort extends { name: string }, Row, Detail>(
  db: Db,
  shape: ListShape<Row>,
  reads: SqliteReads<Filter, Sort, Row, Detail>,
): ReadStore<Filter, Detail, Sort> {
  return {
    list: (request, reply, { filter, sort, after, limit, bom }) =>
      answerList(request, reply, db, {
        resource: shape.resource,
        bom,
        columns: shape.columns,
        sortName: sort.name,
        after,
        limit,
        page: (from, n, keys) => reads.page(from, filter, sort, n, keys),
        chunks: (from, keys, rows) => reads.chunks?.(from, filter, sort, keys, rows),
        list: () => reads.list(db, filter, sort, limit, after),
      }),
    get: async (id) => reads.get(db, id),
  };
}
