import { type SQL, sql } from 'drizzle-orm';
import { fullTextTerms } from '../fulltext.js';

// Full text on PostgreSQL: the same `q` (src/db/fulltext.ts parses it, with the same limits) as a tsquery over
// the generated `search` tsvector (english configuration, GIN index: src/db/pg/schema.ts). Every term must
// occur (&), a "phrase" is its words in sequence (<->), word* a prefix (:*). The terms' tokens are letters and
// digits only (fullTextTerms), and the tsvector is made of the text with everything else a space (englishWords in
// src/db/pg/schema.ts), so words split as FTS5 splits them on both sides. Where this differs from FTS5
// (README, "Deploying at scale"): the english configuration drops stop words ("the", "of"), so a term made
// of stop words alone matches nothing instead of nearly everything, and diacritics are kept (FTS5's
// unicode61 folds them); ranking is ts_rank, not bm25 (see relevanceRank).

/** The search as the text of a to_tsquery('english', …) argument; tokens are letters and digits only. */
export function toTsQuery(q: string): string {
  return fullTextTerms(q)
    .map((term) => {
      const last = term.tokens.length - 1;
      const words = term.tokens.map((token, i) => `'${token}'${term.prefix && i === last ? ':*' : ''}`);
      return words.length === 1 ? words[0]! : `(${words.join(' <-> ')})`;
    })
    .join(' & ');
}

/** The tsquery of a search, for `search @@ …` and ts_rank. */
export function tsQuery(q: string): SQL {
  return sql`to_tsquery('english', ${toTsQuery(q)})`;
}

/**
 * A match's rank, lower for better matches as bm25 is on SQLite, so that the relevance sort is ascending on
 * both: minus ts_rank (term frequency in the record, without bm25's weighting of rare terms or its
 * normalisation by record length), as double precision so that a cursor's value round-trips exactly.
 */
export function relevanceRank(search: SQL, query: SQL): SQL {
  return sql`(-ts_rank(${search}, ${query}))::float8`;
}
