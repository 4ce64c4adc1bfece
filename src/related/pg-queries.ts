import { pgAll, type Pool } from '../db/pg/rows.js';
import { relatedListOf, relatedQueries, type RelatedStore } from './queries.js';

// The related recommendations on PostgreSQL: queries.ts's SQL over the relations and documents as copied
// (nothing on PostgreSQL refreshes them yet).

export function pgRelatedStore(pool: Pool): RelatedStore {
  return {
    async related(id, query) {
      const queries = relatedQueries(id, query);
      if ((await pgAll(pool, queries.exists)).length === 0) return undefined;
      return relatedListOf(await pgAll(pool, queries.related), query);
    },
  };
}
