import { sql } from 'drizzle-orm';
import { keysetAfter, keysetOrder, whereClause } from '../db/keyset.js';
import { pgReadStore } from '../db/pg/read-store.js';
import { pgAll, pgCount, type Pool } from '../db/pg/rows.js';
import { sliceChunk } from '../http/pagination.js';
import { citationQueries, citedByOf, filterConditions, selectRowsQuery } from './queries.js';
import type { CitedBy, SourceRecord } from './schemas.js';
import { SOURCE_LIST, type SourceStore } from './store.js';

// The sources on PostgreSQL: queries.ts's SQL in PostgreSQL's dialect.

export function pgSourceStore(pool: Pool): SourceStore {
  return pgReadStore(pool, SOURCE_LIST, {
    async page(reader, f, sort, limit, after) {
      const conditions = filterConditions(f, 'postgres');
      if (after) conditions.push(keysetAfter(sort, after));
      const rows = await pgAll<SourceRecord>(reader, selectRowsQuery(conditions, keysetOrder(sort), limit + 1));
      return sliceChunk(rows, limit, sort.keysOf);
    },
    async total(reader, f) {
      return pgCount(reader, sql`sources s ${whereClause(filterConditions(f, 'postgres'))}`);
    },
    async get(reader, id) {
      const [source] = await pgAll<SourceRecord>(reader, selectRowsQuery([sql`s.id = ${id}`], sql`s.id`, 1));
      if (!source) return undefined;
      // One after another: the detail reads one snapshot on one connection (src/db/pg/read-store.ts).
      const found: [keyof CitedBy, { id: string; n: number }[]][] = [];
      for (const [kind, query] of citationQueries(id)) found.push([kind, await pgAll(reader, query)]);
      return { ...source, citedBy: citedByOf(found) };
    },
  });
}
