import { pgReadAnswered } from '../db/pg/query.js';
import { pgAll, type Pool } from '../db/pg/rows.js';
import { relatedListOf, relatedQueries, type RelatedStore } from './queries.js';

// The related recommendations on PostgreSQL: queries.ts's SQL over the relations and documents as copied
// (nothing on PostgreSQL refreshes them yet).

export function pgRelatedStore(pool: Pool): RelatedStore {
  return {
    related: (id, query, answered) =>
      pgReadAnswered(pool, answered, async (client) => {
        const queries = relatedQueries(id, query);
        if ((await pgAll(client, queries.exists)).length === 0) return undefined;
        return relatedListOf(await pgAll(client, queries.related), query);
      }),
  };
}
