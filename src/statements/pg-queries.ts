import { sql } from 'drizzle-orm';
import { keysetAfter, keysetOrder, whereClause } from '../db/keyset.js';
import { pgReadStore } from '../db/pg/read-store.js';
import type { Reader } from '../db/pg/record-list.js';
import { pgAll, pgCount, type Pool } from '../db/pg/rows.js';
import { sliceChunk } from '../http/pagination.js';
import { filterConditions, FROM, selectRowsQuery, statementRecords, type StatementRow, type StatementThemeRow, themesQuery } from './queries.js';
import type { StatementRecord } from './schemas.js';
import { STATEMENT_LIST, type StatementStore } from './store.js';

// The statements on PostgreSQL: queries.ts's SQL through node-postgres.

async function records(reader: Reader, rows: StatementRow[]): Promise<StatementRecord[]> {
  if (rows.length === 0) return [];
  return statementRecords(rows, await pgAll<StatementThemeRow>(reader, themesQuery(rows)));
}

/** One statement as GET answers it, read through `reader` (the pool, or a write's transaction). */
export async function pgGetStatement(reader: Reader, id: string): Promise<StatementRecord | undefined> {
  const [record] = await records(reader, await pgAll<StatementRow>(reader, selectRowsQuery([sql`s.id = ${id}`], sql`s.id`, 1)));
  return record;
}

export function pgStatementStore(pool: Pool): StatementStore {
  return pgReadStore(pool, STATEMENT_LIST, {
    async page(reader, f, sort, limit, after) {
      const c = filterConditions(f);
      if (after) c.push(keysetAfter(sort, after));
      const rows = await pgAll<StatementRow>(reader, selectRowsQuery(c, keysetOrder(sort), limit + 1));
      const chunk = sliceChunk(rows, limit, sort.keysOf);
      return { rows: await records(reader, chunk.rows), nextKeys: chunk.nextKeys };
    },
    total: (reader, f) => pgCount(reader, sql`${FROM} ${whereClause(filterConditions(f))}`),
    get: pgGetStatement,
  });
}
