import type pg from 'pg';
import type { Chunk, KeyValue } from '../../http/pagination.js';
import type { ListShape, ReadStore } from '../read-store.js';
import { pgSnapshot } from './query.js';
import { answerRecordList, type ListTotal, type Reader } from './record-list.js';
import type { Pool } from './rows.js';

// A read resource's store on PostgreSQL (src/db/read-store.ts): its pg-queries module's functions, the list
// answered by record-list.ts.

export interface PgReads<Filter, Sort, Row, Detail> {
  page(reader: Reader, f: Filter, sort: Sort, limit: number, after: KeyValue[] | undefined): Promise<Chunk<Row>>;
  /** The list's total: a number, or a full-text search's capped one (src/db/fulltext.ts cappedTotal). */
  total(reader: Reader, f: Filter): Promise<ListTotal>;
  get(reader: Reader, id: string): Promise<Detail | undefined>;
  /** An export's rows when it should not resume by keys from chunk to chunk (RecordListSpec.chunks). */
  chunks?(client: pg.PoolClient, f: Filter, sort: Sort, after: KeyValue[] | undefined, rows: number): AsyncGenerator<Row[], void, undefined> | undefined;
}

export function pgReadStore<Filter, Sort extends { name: string }, Row, Detail>(
  pool: Pool,
  shape: ListShape<Row>,
  reads: PgReads<Filter, Sort, Row, Detail>,
): ReadStore<Filter, Detail, Sort> {
  return {
    list: (request, reply, { filter, sort, after, limit, bom }) =>
      answerRecordList(pool, request, reply, {
        ...shape,
        bom,
        sortName: sort.name,
        after,
        limit,
        page: (reader, n, keys) => reads.page(reader, filter, sort, n, keys),
        chunks: (client, keys, rows) => reads.chunks?.(client, filter, sort, keys, rows),
        total: (reader) => reads.total(reader, filter),
      }),
    // A record's detail is several queries: one snapshot, so that it never mixes two revisions.
    get: (id) => pgSnapshot(pool, (client) => reads.get(client, id)),
  };
}
