import { type SQL, sql } from 'drizzle-orm';
import type pg from 'pg';
import { cappedTotal, fullTextLimits } from '../db/fulltext.js';
import { type KeysetSort, keysetAfter, keysetOrder, whereClause } from '../db/keyset.js';
import { relevanceRank, tsQuery } from '../db/pg/fulltext.js';
import { pgCursorChunks } from '../db/pg/cursor-chunks.js';
import { pgReadStore } from '../db/pg/read-store.js';
import type { Reader } from '../db/pg/record-list.js';
import { pgAll, pgCount, type Pool } from '../db/pg/rows.js';
import { type KeyValue, sliceChunk } from '../http/pagination.js';
import { filterConditions, FROM, selectRowsQuery, statementRecords, type StatementRow, type StatementThemeRow, themesQuery } from './queries.js';
import type { StatementFilter, StatementRecord } from './schemas.js';
import { STATEMENT_LIST, type StatementStore } from './store.js';

// The statements on PostgreSQL: queries.ts's SQL through node-postgres, with `q` matched on the tsvector of
// FTS5's terms (src/db/pg/fulltext.ts) instead of FTS5.

function conditions(f: StatementFilter): SQL[] {
  const c = filterConditions(f);
  if (f.q !== undefined) c.unshift(sql`s.search @@ ${tsQuery(f.q)}`);
  return c;
}

/**
 * The statements (s) with their reviews (v) and, ranked, each match's rank (f): what the relevance sort reads.
 * PostgreSQL's relevance is (minus ts_rank, id), as the recommendations' (src/recommendations/pg-queries.ts).
 */
function ranked(f: StatementFilter, sort: KeysetSort<StatementRow>): { from: SQL; select?: SQL; sort: KeysetSort<StatementRow> } {
  if (f.q === undefined || !sort.name.endsWith('relevance')) return { from: FROM, sort };
  return {
    from: sql`${FROM} cross join lateral (select ${relevanceRank(sql`s.search`, tsQuery(f.q))} as rank) f`,
    select: sql`, f.rank as rank`,
    sort: { ...sort, columns: [sql`f.rank`, sql`s.id`], keysOf: (row) => [row.rank!, row.id] },
  };
}

async function records(reader: Reader, rows: StatementRow[]): Promise<StatementRecord[]> {
  if (rows.length === 0) return [];
  return statementRecords(rows, await pgAll<StatementThemeRow>(reader, themesQuery(rows)));
}

/** One statement as GET answers it, read through `reader` (the pool, or a write's transaction). */
export async function pgGetStatement(reader: Reader, id: string): Promise<StatementRecord | undefined> {
  const [record] = await records(reader, await pgAll<StatementRow>(reader, selectRowsQuery(FROM, [sql`s.id = ${id}`], sql`s.id`, 1)));
  return record;
}

/**
 * A full-text export's statements, `rows` at a time, through a server-side cursor on the export's connection:
 * the match runs once (as developments': pg-queries.ts there); undefined without q.
 */
export function pgStatementExportChunks(
  client: pg.PoolClient,
  f: StatementFilter,
  sort: KeysetSort<StatementRow>,
  after: KeyValue[] | undefined,
  rows: number,
): AsyncGenerator<StatementRecord[], void, undefined> | undefined {
  if (f.q === undefined) return undefined;
  const order = ranked(f, sort);
  const c = conditions(f);
  if (after) c.push(keysetAfter(order.sort, after));
  return pgCursorChunks<StatementRow, StatementRecord>(client, selectRowsQuery(order.from, c, keysetOrder(order.sort), undefined, order.select), rows, records);
}

export function pgStatementStore(pool: Pool): StatementStore {
  return pgReadStore(pool, STATEMENT_LIST, {
    async page(reader, f, sort, limit, after) {
      const order = ranked(f, sort);
      const c = conditions(f);
      if (after) c.push(keysetAfter(order.sort, after));
      const rows = await pgAll<StatementRow>(reader, selectRowsQuery(order.from, c, keysetOrder(order.sort), limit + 1, order.select));
      const chunk = sliceChunk(rows, limit, order.sort.keysOf);
      return { rows: await records(reader, chunk.rows), nextKeys: chunk.nextKeys };
    },
    async total(reader, f) {
      if (f.q === undefined) return pgCount(reader, sql`${FROM} ${whereClause(conditions(f))}`);
      // A full-text count stops after FULL_TEXT_MAX_COUNT + 1 matches, as on SQLite.
      const limit = fullTextLimits().maxCount + 1;
      return cappedTotal(await pgCount(reader, sql`(select 1 from ${FROM} ${whereClause(conditions(f))} limit ${limit}) m`));
    },
    get: pgGetStatement,
    chunks: pgStatementExportChunks,
  });
}
