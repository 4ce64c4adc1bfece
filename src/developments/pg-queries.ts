import { type SQL, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { KeysetSort } from '../db/keyset.js';
import { cappedTotal, fullTextLimits } from '../db/fulltext.js';
import { keysetAfter, keysetOrder, whereClause } from '../db/keyset.js';
import { tsQuery } from '../db/pg/fulltext.js';
import { pgCursorChunks } from '../db/pg/cursor-chunks.js';
import { pgReadStore } from '../db/pg/read-store.js';
import type { Reader } from '../db/pg/record-list.js';
import { pgAll, pgCount, type Pool } from '../db/pg/rows.js';
import { type KeyValue, sliceChunk } from '../http/pagination.js';
import {
  detailRecommendationsQuery,
  developmentRecords,
  type DevelopmentRow,
  filterConditions,
  type HydrateRows,
  hydrateQueries,
  selectRowsQuery,
} from './queries.js';
import type { DevelopmentDetail, DevelopmentFilter, DevelopmentRecord } from './schemas.js';
import { DEVELOPMENT_LIST, type DevelopmentStore } from './store.js';

// The developments on PostgreSQL: queries.ts's SQL, with `q` matched on the tsvector of FTS5's terms
// (src/db/pg/fulltext.ts) instead of FTS5.

const FROM = sql`developments d`;

function conditions(f: DevelopmentFilter): SQL[] {
  const c = filterConditions(f, 'postgres');
  if (f.q !== undefined) c.unshift(sql`d.search @@ ${tsQuery(f.q)}`);
  return c;
}

async function records(reader: Reader, rows: DevelopmentRow[]) {
  if (rows.length === 0) return [];
  const q = hydrateQueries(rows);
  // One query after another: an export's reader is one connection, which runs one query at a time.
  return developmentRecords(rows, {
    themes: await pgAll<HydrateRows['themes'][number]>(reader, q.themes),
    recommendations: await pgAll<HydrateRows['recommendations'][number]>(reader, q.recommendations),
    sources: await pgAll<HydrateRows['sources'][number]>(reader, q.sources),
  });
}

/** One development as GET answers it, read through `reader` (the pool, or a write's transaction). */
export async function pgGetDevelopment(reader: Reader, id: string): Promise<DevelopmentDetail | undefined> {
  const [record] = await records(reader, await pgAll<DevelopmentRow>(reader, selectRowsQuery(FROM, [sql`d.id = ${id}`], sql`d.id`, 1)));
  if (!record) return undefined;
  return { ...record, recommendations: await pgAll<DevelopmentDetail['recommendations'][number]>(reader, detailRecommendationsQuery(id)) };
}

/**
 * A full-text export's developments, `rows` at a time, through a server-side cursor on the export's connection:
 * the match runs once (resumed by keys, each chunk ran it again, an export of M matches costing M²/rows);
 * undefined without q, whose keyset steps cost only their rows.
 */
export function pgDevelopmentExportChunks(
  client: pg.PoolClient,
  f: DevelopmentFilter,
  sort: KeysetSort<DevelopmentRow>,
  after: KeyValue[] | undefined,
  rows: number,
): AsyncGenerator<DevelopmentRecord[], void, undefined> | undefined {
  if (f.q === undefined) return undefined;
  const c = conditions(f);
  if (after) c.push(keysetAfter(sort, after));
  return pgCursorChunks<DevelopmentRow, DevelopmentRecord>(client, selectRowsQuery(FROM, c, keysetOrder(sort)), rows, records);
}

export function pgDevelopmentStore(pool: Pool): DevelopmentStore {
  return pgReadStore(pool, DEVELOPMENT_LIST, {
    async page(reader, f, sort, limit, after) {
      const c = conditions(f);
      if (after) c.push(keysetAfter(sort, after));
      const rows = await pgAll<DevelopmentRow>(reader, selectRowsQuery(FROM, c, keysetOrder(sort), limit + 1));
      const chunk = sliceChunk(rows, limit, sort.keysOf);
      return { rows: await records(reader, chunk.rows), nextKeys: chunk.nextKeys };
    },
    async total(reader, f) {
      if (f.q === undefined) return pgCount(reader, sql`${FROM} ${whereClause(conditions(f))}`);
      // A full-text count stops after FULL_TEXT_MAX_COUNT + 1 matches, as on SQLite.
      const limit = fullTextLimits().maxCount + 1;
      return cappedTotal(await pgCount(reader, sql`(select 1 from ${FROM} ${whereClause(conditions(f))} limit ${limit}) m`));
    },
    get: pgGetDevelopment,
    chunks: pgDevelopmentExportChunks,
  });
}
